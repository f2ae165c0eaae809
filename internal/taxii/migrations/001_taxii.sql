-- TAXII 2.1: objects posted to a sharing group's collection, the status of each POST, and the client's cursors
-- a sharing group is hosted by a regulator: org_id is the regulator, poster_id who posted
CREATE TABLE taxii_objects (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	poster_id BIGINT NOT NULL REFERENCES orgs(id),
	stix_id TEXT NOT NULL,
	stix_type TEXT NOT NULL,
	version TEXT NOT NULL,
	spec_version TEXT NOT NULL,
	tlp TEXT NOT NULL,
	body TEXT NOT NULL,
	date_added {{ts}} NOT NULL
);
CREATE UNIQUE INDEX taxii_objects_version ON taxii_objects (org_id, stix_id, version);
CREATE INDEX taxii_objects_added ON taxii_objects (org_id, date_added);

-- the status resource of a POST (TAXII 2.1 §4.3), in the poster's tenant
CREATE TABLE taxii_status (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	id TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, id)
);

-- the client's position in each remote collection it polls: the added_after of the run
-- under way, the next token of its last page, the latest date_added seen
CREATE TABLE taxii_cursors (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	source TEXT NOT NULL,
	added_after TEXT NOT NULL DEFAULT '',
	next TEXT NOT NULL DEFAULT '',
	last_added TEXT NOT NULL DEFAULT '',
	objects BIGINT NOT NULL DEFAULT 0,
	updated_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, source)
);
