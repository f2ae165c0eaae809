-- receipt look-ups on the public complaint pages in the last hour, by remote address, so that nobody can try receipt numbers at speed
CREATE TABLE appstore_public_lookups (
	id {{id}},
	ip TEXT NOT NULL,
	at {{ts}} NOT NULL
);
CREATE INDEX appstore_public_lookups_ip ON appstore_public_lookups (ip, at);
