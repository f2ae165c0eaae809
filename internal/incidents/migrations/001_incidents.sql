-- incidents, their reports (versioned), timeline and evidence
CREATE TABLE incidents (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	type TEXT NOT NULL,
	subtype TEXT NOT NULL,
	ransom TEXT NOT NULL DEFAULT '',
	started_at {{ts}},
	detected_at {{ts}} NOT NULL,
	place TEXT NOT NULL DEFAULT '',
	systems TEXT NOT NULL DEFAULT '[]',
	impact TEXT NOT NULL DEFAULT '{}',
	measures TEXT NOT NULL DEFAULT '',
	reporter TEXT NOT NULL DEFAULT '',
	suspected_crime BOOLEAN NOT NULL DEFAULT FALSE,
	computed_grade INTEGER NOT NULL,
	criterion TEXT NOT NULL DEFAULT '',
	raised_grade INTEGER NOT NULL DEFAULT 0,
	raise_reason TEXT NOT NULL DEFAULT '',
	route TEXT NOT NULL,
	status TEXT NOT NULL,
	handled_at {{ts}},
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX incidents_org ON incidents (org_id, id);

CREATE TABLE incident_reports (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	incident_id BIGINT NOT NULL REFERENCES incidents(id),
	kind TEXT NOT NULL,
	number INTEGER NOT NULL,
	version INTEGER NOT NULL,
	content TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	sent_at {{ts}},
	recorded_at {{ts}},
	sent_by TEXT NOT NULL DEFAULT '',
	sent_to TEXT NOT NULL DEFAULT '[]',
	channel TEXT NOT NULL DEFAULT '',
	receipt_sha256 TEXT NOT NULL DEFAULT '',
	due_at {{ts}},
	on_time BOOLEAN NOT NULL DEFAULT FALSE,
	minutes_late BIGINT NOT NULL DEFAULT 0,
	UNIQUE (org_id, incident_id, kind, number, version)
);

CREATE TABLE incident_timeline (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	incident_id BIGINT NOT NULL REFERENCES incidents(id),
	at {{ts}} NOT NULL,
	actor TEXT NOT NULL,
	event TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incident_timeline_incident ON incident_timeline (org_id, incident_id, id);

CREATE TABLE incident_evidence (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	incident_id BIGINT NOT NULL REFERENCES incidents(id),
	sha256 TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	added_by TEXT NOT NULL,
	added_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, incident_id, sha256)
);
