-- a malicious app's take-down shared with the regulator as STIX indicators: when, by whom, to which department, how many
ALTER TABLE appstore_takedowns ADD COLUMN shared_at {{ts}};
ALTER TABLE appstore_takedowns ADD COLUMN shared_by TEXT NOT NULL DEFAULT '';
ALTER TABLE appstore_takedowns ADD COLUMN shared_to TEXT NOT NULL DEFAULT '';
ALTER TABLE appstore_takedowns ADD COLUMN shared_indicators INTEGER NOT NULL DEFAULT 0;
