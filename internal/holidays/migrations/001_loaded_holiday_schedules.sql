-- loaded holiday schedules
CREATE TABLE holiday_schedules (
	year INTEGER PRIMARY KEY,
	yaml TEXT NOT NULL,
	source TEXT NOT NULL,
	loaded_by TEXT NOT NULL,
	loaded_at {{ts}} NOT NULL
);
