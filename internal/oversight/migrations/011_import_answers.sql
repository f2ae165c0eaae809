-- the department's answers to reports imported from signed bundles: acknowledged, more information requested, accepted — carried back to the operator's installation as a signed receipt
CREATE TABLE oversight_import_answers (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	import_id BIGINT NOT NULL,
	action TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	by_user BIGINT NOT NULL DEFAULT 0,
	by_label TEXT NOT NULL,
	at {{ts}} NOT NULL
);
CREATE INDEX oversight_import_answers_import ON oversight_import_answers (org_id, import_id, id);
-- accepted once: two answers racing cannot both accept
CREATE UNIQUE INDEX oversight_import_answers_accepted ON oversight_import_answers (org_id, import_id) WHERE action = 'accepted';
