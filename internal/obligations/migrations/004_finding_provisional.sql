-- a deadline counted in working days through a year whose holiday schedule is not loaded
-- (rules.Finding.Provisional): kept with the finding so lists and the API can say so
ALTER TABLE findings ADD COLUMN provisional BOOLEAN NOT NULL DEFAULT FALSE;
