-- a supplier record linked to the supplier's organisation on this installation, and the supplier organisation's list of the operators that link it
ALTER TABLE suppliers ADD COLUMN platform_org_id BIGINT NOT NULL DEFAULT 0;

CREATE TABLE supplier_customers (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	operator_id BIGINT NOT NULL REFERENCES orgs(id),
	supplier_id BIGINT NOT NULL,
	linked_by TEXT NOT NULL,
	linked_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, operator_id)
);
