-- suppliers and the products and services they provide, with their certificates
CREATE TABLE suppliers (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	name TEXT NOT NULL,
	uscc TEXT NOT NULL DEFAULT '',
	foreign_reg TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL,
	ownership TEXT NOT NULL DEFAULT '',
	contacts TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX suppliers_org ON suppliers (org_id, id);

CREATE TABLE supplier_products (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	supplier_id BIGINT NOT NULL REFERENCES suppliers(id),
	name TEXT NOT NULL,
	version TEXT NOT NULL DEFAULT '',
	type TEXT NOT NULL,
	donated BOOLEAN NOT NULL DEFAULT FALSE,
	systems TEXT NOT NULL DEFAULT '[]',
	cert_number TEXT NOT NULL DEFAULT '',
	cert_body TEXT NOT NULL DEFAULT '',
	cert_scope TEXT NOT NULL DEFAULT '',
	cert_expires {{ts}},
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX supplier_products_org ON supplier_products (org_id, supplier_id, id);
