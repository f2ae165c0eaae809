-- security and confidentiality agreements, performance reviews, pre-use assessments and maintenance from abroad
CREATE TABLE supplier_agreements (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	supplier_id BIGINT NOT NULL REFERENCES suppliers(id),
	title TEXT NOT NULL,
	signed_on {{ts}} NOT NULL,
	expires_on {{ts}},
	duties TEXT NOT NULL DEFAULT '[]',
	evidence_sha256 TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX supplier_agreements_org ON supplier_agreements (org_id, supplier_id, id);

CREATE TABLE supplier_reviews (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	supplier_id BIGINT NOT NULL REFERENCES suppliers(id),
	reviewed_on {{ts}} NOT NULL,
	result TEXT NOT NULL,
	notes TEXT NOT NULL DEFAULT '',
	evidence_sha256 TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX supplier_reviews_org ON supplier_reviews (org_id, supplier_id, id);

CREATE TABLE supplier_assessments (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	product_id BIGINT NOT NULL REFERENCES supplier_products(id),
	assessed_on {{ts}} NOT NULL,
	result TEXT NOT NULL,
	findings TEXT NOT NULL DEFAULT '',
	evidence_sha256 TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX supplier_assessments_org ON supplier_assessments (org_id, product_id, id);

CREATE TABLE supplier_maintenance (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	supplier_id BIGINT NOT NULL REFERENCES suppliers(id),
	system_id BIGINT NOT NULL,
	from_country TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	starts_on {{ts}} NOT NULL,
	ends_on {{ts}},
	reported_on {{ts}},
	report_evidence TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX supplier_maintenance_org ON supplier_maintenance (org_id, supplier_id, id);
