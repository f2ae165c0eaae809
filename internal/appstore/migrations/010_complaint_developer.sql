-- the developer a complaint is about (named in it, or the developer of its app); 0 when none
ALTER TABLE appstore_complaints ADD COLUMN developer_id BIGINT NOT NULL DEFAULT 0;
