-- vulnerabilities in products in use or provided: identifiers, CVSS, status, report times, affected products, the fix deadline policy and imports
CREATE TABLE vulns (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	title TEXT NOT NULL,
	cve TEXT NOT NULL DEFAULT '',
	cnvd TEXT NOT NULL DEFAULT '',
	cnnvd TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	nature TEXT NOT NULL DEFAULT '',
	harm TEXT NOT NULL DEFAULT '',
	scope TEXT NOT NULL DEFAULT '',
	cvss_vector TEXT NOT NULL DEFAULT '',
	cvss_version TEXT NOT NULL DEFAULT '',
	score10 INTEGER NOT NULL DEFAULT 0,
	severity TEXT NOT NULL,
	status TEXT NOT NULL,
	status_note TEXT NOT NULL DEFAULT '',
	provider BOOLEAN NOT NULL DEFAULT FALSE,
	national_security BOOLEAN NOT NULL DEFAULT FALSE,
	disclosed BOOLEAN NOT NULL DEFAULT FALSE,
	discovered_at {{ts}} NOT NULL,
	fixed_at {{ts}},
	reported_miit_at {{ts}},
	miit_reference TEXT NOT NULL DEFAULT '',
	reported_authority_at {{ts}},
	authority_name TEXT NOT NULL DEFAULT '',
	authority_reference TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX vulns_org ON vulns (org_id, status);
CREATE INDEX vulns_cve ON vulns (org_id, cve);

CREATE TABLE vuln_products (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	vuln_id BIGINT NOT NULL REFERENCES vulns(id),
	pos INTEGER NOT NULL,
	product_id BIGINT NOT NULL DEFAULT 0,
	name TEXT NOT NULL,
	model TEXT NOT NULL DEFAULT '',
	version TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (vuln_id, pos)
);
CREATE INDEX vuln_products_org ON vuln_products (org_id, vuln_id);

CREATE TABLE vuln_policy (
	org_id BIGINT NOT NULL REFERENCES orgs(id) PRIMARY KEY,
	critical_days INTEGER NOT NULL,
	high_days INTEGER NOT NULL,
	medium_days INTEGER NOT NULL,
	low_days INTEGER NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at {{ts}} NOT NULL
);

CREATE TABLE vuln_imports (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	format TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	sha256 TEXT NOT NULL,
	document TEXT NOT NULL DEFAULT '',
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
