-- personal-information leaks recorded against data assets, with the incident each opened
CREATE TABLE data_leaks (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	asset_id BIGINT NOT NULL REFERENCES data_assets(id),
	detected_at {{ts}} NOT NULL,
	people BIGINT NOT NULL,
	sensitive BOOLEAN NOT NULL DEFAULT FALSE,
	description TEXT NOT NULL,
	incident_id BIGINT NOT NULL DEFAULT 0,
	incident_path TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX data_leaks_org ON data_leaks (org_id, asset_id);
