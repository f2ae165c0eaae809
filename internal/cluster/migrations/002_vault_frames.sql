-- write-ahead frames of the log vault, kept where the next writer finds them
-- One row is one group commit of an organisation's log: the vault's own frame encoding
-- (checksums included) of n events from first_seq, written under the fencing check of
-- the organisation's writer lease (vault:org:ID) with its token. Rows are deleted once a
-- segment holding their events is in object storage.
CREATE TABLE vault_frames (
  org_id BIGINT NOT NULL,
  first_seq BIGINT NOT NULL,
  n BIGINT NOT NULL,
  token BIGINT NOT NULL,
  frames {{blob}} NOT NULL,
  PRIMARY KEY (org_id, first_seq)
);
