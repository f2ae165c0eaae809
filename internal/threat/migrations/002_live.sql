-- the live sweep's position in each organisation's vault: the events with a sequence number
-- at or past swept have not been matched yet
CREATE TABLE threat_live (
	org_id BIGINT NOT NULL REFERENCES orgs(id) PRIMARY KEY,
	swept BIGINT NOT NULL,
	updated_at {{ts}} NOT NULL
);
