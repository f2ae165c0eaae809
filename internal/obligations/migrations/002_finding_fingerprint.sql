-- fingerprint of each stored finding, so that a fresh process writes only the findings that differ
ALTER TABLE findings ADD COLUMN fp BIGINT NOT NULL DEFAULT 0;
