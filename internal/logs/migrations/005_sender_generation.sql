-- The generation of the syslog sender table: every change of sources or networks adds
-- one in its transaction, and a node that serves the same store beside the one that made
-- the change sees it move and reloads its in-memory table (several nodes on PostgreSQL).
CREATE TABLE log_sender_generation (
	id INTEGER PRIMARY KEY,
	gen BIGINT NOT NULL
);
INSERT INTO log_sender_generation (id, gen) VALUES (1, 0);
