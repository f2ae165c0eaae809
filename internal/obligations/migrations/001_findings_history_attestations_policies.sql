-- findings, history, attestations, policies
CREATE TABLE findings (
	org_id BIGINT NOT NULL,
	obligation_id TEXT NOT NULL,
	subject_kind TEXT NOT NULL,
	subject_id TEXT NOT NULL,
	status TEXT NOT NULL,
	reason_zh TEXT NOT NULL,
	reason_en TEXT NOT NULL,
	due {{ts}},
	penalty_id TEXT NOT NULL,
	fine_min BIGINT NOT NULL,
	fine_max BIGINT NOT NULL,
	evidence TEXT NOT NULL,
	attested_by TEXT NOT NULL,
	evaluated_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, obligation_id, subject_kind, subject_id)
);
CREATE INDEX findings_status ON findings (org_id, status);
CREATE TABLE finding_runs (
	id {{id}},
	org_id BIGINT NOT NULL,
	at {{ts}} NOT NULL,
	met INTEGER NOT NULL,
	gap INTEGER NOT NULL,
	overdue INTEGER NOT NULL,
	not_applicable INTEGER NOT NULL,
	needs_attestation INTEGER NOT NULL,
	fine_min BIGINT NOT NULL,
	fine_max BIGINT NOT NULL
);
CREATE INDEX finding_runs_org ON finding_runs (org_id, at);
CREATE TABLE attestations (
	id {{id}},
	org_id BIGINT NOT NULL,
	obligation_id TEXT NOT NULL,
	subject_kind TEXT NOT NULL,
	subject_id TEXT NOT NULL,
	valid_from {{ts}} NOT NULL,
	valid_until {{ts}} NOT NULL,
	evidence TEXT NOT NULL,
	statement TEXT NOT NULL,
	attested_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX attestations_org ON attestations (org_id, obligation_id);
CREATE TABLE custom_policies (
	id {{id}},
	org_id BIGINT NOT NULL,
	name TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	yaml TEXT NOT NULL,
	obligations INTEGER NOT NULL,
	uploaded_by TEXT NOT NULL,
	uploaded_at {{ts}} NOT NULL
);
