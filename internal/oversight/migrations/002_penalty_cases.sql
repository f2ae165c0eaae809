-- the regulator's penalty cases against operators
CREATE TABLE oversight_cases (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	operator_id BIGINT NOT NULL REFERENCES orgs(id),
	penalty_id TEXT NOT NULL,
	subject TEXT NOT NULL,
	tier TEXT NOT NULL,
	base_amount BIGINT NOT NULL DEFAULT 0,
	amount BIGINT NOT NULL,
	range_min BIGINT NOT NULL,
	range_max BIGINT NOT NULL,
	outside_basis TEXT NOT NULL DEFAULT '',
	decision TEXT NOT NULL,
	published BOOLEAN NOT NULL DEFAULT FALSE,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX oversight_cases_org ON oversight_cases (org_id, id);
