-- tasks linked to another capability's record (a drill's follow-up, an incident's remediation)
ALTER TABLE tasks ADD COLUMN link TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN link_path TEXT NOT NULL DEFAULT '';
CREATE INDEX tasks_link ON tasks (org_id, link);
