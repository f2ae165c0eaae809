-- the sent-ledger of notices, users' preferences and the organisation's webhooks
CREATE TABLE notify_ledger (
	id {{id}},
	org_id BIGINT NOT NULL,
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL,
	point TEXT NOT NULL,
	kind TEXT NOT NULL,
	channel TEXT NOT NULL,
	lang TEXT NOT NULL,
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	link TEXT NOT NULL,
	due {{ts}},
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	last_error TEXT NOT NULL,
	next_try {{ts}} NOT NULL,
	claimed_at {{ts}} NOT NULL,
	sent_at {{ts}},
	UNIQUE (org_id, recipient, subject, point)
);
CREATE INDEX notify_ledger_pending ON notify_ledger (status, next_try);
CREATE TABLE notify_preferences (
	org_id BIGINT NOT NULL,
	user_id BIGINT NOT NULL,
	email BOOLEAN NOT NULL,
	digest BOOLEAN NOT NULL,
	remind_30d BOOLEAN NOT NULL,
	remind_7d BOOLEAN NOT NULL,
	remind_1d BOOLEAN NOT NULL,
	remind_overdue BOOLEAN NOT NULL,
	alerts BOOLEAN NOT NULL,
	updated_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, user_id)
);
CREATE TABLE notify_webhooks (
	id {{id}},
	org_id BIGINT NOT NULL,
	name TEXT NOT NULL,
	format TEXT NOT NULL,
	url TEXT NOT NULL,
	secret TEXT NOT NULL,
	digest BOOLEAN NOT NULL,
	reminders BOOLEAN NOT NULL,
	alerts BOOLEAN NOT NULL,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX notify_webhooks_org ON notify_webhooks (org_id);
