-- remediation tasks, their comments and their evidence
CREATE TABLE tasks (
	id {{id}},
	org_id BIGINT NOT NULL,
	obligation_id TEXT NOT NULL,
	subject_kind TEXT NOT NULL,
	subject_id TEXT NOT NULL,
	title TEXT NOT NULL,
	owner_id BIGINT NOT NULL,
	due {{ts}} NOT NULL,
	status TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	closed_at {{ts}},
	attestation_id BIGINT NOT NULL
);
CREATE INDEX tasks_owner ON tasks (org_id, owner_id, status);
CREATE INDEX tasks_subject ON tasks (org_id, subject_kind, subject_id);
CREATE TABLE task_comments (
	id {{id}},
	org_id BIGINT NOT NULL,
	task_id BIGINT NOT NULL,
	author TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX task_comments_task ON task_comments (org_id, task_id);
CREATE TABLE task_evidence (
	org_id BIGINT NOT NULL,
	task_id BIGINT NOT NULL,
	sha256 TEXT NOT NULL,
	name TEXT NOT NULL,
	added_by TEXT NOT NULL,
	added_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, task_id, sha256)
);
