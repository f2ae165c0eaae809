-- changes of an inspection's time box: closed before its end, or extended, each with its reason
CREATE TABLE oversight_inspection_changes (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	inspection_id BIGINT NOT NULL,
	kind TEXT NOT NULL,
	ends_before {{ts}} NOT NULL,
	ends_after {{ts}} NOT NULL,
	reason TEXT NOT NULL,
	by_user BIGINT NOT NULL DEFAULT 0,
	by_label TEXT NOT NULL,
	at {{ts}} NOT NULL
);
CREATE INDEX oversight_inspection_changes_inspection ON oversight_inspection_changes (org_id, inspection_id, id);
