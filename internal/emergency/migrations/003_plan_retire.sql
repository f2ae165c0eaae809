-- A plan no longer in force (replaced by another, its systems decommissioned) is retired:
-- kept as history, no longer counted as covering anything.
ALTER TABLE emergency_plans ADD COLUMN retired_on TEXT NOT NULL DEFAULT '';
ALTER TABLE emergency_plans ADD COLUMN retired_by TEXT NOT NULL DEFAULT '';
ALTER TABLE emergency_plans ADD COLUMN retire_reason TEXT NOT NULL DEFAULT '';
