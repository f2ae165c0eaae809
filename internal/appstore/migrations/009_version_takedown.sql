-- one version of an app taken down (an update found non-compliant) while the app and its other versions stay on sale; 0 is the whole app
ALTER TABLE appstore_takedowns ADD COLUMN version_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE appstore_takedowns ADD COLUMN version_name TEXT NOT NULL DEFAULT '';
