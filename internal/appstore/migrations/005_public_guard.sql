-- the public complaint form's guard, kept in the records store so that a restart forgets nothing and every process behind a balancer counts the same: the key that signs its challenges, the challenges spent, the complaints admitted in the last hour
CREATE TABLE appstore_public_key (
	id INTEGER NOT NULL PRIMARY KEY,
	key_hex TEXT NOT NULL
);
CREATE TABLE appstore_public_spent (
	challenge TEXT NOT NULL PRIMARY KEY,
	expires_at {{ts}} NOT NULL
);
CREATE TABLE appstore_public_hits (
	id {{id}},
	org_id BIGINT NOT NULL,
	ip TEXT NOT NULL,
	at {{ts}} NOT NULL
);
CREATE INDEX appstore_public_hits_ip ON appstore_public_hits (ip, at);
CREATE INDEX appstore_public_hits_org ON appstore_public_hits (org_id, at);
