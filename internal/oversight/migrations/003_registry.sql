-- the regulator's registry of operators, its identification notices, and the operators' copies of the notices
CREATE TABLE oversight_registry (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	operator_id BIGINT REFERENCES orgs(id),
	uscc TEXT NOT NULL DEFAULT '',
	name_zh TEXT NOT NULL,
	name_en TEXT NOT NULL DEFAULT '',
	sector TEXT NOT NULL DEFAULT '',
	province TEXT NOT NULL DEFAULT '',
	linked BOOLEAN NOT NULL DEFAULT FALSE,
	added BOOLEAN NOT NULL DEFAULT FALSE,
	created_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX oversight_registry_operator ON oversight_registry (org_id, operator_id);
CREATE UNIQUE INDEX oversight_registry_uscc ON oversight_registry (org_id, uscc) WHERE uscc <> '';

CREATE TABLE oversight_notices (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	entry_id BIGINT NOT NULL,
	operator_id BIGINT REFERENCES orgs(id),
	ref TEXT NOT NULL,
	issued_on TEXT NOT NULL,
	basis TEXT NOT NULL,
	systems TEXT NOT NULL,
	delivered BOOLEAN NOT NULL DEFAULT FALSE,
	created_by TEXT NOT NULL,
	sent_at {{ts}} NOT NULL
);
CREATE INDEX oversight_notices_entry ON oversight_notices (org_id, entry_id, id);

CREATE TABLE oversight_notice_copies (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	notice_id BIGINT NOT NULL,
	regulator_id BIGINT NOT NULL REFERENCES orgs(id),
	ref TEXT NOT NULL,
	issued_on TEXT NOT NULL,
	basis TEXT NOT NULL,
	systems TEXT NOT NULL,
	applied TEXT NOT NULL DEFAULT '',
	received_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, notice_id)
);

-- Operators that had already named their department are in its registry, as linked.
INSERT INTO oversight_registry (org_id, operator_id, uscc, name_zh, name_en, linked, added, created_at)
SELECT l.regulator_id, l.org_id, o.uscc, o.name_zh, o.name_en, TRUE, FALSE, l.set_at FROM oversight_links l JOIN orgs o ON o.id = l.org_id;
