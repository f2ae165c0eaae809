-- a supplier's own suppliers of what it supplies, with their countries
CREATE TABLE supplier_subs (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	supplier_id BIGINT NOT NULL REFERENCES suppliers(id),
	product_id BIGINT NOT NULL DEFAULT 0,
	name TEXT NOT NULL,
	country TEXT NOT NULL,
	supplies TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX supplier_subs_org ON supplier_subs (org_id, supplier_id, id);
