-- the day each asset's retention ends, and deletions of personal information with their proof
ALTER TABLE data_assets ADD COLUMN retention_ends_on TEXT NOT NULL DEFAULT '';

CREATE TABLE data_deletions (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	asset_id BIGINT NOT NULL REFERENCES data_assets(id),
	deleted_on TEXT NOT NULL,
	what TEXT NOT NULL,
	deleted_by TEXT NOT NULL,
	method TEXT NOT NULL,
	evidence_sha256 TEXT NOT NULL,
	evidence_uploaded BOOLEAN NOT NULL DEFAULT FALSE,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX data_deletions_org ON data_deletions (org_id, asset_id);
