-- procurements, review cases and the history of their states
CREATE TABLE review_procurements (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	title TEXT NOT NULL,
	product_id BIGINT NOT NULL DEFAULT 0,
	product TEXT NOT NULL,
	product_type TEXT NOT NULL,
	supplier TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL DEFAULT '',
	systems TEXT NOT NULL DEFAULT '[]',
	amount_rmb BIGINT NOT NULL,
	assessment TEXT NOT NULL DEFAULT '{}',
	required BOOLEAN NOT NULL,
	case_id BIGINT NOT NULL DEFAULT 0,
	status TEXT NOT NULL,
	approved_by TEXT NOT NULL DEFAULT '',
	approved_at {{ts}},
	imported BOOLEAN NOT NULL DEFAULT FALSE,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX review_procurements_org ON review_procurements (org_id, id);

CREATE TABLE review_cases (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL,
	procurement_id BIGINT NOT NULL DEFAULT 0,
	title TEXT NOT NULL,
	state TEXT NOT NULL,
	since {{ts}} NOT NULL,
	materials TEXT NOT NULL DEFAULT '{}',
	complex BOOLEAN NOT NULL DEFAULT FALSE,
	extra_days INTEGER NOT NULL DEFAULT 0,
	pauses TEXT NOT NULL DEFAULT '[]',
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX review_cases_org ON review_cases (org_id, id);

CREATE TABLE review_events (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	case_id BIGINT NOT NULL REFERENCES review_cases(id),
	at {{ts}} NOT NULL,
	on_date {{ts}} NOT NULL,
	actor TEXT NOT NULL,
	event TEXT NOT NULL,
	state TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX review_events_case ON review_events (org_id, case_id, id);
