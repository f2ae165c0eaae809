-- maintenance from abroad that reaches personal information or important data, linked to the
-- data capability's transfer that carries it; the four-eyes approval of pre-use assessments
ALTER TABLE supplier_maintenance ADD COLUMN data_access TEXT NOT NULL DEFAULT '[]';
ALTER TABLE supplier_maintenance ADD COLUMN transfer_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE supplier_assessments ADD COLUMN high_findings INTEGER NOT NULL DEFAULT 0;
ALTER TABLE supplier_assessments ADD COLUMN created_by_user BIGINT NOT NULL DEFAULT 0;
ALTER TABLE supplier_assessments ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
ALTER TABLE supplier_assessments ADD COLUMN approved_at {{ts}};
ALTER TABLE supplier_assessments ADD COLUMN accepted_reason TEXT NOT NULL DEFAULT '';
