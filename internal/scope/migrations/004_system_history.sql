-- history of MLPS grading and CII status
CREATE TABLE scope_system_history (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	system_id BIGINT NOT NULL,
	at {{ts}} NOT NULL,
	actor TEXT NOT NULL,
	kind TEXT NOT NULL,
	changes TEXT NOT NULL
);
CREATE INDEX scope_system_history_system ON scope_system_history (org_id, system_id, id);
