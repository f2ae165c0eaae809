-- data assets, transfers abroad with their batches, mechanisms, impact assessments, and the profile's export numbers carried over
CREATE TABLE data_assets (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	name TEXT NOT NULL,
	department TEXT NOT NULL DEFAULT '',
	systems TEXT NOT NULL DEFAULT '[]',
	categories TEXT NOT NULL DEFAULT '[]',
	sensitive_kinds TEXT NOT NULL DEFAULT '[]',
	people BIGINT NOT NULL DEFAULT 0,
	volume TEXT NOT NULL DEFAULT '',
	locations TEXT NOT NULL DEFAULT '[]',
	retention TEXT NOT NULL DEFAULT '',
	legal_basis TEXT NOT NULL DEFAULT '',
	purposes TEXT NOT NULL DEFAULT '',
	designation TEXT NOT NULL DEFAULT '',
	level TEXT NOT NULL,
	level_reason TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX data_assets_org ON data_assets (org_id, id);

CREATE TABLE data_transfers (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	recipient TEXT NOT NULL,
	recipient_country TEXT NOT NULL,
	recipient_role TEXT NOT NULL,
	assets TEXT NOT NULL DEFAULT '[]',
	fields TEXT NOT NULL DEFAULT '',
	purpose TEXT NOT NULL DEFAULT '',
	frequency TEXT NOT NULL,
	start_on TEXT NOT NULL,
	exemption TEXT NOT NULL DEFAULT '',
	relies_on_consent BOOLEAN NOT NULL DEFAULT FALSE,
	consent_method TEXT NOT NULL DEFAULT '',
	consent_on TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX data_transfers_org ON data_transfers (org_id, id);

CREATE TABLE data_batches (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	transfer_id BIGINT NOT NULL REFERENCES data_transfers(id),
	sent_on TEXT NOT NULL,
	people BIGINT NOT NULL DEFAULT 0,
	sensitive BIGINT NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL
);
CREATE INDEX data_batches_org ON data_batches (org_id, transfer_id);

CREATE TABLE data_mechanisms (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	transfer_id BIGINT NOT NULL REFERENCES data_transfers(id),
	kind TEXT NOT NULL,
	effective_on TEXT NOT NULL DEFAULT '',
	filed_on TEXT NOT NULL DEFAULT '',
	filing_ref TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	certificate TEXT NOT NULL DEFAULT '',
	issued_on TEXT NOT NULL DEFAULT '',
	expires_on TEXT NOT NULL DEFAULT '',
	applied_on TEXT NOT NULL DEFAULT '',
	result TEXT NOT NULL DEFAULT '',
	result_on TEXT NOT NULL DEFAULT '',
	extension_applied_on TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX data_mechanisms_org ON data_mechanisms (org_id, transfer_id);

CREATE TABLE data_pipias (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	transfer_id BIGINT NOT NULL REFERENCES data_transfers(id),
	assessed_on TEXT NOT NULL,
	purpose_necessity TEXT NOT NULL,
	rights_impact TEXT NOT NULL,
	security_measures TEXT NOT NULL,
	country_risks TEXT NOT NULL,
	approver TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX data_pipias_org ON data_pipias (org_id, transfer_id);

-- The organisation profile's typed-in export numbers, carried over by step 2: they count,
-- beside what the transfers give, until someone retires them.
CREATE TABLE data_declarations (
	org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
	export_pi_subjects BIGINT NOT NULL DEFAULT 0,
	export_sensitive_pi_subjects BIGINT NOT NULL DEFAULT 0,
	exports_important_data BOOLEAN NOT NULL DEFAULT FALSE,
	migrated_at {{ts}} NOT NULL,
	retired_at {{ts}},
	retired_by TEXT NOT NULL DEFAULT ''
);
