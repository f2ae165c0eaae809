-- threat information: collections, indicators, the regulator's notifications and the operators' inbox, feed imports, retro-hunts, hits and sightings shared back
CREATE TABLE threat_collections (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	code TEXT NOT NULL,
	name_zh TEXT NOT NULL,
	name_en TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, code)
);

CREATE TABLE threat_indicators (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	collection TEXT NOT NULL,
	stix_id TEXT NOT NULL,
	stix_json TEXT NOT NULL,
	pattern TEXT NOT NULL,
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	confidence INTEGER,
	tlp TEXT NOT NULL DEFAULT '',
	valid_from {{ts}} NOT NULL,
	valid_until {{ts}},
	source TEXT NOT NULL,
	inbox_id BIGINT,
	created_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX threat_indicators_stix ON threat_indicators (org_id, stix_id);
CREATE INDEX threat_indicators_active ON threat_indicators (org_id, valid_until);

-- the regulator's own record of what it published (org_id is the regulator)
CREATE TABLE threat_notifications (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	stix_id TEXT NOT NULL,
	title_zh TEXT NOT NULL,
	title_en TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	severity TEXT NOT NULL,
	sectors TEXT NOT NULL,
	actions TEXT NOT NULL,
	deadline {{ts}} NOT NULL,
	tlp TEXT NOT NULL,
	bundle TEXT NOT NULL,
	indicators INTEGER NOT NULL,
	recipients INTEGER NOT NULL,
	published_by TEXT NOT NULL,
	published_at {{ts}} NOT NULL
);
CREATE INDEX threat_notifications_org ON threat_notifications (org_id, id);

-- one row per recipient, in the regulator's tenant: what each operator did with it
CREATE TABLE threat_recipients (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	notification_id BIGINT NOT NULL,
	operator_id BIGINT NOT NULL REFERENCES orgs(id),
	operator_zh TEXT NOT NULL,
	operator_en TEXT NOT NULL,
	acknowledged_at {{ts}},
	answered_at {{ts}},
	answer TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (org_id, notification_id, operator_id)
);

-- the operator's inbox: its copy of each notification it received
CREATE TABLE threat_inbox (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	regulator_id BIGINT NOT NULL REFERENCES orgs(id),
	regulator_zh TEXT NOT NULL,
	regulator_en TEXT NOT NULL,
	notification_id BIGINT NOT NULL,
	stix_id TEXT NOT NULL,
	title_zh TEXT NOT NULL,
	title_en TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	severity TEXT NOT NULL,
	sectors TEXT NOT NULL,
	actions TEXT NOT NULL,
	deadline {{ts}} NOT NULL,
	tlp TEXT NOT NULL,
	published_at {{ts}} NOT NULL,
	acknowledged_at {{ts}},
	acknowledged_by TEXT NOT NULL DEFAULT '',
	answered_at {{ts}},
	answered_by TEXT NOT NULL DEFAULT '',
	answer TEXT NOT NULL DEFAULT ''
);
CREATE INDEX threat_inbox_org ON threat_inbox (org_id, id);

CREATE TABLE threat_imports (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	format TEXT NOT NULL,
	collection TEXT NOT NULL,
	tlp TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	sha256 TEXT NOT NULL,
	lines INTEGER NOT NULL,
	good INTEGER NOT NULL,
	bad INTEGER NOT NULL,
	items TEXT NOT NULL,
	problems TEXT NOT NULL,
	state TEXT NOT NULL,
	added INTEGER NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	committed_at {{ts}}
);
CREATE INDEX threat_imports_org ON threat_imports (org_id, id);

CREATE TABLE threat_hunts (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	cause TEXT NOT NULL,
	indicators TEXT NOT NULL,
	range_from {{ts}} NOT NULL,
	range_to {{ts}} NOT NULL,
	state TEXT NOT NULL,
	scanned BIGINT NOT NULL DEFAULT 0,
	total BIGINT NOT NULL DEFAULT 0,
	hits INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL,
	started_at {{ts}},
	finished_at {{ts}}
);
CREATE INDEX threat_hunts_state ON threat_hunts (state, id);
CREATE INDEX threat_hunts_org ON threat_hunts (org_id, id);

CREATE TABLE threat_hits (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	indicator_id BIGINT NOT NULL,
	hunt_id BIGINT NOT NULL,
	event_seq BIGINT NOT NULL,
	event TEXT NOT NULL,
	proof TEXT NOT NULL,
	first_seen {{ts}} NOT NULL,
	last_seen {{ts}} NOT NULL,
	seen_count INTEGER NOT NULL,
	incident_id BIGINT,
	incident_path TEXT NOT NULL DEFAULT '',
	triage TEXT NOT NULL DEFAULT '',
	triage_note TEXT NOT NULL DEFAULT '',
	triaged_by TEXT NOT NULL DEFAULT '',
	triaged_at {{ts}},
	shared_at {{ts}},
	created_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX threat_hits_indicator ON threat_hits (org_id, indicator_id);

-- sightings an operator shared back, in the regulator's tenant
CREATE TABLE threat_sightings (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	operator_id BIGINT NOT NULL REFERENCES orgs(id),
	operator_zh TEXT NOT NULL,
	operator_en TEXT NOT NULL,
	notification_id BIGINT,
	indicator_value TEXT NOT NULL,
	first_seen {{ts}} NOT NULL,
	last_seen {{ts}} NOT NULL,
	seen_count INTEGER NOT NULL,
	sighting TEXT NOT NULL,
	shared_by TEXT NOT NULL,
	shared_at {{ts}} NOT NULL
);
CREATE INDEX threat_sightings_org ON threat_sightings (org_id, id);

CREATE TABLE threat_settings (
	org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
	triage_hours INTEGER NOT NULL
);
