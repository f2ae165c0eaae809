-- framework controls indexed in document order
-- A framework's controls are read a page at a time (seq >= cursor ORDER BY seq) and a
-- replaced set is removed a chunk at a time in seq order. Without this index each page or
-- chunk read and sorted every control of the framework: paging through or replacing
-- 20,000 controls did 80 such passes.
CREATE INDEX framework_controls_seq ON framework_controls (org_id, framework_id, seq);
