-- the yearly personal-information self-inspections and important-data risk assessment reports, scheduled and done
CREATE TABLE data_reviews (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL,
	period TEXT NOT NULL,
	due_on TEXT NOT NULL,
	done_on TEXT NOT NULL DEFAULT '',
	summary TEXT NOT NULL DEFAULT '',
	submitted_to TEXT NOT NULL DEFAULT '',
	report_sha256 TEXT NOT NULL DEFAULT '',
	report_uploaded BOOLEAN NOT NULL DEFAULT FALSE,
	done_by TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX data_reviews_period ON data_reviews (org_id, kind, period);
