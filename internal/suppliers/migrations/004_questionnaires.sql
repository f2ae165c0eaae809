-- security questionnaires sent to supplier organisations, the supplier's inbox, and the findings of accepted answers
CREATE TABLE supplier_questionnaires (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	supplier_id BIGINT NOT NULL REFERENCES suppliers(id),
	supplier_org_id BIGINT NOT NULL,
	template_id TEXT NOT NULL,
	template_version TEXT NOT NULL,
	questions TEXT NOT NULL,
	due_on {{ts}} NOT NULL,
	state TEXT NOT NULL,
	answers TEXT NOT NULL DEFAULT '[]',
	answered_by TEXT NOT NULL DEFAULT '',
	answered_at {{ts}},
	score INTEGER NOT NULL DEFAULT -1,
	decided_by TEXT NOT NULL DEFAULT '',
	decided_at {{ts}},
	decision_notes TEXT NOT NULL DEFAULT '',
	sent_by TEXT NOT NULL,
	sent_at {{ts}} NOT NULL
);
CREATE INDEX supplier_questionnaires_org ON supplier_questionnaires (org_id, supplier_id, id);

CREATE TABLE questionnaire_inbox (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	operator_id BIGINT NOT NULL REFERENCES orgs(id),
	questionnaire_id BIGINT NOT NULL,
	received_at {{ts}} NOT NULL
);
CREATE INDEX questionnaire_inbox_org ON questionnaire_inbox (org_id, id);

CREATE TABLE supplier_findings (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	supplier_id BIGINT NOT NULL REFERENCES suppliers(id),
	questionnaire_id BIGINT NOT NULL,
	question_key TEXT NOT NULL,
	text_zh TEXT NOT NULL,
	text_en TEXT NOT NULL,
	due_on {{ts}} NOT NULL,
	closed_by TEXT NOT NULL DEFAULT '',
	closed_at {{ts}},
	close_note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX supplier_findings_org ON supplier_findings (org_id, supplier_id, id);
