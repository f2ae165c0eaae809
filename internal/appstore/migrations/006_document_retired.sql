-- a platform document retired with a reason (withdrawn, not replaced): it stays listed as history and no longer counts as in effect
ALTER TABLE appstore_documents ADD COLUMN retired_at {{ts}};
ALTER TABLE appstore_documents ADD COLUMN retired_by TEXT NOT NULL DEFAULT '';
ALTER TABLE appstore_documents ADD COLUMN retire_reason TEXT NOT NULL DEFAULT '';
