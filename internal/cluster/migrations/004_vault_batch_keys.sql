-- the batch keys of an organisation's log that outlive their frames
-- A sender that retries a batch (its answer lost to a failover) sends the same batch key,
-- and the writer stores the batch once. A key is written in the frame row of its batch;
-- when those rows are dropped (their segment is in object storage) the writer stores
-- every key still in its window here, in the same transaction, under the lease's fencing
-- check: one row per organisation, the vault's keys frame encoding.
CREATE TABLE vault_batch_keys (
  org_id BIGINT PRIMARY KEY,
  at_seq BIGINT NOT NULL,
  token BIGINT NOT NULL,
  frames {{blob}} NOT NULL
);
