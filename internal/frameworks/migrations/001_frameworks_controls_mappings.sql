-- frameworks, controls, mappings
CREATE TABLE frameworks (
	org_id BIGINT NOT NULL,
	id TEXT NOT NULL,
	title TEXT NOT NULL,
	version TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	controls INTEGER NOT NULL,
	uploaded_by TEXT NOT NULL,
	uploaded_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, id)
);
CREATE TABLE framework_controls (
	org_id BIGINT NOT NULL,
	framework_id TEXT NOT NULL,
	id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	label TEXT NOT NULL,
	title TEXT NOT NULL,
	grp TEXT NOT NULL,
	parent TEXT NOT NULL,
	statement TEXT NOT NULL,
	PRIMARY KEY (org_id, framework_id, id)
);
CREATE TABLE framework_mappings (
	org_id BIGINT NOT NULL,
	framework_id TEXT NOT NULL,
	control_id TEXT NOT NULL,
	obligation_id TEXT NOT NULL,
	relation TEXT NOT NULL,
	note TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, framework_id, control_id, obligation_id)
);
CREATE INDEX framework_mappings_obligation ON framework_mappings (org_id, obligation_id);
