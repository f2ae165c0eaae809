-- log sources, retention, holds, purges
CREATE TABLE log_sources (
	id {{id}},
	org_id BIGINT NOT NULL,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	sender TEXT NOT NULL,
	token_id BIGINT NOT NULL,
	created_at {{ts}} NOT NULL,
	created_by TEXT NOT NULL,
	last_event_at {{ts}},
	event_count BIGINT NOT NULL,
	UNIQUE (org_id, name)
);
CREATE INDEX log_sources_token ON log_sources (token_id);
CREATE TABLE log_retention (
	org_id BIGINT PRIMARY KEY,
	days INTEGER NOT NULL,
	updated_at {{ts}} NOT NULL,
	updated_by TEXT NOT NULL
);
CREATE TABLE log_holds (
	id {{id}},
	org_id BIGINT NOT NULL,
	from_at {{ts}},
	to_at {{ts}},
	source_id BIGINT NOT NULL,
	reason TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	created_by TEXT NOT NULL,
	released_at {{ts}},
	released_by TEXT NOT NULL
);
CREATE INDEX log_holds_org ON log_holds (org_id, id);
CREATE TABLE log_purges (
	id {{id}},
	org_id BIGINT NOT NULL,
	at {{ts}} NOT NULL,
	cutoff {{ts}} NOT NULL,
	segments INTEGER NOT NULL,
	events BIGINT NOT NULL,
	bytes_freed BIGINT NOT NULL,
	held_segments INTEGER NOT NULL,
	actor TEXT NOT NULL
);
CREATE INDEX log_purges_org ON log_purges (org_id, id);
