-- The sign-in limiter's count per pair of account and address, shared by every node on
-- the store (the in-process Limiter alone multiplied the allowance by the node count, and
-- forgot it at every restart). attempts counts failures plus attempts reserved and not
-- yet decided; reserved_ms is the latest reservation, so that one a node never decided
-- (it stopped) stops counting after a while. Times are milliseconds since 1970.
CREATE TABLE signin_pairs (
	account TEXT NOT NULL,
	addr TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	failures INTEGER NOT NULL,
	last_ms BIGINT NOT NULL,
	reserved_ms BIGINT NOT NULL,
	PRIMARY KEY (account, addr)
);
CREATE INDEX signin_pairs_last ON signin_pairs (last_ms);
