-- a supplier organisation's advisories shared with the operators it supplies: the share in the supplier's tenant, the receipt in the operator's
CREATE TABLE vuln_shares (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	vuln_id BIGINT NOT NULL REFERENCES vulns(id),
	operator_id BIGINT NOT NULL REFERENCES orgs(id),
	shared_by TEXT NOT NULL,
	shared_at {{ts}} NOT NULL,
	revoked_by TEXT NOT NULL DEFAULT '',
	revoked_at {{ts}}
);
CREATE INDEX vuln_shares_org ON vuln_shares (org_id, vuln_id);

CREATE TABLE vuln_received (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	supplier_org_id BIGINT NOT NULL REFERENCES orgs(id),
	share_id BIGINT NOT NULL REFERENCES vuln_shares(id),
	vuln_id BIGINT NOT NULL,
	shared_at {{ts}} NOT NULL,
	revoked_at {{ts}}
);
CREATE INDEX vuln_received_org ON vuln_received (org_id, revoked_at);
