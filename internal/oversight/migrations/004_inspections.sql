-- the department's inspections (CIIR 2021 Arts 26-28): scope and time box, the operators' copies, every read, and findings, orders, refusals, obstructions and responses
CREATE TABLE oversight_inspections (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	entry_id BIGINT NOT NULL,
	operator_id BIGINT NOT NULL REFERENCES orgs(id),
	ref TEXT NOT NULL,
	basis TEXT NOT NULL,
	areas TEXT NOT NULL,
	systems TEXT NOT NULL,
	period_from TEXT NOT NULL,
	period_to TEXT NOT NULL,
	opens_at {{ts}} NOT NULL,
	ends_at {{ts}} NOT NULL,
	opened_by TEXT NOT NULL
);
CREATE INDEX oversight_inspections_org ON oversight_inspections (org_id, id);

CREATE TABLE oversight_inspection_copies (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	inspection_id BIGINT NOT NULL,
	regulator_id BIGINT NOT NULL REFERENCES orgs(id),
	received_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, inspection_id)
);

CREATE TABLE oversight_inspection_reads (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	inspection_id BIGINT NOT NULL,
	area TEXT NOT NULL,
	what TEXT NOT NULL,
	detail TEXT NOT NULL,
	items BIGINT NOT NULL,
	by_user BIGINT NOT NULL DEFAULT 0,
	by_label TEXT NOT NULL,
	at {{ts}} NOT NULL
);
CREATE INDEX oversight_inspection_reads_inspection ON oversight_inspection_reads (org_id, inspection_id, id);

CREATE TABLE oversight_inspection_actions (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	inspection_id BIGINT NOT NULL,
	kind TEXT NOT NULL,
	text TEXT NOT NULL,
	due_on TEXT NOT NULL DEFAULT '',
	side TEXT NOT NULL,
	by_user BIGINT NOT NULL DEFAULT 0,
	by_label TEXT NOT NULL,
	at {{ts}} NOT NULL
);
CREATE INDEX oversight_inspection_actions_inspection ON oversight_inspection_actions (org_id, inspection_id, id);
