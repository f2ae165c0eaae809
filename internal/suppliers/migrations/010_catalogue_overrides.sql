-- the installation's overrides of the certification catalogue (installation-wide, kept by its operations team): one per entry code; kind not_applicable, threshold or added; payload the kind's JSON (new figures by metric, or the added entry); every override has its reason
CREATE TABLE supplier_catalogue_overrides (
	code TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	payload TEXT NOT NULL,
	reason TEXT NOT NULL,
	made_by TEXT NOT NULL,
	made_at {{ts}} NOT NULL
);
-- their history: who created, changed or withdrew which override, when, why, and the override before and after (JSON, '' for none)
CREATE TABLE supplier_catalogue_override_history (
	id {{id}},
	code TEXT NOT NULL,
	action TEXT NOT NULL,
	before_json TEXT NOT NULL,
	after_json TEXT NOT NULL,
	reason TEXT NOT NULL,
	made_by TEXT NOT NULL,
	made_at {{ts}} NOT NULL
);
CREATE INDEX supplier_catalogue_override_history_code ON supplier_catalogue_override_history (code, id);
