-- the organisation's policy on approving a purchase whose product lacks its certificate:
-- no row means the default, block (certgate.go)
CREATE TABLE review_policy (
	org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
	cert_gate TEXT NOT NULL,
	reason TEXT NOT NULL,
	changed_by TEXT NOT NULL,
	changed_at {{ts}} NOT NULL
);
