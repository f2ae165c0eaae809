-- A lease names one thing that one node at a time may do (be the writer of an
-- organisation's log, run a singleton job). The row is never deleted, so its fencing
-- token only grows: every acquisition adds one, and a writer that checks its token inside
-- its transaction cannot write after another node has taken the lease over.
-- expires_ms is milliseconds since 1970 on the clock of the store (PostgreSQL's, so that
-- nodes whose clocks differ still agree on when a lease has run out).
CREATE TABLE cluster_leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  token BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL
);
-- The last period each singleton job finished, written with the fencing check of the job's
-- lease, so a period runs once across the cluster.
CREATE TABLE cluster_jobs (
  name TEXT PRIMARY KEY,
  period TEXT NOT NULL,
  node TEXT NOT NULL,
  done_ms BIGINT NOT NULL
);
