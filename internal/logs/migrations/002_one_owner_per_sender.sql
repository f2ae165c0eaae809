-- one owner per syslog sender network
CREATE TABLE log_senders (
	network TEXT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	created_at {{ts}} NOT NULL,
	created_by TEXT NOT NULL,
	confirmed_by TEXT NOT NULL
);
CREATE INDEX log_senders_org ON log_senders (org_id);
INSERT INTO log_senders (network, org_id, created_at, created_by, confirmed_by)
	SELECT s.sender, s.org_id, s.created_at, s.created_by, ''
	FROM log_sources s
	WHERE s.kind <> 'http' AND s.id = (SELECT MIN(o.id) FROM log_sources o WHERE o.kind <> 'http' AND o.sender = s.sender);
