-- the department's signed receipts (ciiguard-report-receipt/1) for reports exported as signed bundles and filed outside ciiguard: its answers, imported on the report they answer
CREATE TABLE report_receipts (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	report_id BIGINT NOT NULL,
	version INTEGER NOT NULL,
	department_zh TEXT NOT NULL,
	department_en TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	answers TEXT NOT NULL,
	issued_at {{ts}} NOT NULL,
	key_fingerprint TEXT NOT NULL,
	receipt TEXT NOT NULL,
	imported_by TEXT NOT NULL,
	imported_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX report_receipts_one ON report_receipts (org_id, report_id, key_fingerprint, issued_at);
