-- evidence files
CREATE TABLE evidence_files (
	id {{id}},
	org_id BIGINT NOT NULL,
	sha256 TEXT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	uploaded_by TEXT NOT NULL,
	uploaded_at {{ts}} NOT NULL,
	UNIQUE (org_id, sha256)
);
