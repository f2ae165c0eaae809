-- the withdrawal of a pre-use assessment's approval (who, when, why), and the operator's
-- explicit links of a shared certificate or review outcome to one of its products
ALTER TABLE supplier_assessments ADD COLUMN withdrawn_by TEXT NOT NULL DEFAULT '';
ALTER TABLE supplier_assessments ADD COLUMN withdrawn_at {{ts}};
ALTER TABLE supplier_assessments ADD COLUMN withdrawn_reason TEXT NOT NULL DEFAULT '';

CREATE TABLE credential_links (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	receipt_id BIGINT NOT NULL,
	product_id BIGINT NOT NULL,
	linked_by TEXT NOT NULL,
	linked_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX credential_links_one ON credential_links (org_id, receipt_id, product_id);
