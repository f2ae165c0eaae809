-- pinyin sort key for system names
ALTER TABLE scope_systems ADD COLUMN sort_key {{blob}};
CREATE INDEX scope_systems_sort ON scope_systems (org_id, sort_key);
