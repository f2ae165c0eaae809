-- audit trail
CREATE TABLE audit_log (
	seq BIGINT PRIMARY KEY,
	at {{ts}} NOT NULL,
	org_id BIGINT NOT NULL,
	actor_user_id BIGINT NOT NULL,
	actor TEXT NOT NULL,
	entity TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	action TEXT NOT NULL,
	before_sha256 TEXT NOT NULL,
	after_sha256 TEXT NOT NULL,
	detail TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log (org_id, seq);
CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
