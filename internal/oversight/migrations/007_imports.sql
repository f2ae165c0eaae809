-- signed report bundles an operator filed outside ciiguard, imported and verified by the department (federation without a network link)
CREATE TABLE oversight_imports (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	entry_id BIGINT NOT NULL,
	kind TEXT NOT NULL,
	year BIGINT NOT NULL,
	version BIGINT NOT NULL,
	uscc TEXT NOT NULL,
	name_zh TEXT NOT NULL,
	name_en TEXT NOT NULL DEFAULT '',
	signed_off_by TEXT NOT NULL,
	content TEXT NOT NULL,
	content_sha256 TEXT NOT NULL,
	pdf {{blob}} NOT NULL,
	pdf_sha256 TEXT NOT NULL,
	public_key TEXT NOT NULL,
	key_fingerprint TEXT NOT NULL,
	bundle_created {{ts}} NOT NULL,
	imported_by TEXT NOT NULL,
	imported_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX oversight_imports_content ON oversight_imports (org_id, entry_id, content_sha256);
