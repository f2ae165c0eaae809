-- the regulator's own settings: when the yearly security test and risk assessment report falls due
CREATE TABLE oversight_settings (
	org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
	annual_day TEXT NOT NULL DEFAULT '',
	set_by TEXT NOT NULL DEFAULT '',
	set_at {{ts}} NOT NULL
);
