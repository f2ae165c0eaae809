-- emergency plans, drills, backup and recovery tests, and each organisation's cadences
CREATE TABLE emergency_settings (
	org_id BIGINT PRIMARY KEY,
	review_months INTEGER NOT NULL,
	drill_cadence_days INTEGER NOT NULL,
	backup_test_cadence_days INTEGER NOT NULL
);
CREATE TABLE emergency_plans (
	id {{id}},
	org_id BIGINT NOT NULL,
	title TEXT NOT NULL,
	version TEXT NOT NULL,
	systems TEXT NOT NULL,
	contacts TEXT NOT NULL,
	approved_by TEXT NOT NULL,
	approved_on TEXT NOT NULL,
	review_on TEXT NOT NULL,
	revised_after_drill BIGINT NOT NULL,
	imported BOOLEAN NOT NULL,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX emergency_plans_org ON emergency_plans (org_id);
CREATE TABLE emergency_drills (
	id {{id}},
	org_id BIGINT NOT NULL,
	held_on TEXT NOT NULL,
	scenario TEXT NOT NULL,
	systems TEXT NOT NULL,
	participants TEXT NOT NULL,
	findings TEXT NOT NULL,
	plan_id BIGINT NOT NULL,
	revision_needed BOOLEAN NOT NULL,
	imported BOOLEAN NOT NULL,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX emergency_drills_org ON emergency_drills (org_id, held_on);
CREATE TABLE emergency_backup_tests (
	id {{id}},
	org_id BIGINT NOT NULL,
	systems TEXT NOT NULL,
	location TEXT NOT NULL,
	in_china BOOLEAN NOT NULL,
	tested_on TEXT NOT NULL,
	rpo_target_min BIGINT NOT NULL,
	rto_target_min BIGINT NOT NULL,
	rpo_achieved_min BIGINT NOT NULL,
	rto_achieved_min BIGINT NOT NULL,
	notes TEXT NOT NULL,
	imported BOOLEAN NOT NULL,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX emergency_backup_tests_org ON emergency_backup_tests (org_id, tested_on);
