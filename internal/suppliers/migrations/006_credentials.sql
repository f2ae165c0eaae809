-- a supplier organisation's certificates and cybersecurity review outcomes for its own products, and their sharing with the operators it supplies: the share in the supplier's tenant, the receipt in the operator's
CREATE TABLE supplier_credentials (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL,
	product TEXT NOT NULL,
	version TEXT NOT NULL DEFAULT '',
	number TEXT NOT NULL,
	body TEXT NOT NULL,
	scope TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL DEFAULT '',
	dated {{ts}} NOT NULL,
	expires {{ts}},
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX supplier_credentials_org ON supplier_credentials (org_id, id);

CREATE TABLE credential_shares (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	credential_id BIGINT NOT NULL REFERENCES supplier_credentials(id),
	operator_id BIGINT NOT NULL REFERENCES orgs(id),
	shared_by TEXT NOT NULL,
	shared_at {{ts}} NOT NULL,
	revoked_by TEXT NOT NULL DEFAULT '',
	revoked_at {{ts}}
);
CREATE INDEX credential_shares_org ON credential_shares (org_id, credential_id);

CREATE TABLE credentials_received (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	supplier_org_id BIGINT NOT NULL REFERENCES orgs(id),
	share_id BIGINT NOT NULL REFERENCES credential_shares(id),
	credential_id BIGINT NOT NULL,
	shared_at {{ts}} NOT NULL,
	revoked_at {{ts}}
);
CREATE INDEX credentials_received_org ON credentials_received (org_id, revoked_at);
