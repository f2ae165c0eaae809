-- a notification addressed to named operators instead of every operator of its sectors
-- (TLP:RED must be): only those operators received it
ALTER TABLE threat_notifications ADD COLUMN named BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE threat_inbox ADD COLUMN named BOOLEAN NOT NULL DEFAULT FALSE;
