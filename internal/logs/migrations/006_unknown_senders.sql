-- Syslog senders refused because no source is registered for their address, merged over
-- the installation's nodes: each node adds what its listeners refused since its last flush,
-- so the sources page shows a sender whichever node it sends to.
CREATE TABLE log_unknown_senders (
	address TEXT NOT NULL,
	transport TEXT NOT NULL,
	refused BIGINT NOT NULL,
	first_seen {{ts}} NOT NULL,
	last_seen {{ts}} NOT NULL,
	sample TEXT NOT NULL,
	PRIMARY KEY (address, transport)
);
CREATE INDEX log_unknown_senders_last ON log_unknown_senders (last_seen);
