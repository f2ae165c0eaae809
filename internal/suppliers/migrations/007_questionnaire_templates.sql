-- the operators' own questionnaire templates, imported from CSV or XLSX and never changed once kept (a new import of the same title is its next version); a questionnaire sent with one keeps the template's titles beside its copy of the questions
CREATE TABLE supplier_q_templates (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	title_zh TEXT NOT NULL,
	title_en TEXT NOT NULL,
	version INTEGER NOT NULL,
	questions TEXT NOT NULL,
	format TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX supplier_q_templates_org ON supplier_q_templates (org_id, id);
ALTER TABLE supplier_questionnaires ADD COLUMN template_title_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE supplier_questionnaires ADD COLUMN template_title_en TEXT NOT NULL DEFAULT '';
