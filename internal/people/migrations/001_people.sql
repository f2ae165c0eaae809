-- the security organisation, staff, key posts, background checks, certifications, training and the training policy
CREATE TABLE people_units (
	org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
	name TEXT NOT NULL DEFAULT '',
	established_on TEXT NOT NULL DEFAULT '',
	head_id BIGINT,
	manager_id BIGINT,
	source TEXT NOT NULL DEFAULT 'record',
	updated_at {{ts}} NOT NULL
);

CREATE TABLE people_persons (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	name TEXT NOT NULL,
	employee_no TEXT NOT NULL DEFAULT '',
	department TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL DEFAULT '',
	security_staff BOOLEAN NOT NULL DEFAULT FALSE,
	joined_on TEXT NOT NULL DEFAULT '',
	left_on TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL
);
CREATE INDEX people_persons_org ON people_persons (org_id, id);

CREATE TABLE people_posts (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	name TEXT NOT NULL,
	duties TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL
);
CREATE INDEX people_posts_org ON people_posts (org_id, id);

CREATE TABLE people_post_holders (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	post_id BIGINT NOT NULL,
	person_id BIGINT NOT NULL,
	since TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (org_id, post_id, person_id)
);

CREATE TABLE people_vettings (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	person_id BIGINT NOT NULL,
	checked_on TEXT NOT NULL,
	result TEXT NOT NULL,
	next_due TEXT NOT NULL DEFAULT '',
	reference TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL
);
CREATE INDEX people_vettings_person ON people_vettings (org_id, person_id, checked_on);

CREATE TABLE people_certifications (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	person_id BIGINT NOT NULL,
	name TEXT NOT NULL,
	issuer TEXT NOT NULL DEFAULT '',
	number TEXT NOT NULL DEFAULT '',
	expires_on TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL
);
CREATE INDEX people_certifications_person ON people_certifications (org_id, person_id);

CREATE TABLE people_courses (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	title TEXT NOT NULL,
	held_on TEXT NOT NULL,
	hours_tenths INTEGER NOT NULL,
	provider TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL
);
CREATE INDEX people_courses_org ON people_courses (org_id, held_on);

CREATE TABLE people_attendance (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	course_id BIGINT NOT NULL,
	person_id BIGINT NOT NULL,
	hours_tenths INTEGER NOT NULL,
	PRIMARY KEY (org_id, course_id, person_id)
);

CREATE TABLE people_policies (
	org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
	staff_days INTEGER NOT NULL,
	key_post_days INTEGER NOT NULL,
	hours_per_day INTEGER NOT NULL,
	vetting_years INTEGER NOT NULL,
	updated_at {{ts}} NOT NULL
);

CREATE TABLE people_declarations (
	org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
	org_established BOOLEAN NOT NULL,
	manager_appointed BOOLEAN NOT NULL,
	manager_vetted BOOLEAN NOT NULL,
	migrated_at {{ts}} NOT NULL
)
