-- signed report bundles exported for filing outside ciiguard: an annual report exported this
-- way counts as reported to the department (the `reports` facts' last_annual_submitted)
CREATE TABLE report_exports (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	report_id BIGINT NOT NULL,
	version INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	key_fingerprint TEXT NOT NULL,
	exported_by TEXT NOT NULL,
	exported_at {{ts}} NOT NULL
);
CREATE INDEX report_exports_org ON report_exports (org_id, report_id);
