-- assessment reports, their versions (a signed-off version is frozen) and their submissions
CREATE TABLE reports (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL,
	year INTEGER NOT NULL,
	state TEXT NOT NULL,
	version INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL,
	signed_at {{ts}}
);
CREATE INDEX reports_org ON reports (org_id, year, id);

CREATE TABLE report_versions (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	report_id BIGINT NOT NULL,
	version INTEGER NOT NULL,
	content TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	frozen BOOLEAN NOT NULL DEFAULT FALSE,
	at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, report_id, version)
);

CREATE TABLE report_submissions (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	report_id BIGINT NOT NULL,
	version INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	signature TEXT NOT NULL,
	key_fingerprint TEXT NOT NULL,
	receipt TEXT NOT NULL DEFAULT '',
	submitted_by TEXT NOT NULL,
	submitted_at {{ts}} NOT NULL
);
CREATE INDEX report_submissions_org ON report_submissions (org_id, report_id);
