-- operators' protection-work departments, submissions filed with them, the operators' receipts and the regulators' answers
CREATE TABLE oversight_links (
	org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
	regulator_id BIGINT NOT NULL REFERENCES orgs(id),
	set_at {{ts}} NOT NULL
);

CREATE TABLE oversight_submissions (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	operator_id BIGINT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL,
	title_zh TEXT NOT NULL,
	title_en TEXT NOT NULL,
	ref TEXT NOT NULL DEFAULT '',
	payload TEXT NOT NULL,
	payload_sha256 TEXT NOT NULL,
	attachment {{blob}},
	attachment_name TEXT NOT NULL DEFAULT '',
	attachment_sha256 TEXT NOT NULL DEFAULT '',
	attachment_cited BOOLEAN NOT NULL DEFAULT FALSE,
	signature TEXT NOT NULL DEFAULT '',
	public_key TEXT NOT NULL DEFAULT '',
	key_fingerprint TEXT NOT NULL DEFAULT '',
	detected_at {{ts}},
	submitted_by TEXT NOT NULL,
	submitted_at {{ts}} NOT NULL
);
CREATE INDEX oversight_submissions_org ON oversight_submissions (org_id, id);
CREATE INDEX oversight_submissions_operator ON oversight_submissions (org_id, operator_id, kind);

CREATE TABLE oversight_receipts (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	submission_id BIGINT NOT NULL,
	regulator_id BIGINT NOT NULL REFERENCES orgs(id),
	ref TEXT NOT NULL DEFAULT '',
	submitted_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, submission_id)
);

CREATE TABLE oversight_answers (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	submission_id BIGINT NOT NULL,
	action TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	by_user BIGINT NOT NULL DEFAULT 0,
	by_label TEXT NOT NULL,
	at {{ts}} NOT NULL
);
CREATE INDEX oversight_answers_submission ON oversight_answers (org_id, submission_id, id);
