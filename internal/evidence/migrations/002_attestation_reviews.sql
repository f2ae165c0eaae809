-- four-eyes review of attestations and whether each organisation requires it
CREATE TABLE attestation_reviews (
	org_id BIGINT NOT NULL,
	attestation_id BIGINT NOT NULL,
	obligation_id TEXT NOT NULL,
	subject_kind TEXT NOT NULL,
	subject_id TEXT NOT NULL,
	statement TEXT NOT NULL,
	evidence TEXT NOT NULL,
	author_id BIGINT NOT NULL,
	author TEXT NOT NULL,
	status TEXT NOT NULL,
	reviewer_id BIGINT NOT NULL,
	reviewer TEXT NOT NULL,
	note TEXT NOT NULL,
	submitted_at {{ts}} NOT NULL,
	decided_at {{ts}},
	PRIMARY KEY (org_id, attestation_id)
);
CREATE INDEX attestation_reviews_status ON attestation_reviews (org_id, status);
CREATE TABLE review_settings (
	org_id BIGINT NOT NULL PRIMARY KEY,
	four_eyes BOOLEAN NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at {{ts}} NOT NULL
);
