-- the app store: the platform's filing and documents, developers and their verification, apps, versions and their reviews, take-downs, the blacklist, the malicious-app list and complaints
CREATE TABLE appstore_platforms (
	org_id BIGINT NOT NULL PRIMARY KEY REFERENCES orgs(id),
	name TEXT NOT NULL,
	online_on TEXT NOT NULL,
	cac_province TEXT NOT NULL DEFAULT '',
	filed_on TEXT NOT NULL DEFAULT '',
	filing_reference TEXT NOT NULL DEFAULT '',
	filing_materials TEXT NOT NULL DEFAULT '',
	complaint_channel TEXT NOT NULL DEFAULT '',
	review_days INTEGER NOT NULL,
	complaint_days INTEGER NOT NULL,
	pi_complaint_days INTEGER NOT NULL,
	policy TEXT NOT NULL DEFAULT '',
	updated_by TEXT NOT NULL,
	updated_at {{ts}} NOT NULL
);

CREATE TABLE appstore_documents (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL,
	version TEXT NOT NULL,
	title TEXT NOT NULL,
	effective_on TEXT NOT NULL,
	sha256 TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX appstore_documents_version ON appstore_documents (org_id, kind, version);

CREATE TABLE appstore_developers (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	uscc TEXT NOT NULL DEFAULT '',
	licence_sha256 TEXT NOT NULL DEFAULT '',
	id_hash TEXT NOT NULL DEFAULT '',
	id_masked TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	phone_verified_at {{ts}},
	state TEXT NOT NULL,
	state_reason TEXT NOT NULL DEFAULT '',
	evidence_sha256 TEXT NOT NULL DEFAULT '',
	verified_by TEXT NOT NULL DEFAULT '',
	verified_at {{ts}},
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX appstore_developers_org ON appstore_developers (org_id, id);

CREATE TABLE appstore_phone_codes (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	developer_id BIGINT NOT NULL REFERENCES appstore_developers(id),
	phone TEXT NOT NULL,
	code_hash TEXT NOT NULL,
	expires_at {{ts}} NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	used_at {{ts}},
	created_at {{ts}} NOT NULL
);
CREATE INDEX appstore_phone_codes_dev ON appstore_phone_codes (org_id, developer_id, id);

CREATE TABLE appstore_apps (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	developer_id BIGINT NOT NULL REFERENCES appstore_developers(id),
	name TEXT NOT NULL,
	package TEXT NOT NULL,
	filing_number TEXT NOT NULL DEFAULT '',
	declared_permissions TEXT NOT NULL DEFAULT '[]',
	data_collected TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX appstore_apps_package ON appstore_apps (org_id, package);

CREATE TABLE appstore_versions (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	app_id BIGINT NOT NULL REFERENCES appstore_apps(id),
	version_name TEXT NOT NULL,
	version_code BIGINT NOT NULL,
	apk_sha256 TEXT NOT NULL,
	cert_sha256 TEXT NOT NULL DEFAULT '',
	cert_md5 TEXT NOT NULL DEFAULT '',
	cert_subject TEXT NOT NULL DEFAULT '',
	min_sdk INTEGER NOT NULL DEFAULT 0,
	target_sdk INTEGER NOT NULL DEFAULT 0,
	permissions TEXT NOT NULL DEFAULT '[]',
	files TEXT NOT NULL DEFAULT '{}',
	auto_result TEXT NOT NULL,
	auto_findings TEXT NOT NULL DEFAULT '[]',
	submitted_by TEXT NOT NULL,
	submitted_at {{ts}} NOT NULL,
	review_due {{ts}} NOT NULL,
	decision TEXT NOT NULL,
	decision_note TEXT NOT NULL DEFAULT '',
	decided_by TEXT NOT NULL DEFAULT '',
	decided_at {{ts}},
	published_at {{ts}},
	removed_at {{ts}}
);
CREATE INDEX appstore_versions_app ON appstore_versions (org_id, app_id, id);

CREATE TABLE appstore_takedowns (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	app_id BIGINT NOT NULL REFERENCES appstore_apps(id),
	reason TEXT NOT NULL,
	legal_basis TEXT NOT NULL,
	notice TEXT NOT NULL,
	malicious BOOLEAN NOT NULL DEFAULT FALSE,
	taken_by TEXT NOT NULL,
	taken_at {{ts}} NOT NULL,
	reinstated_by TEXT NOT NULL DEFAULT '',
	reinstated_at {{ts}},
	reinstate_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX appstore_takedowns_app ON appstore_takedowns (org_id, app_id, id);

CREATE TABLE appstore_blacklist (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	reason TEXT NOT NULL,
	added_by TEXT NOT NULL,
	added_at {{ts}} NOT NULL,
	lifted_by TEXT NOT NULL DEFAULT '',
	lifted_at {{ts}},
	lift_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX appstore_blacklist_value ON appstore_blacklist (org_id, kind, value);

CREATE TABLE appstore_malware (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	label TEXT NOT NULL,
	source TEXT NOT NULL,
	added_by TEXT NOT NULL,
	added_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX appstore_malware_value ON appstore_malware (org_id, kind, value);

CREATE TABLE appstore_complaints (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL,
	app_id BIGINT REFERENCES appstore_apps(id),
	subject TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	contact TEXT NOT NULL DEFAULT '',
	received_at {{ts}} NOT NULL,
	due_at {{ts}} NOT NULL,
	assignee TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	reply TEXT NOT NULL DEFAULT '',
	replied_by TEXT NOT NULL DEFAULT '',
	replied_at {{ts}},
	closed_at {{ts}}
);
CREATE INDEX appstore_complaints_org ON appstore_complaints (org_id, id);
