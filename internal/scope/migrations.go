package scope

import (
	"ciiguard/internal/store"
)

// Migrations create the profile and inventory tables. Dates are TEXT "YYYY-MM-DD" ("" when
// unset): they are calendar days in notices and filings, not instants.
var Migrations = []store.Migration{{
	Module: "scope", Version: 1, Name: "organisation profiles and system inventory",
	SQL: `CREATE TABLE scope_profiles (
	org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
	uscc TEXT NOT NULL DEFAULT '',
	sectors TEXT NOT NULL DEFAULT '[]',
	region TEXT NOT NULL DEFAULT '',
	regulators TEXT NOT NULL DEFAULT '[]',
	central_state_organ BOOLEAN NOT NULL DEFAULT FALSE,
	telecom_operator BOOLEAN NOT NULL DEFAULT FALSE,
	app_store BOOLEAN NOT NULL DEFAULT FALSE,
	security_org_established BOOLEAN NOT NULL DEFAULT FALSE,
	security_manager_appointed BOOLEAN NOT NULL DEFAULT FALSE,
	security_manager_vetted BOOLEAN NOT NULL DEFAULT FALSE,
	pi_subjects BIGINT NOT NULL DEFAULT 0,
	sensitive_pi_subjects BIGINT NOT NULL DEFAULT 0,
	export_pi_subjects BIGINT NOT NULL DEFAULT 0,
	export_sensitive_pi_subjects BIGINT NOT NULL DEFAULT 0,
	exports_important_data BOOLEAN NOT NULL DEFAULT FALSE,
	has_important_data BOOLEAN NOT NULL DEFAULT FALSE,
	has_core_data BOOLEAN NOT NULL DEFAULT FALSE,
	data_security_officer_named BOOLEAN NOT NULL DEFAULT FALSE,
	plans_listing_abroad BOOLEAN NOT NULL DEFAULT FALSE,
	last_risk_assessment TEXT NOT NULL DEFAULT '',
	last_pi_self_inspection TEXT NOT NULL DEFAULT '',
	updated_at {{ts}} NOT NULL
);
CREATE TABLE scope_systems (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	name TEXT NOT NULL,
	name_en TEXT NOT NULL DEFAULT '',
	owner TEXT NOT NULL DEFAULT '',
	responsible_person TEXT NOT NULL DEFAULT '',
	sector TEXT NOT NULL,
	purpose TEXT NOT NULL DEFAULT '',
	location TEXT NOT NULL DEFAULT '',
	data_held TEXT NOT NULL DEFAULT '',
	mlps_level INTEGER NOT NULL DEFAULT 0,
	graded_on TEXT NOT NULL DEFAULT '',
	go_live TEXT NOT NULL DEFAULT '',
	filing_number TEXT NOT NULL DEFAULT '',
	filed_on TEXT NOT NULL DEFAULT '',
	last_mlps_test TEXT NOT NULL DEFAULT '',
	last_self_inspection TEXT NOT NULL DEFAULT '',
	cii_status TEXT NOT NULL DEFAULT 'none',
	identified_on TEXT NOT NULL DEFAULT '',
	identification_doc TEXT NOT NULL DEFAULT '',
	deidentified_on TEXT NOT NULL DEFAULT '',
	deidentification_doc TEXT NOT NULL DEFAULT '',
	major_change_on TEXT NOT NULL DEFAULT '',
	holds_personal_info BOOLEAN NOT NULL DEFAULT FALSE,
	holds_important_data BOOLEAN NOT NULL DEFAULT FALSE,
	data_stored_abroad BOOLEAN NOT NULL DEFAULT FALSE,
	maintenance_abroad BOOLEAN NOT NULL DEFAULT FALSE,
	maintenance_abroad_reported BOOLEAN NOT NULL DEFAULT FALSE,
	has_dr_backup BOOLEAN NOT NULL DEFAULT FALSE,
	last_backup_test TEXT NOT NULL DEFAULT '',
	has_emergency_plan BOOLEAN NOT NULL DEFAULT FALSE,
	last_drill TEXT NOT NULL DEFAULT '',
	assessment TEXT NOT NULL DEFAULT '',
	assessment_sha256 TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX scope_systems_name ON scope_systems (org_id, name);
CREATE INDEX scope_systems_level ON scope_systems (org_id, mlps_level)`,
}, {
	// Lists sort system names the way a Chinese reader looks for them, by pinyin: the
	// collation key is computed in Go (collate), stored, and compared bytewise by either
	// engine. Rows from before this step get their key at start-up (BackfillSortKeys).
	Module: "scope", Version: 2, Name: "pinyin sort key for system names",
	SQL: `ALTER TABLE scope_systems ADD COLUMN sort_key {{blob}};
CREATE INDEX scope_systems_sort ON scope_systems (org_id, sort_key)`,
}}
