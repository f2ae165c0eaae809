-- a penalty case ends: closed (结案) once its decision is carried out, or withdrawn (撤销立案), each with a reason and a legal basis; the operator's copy of each case
ALTER TABLE oversight_cases ADD COLUMN state TEXT NOT NULL DEFAULT 'open';
ALTER TABLE oversight_cases ADD COLUMN end_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE oversight_cases ADD COLUMN end_basis TEXT NOT NULL DEFAULT '';
ALTER TABLE oversight_cases ADD COLUMN ended_by TEXT NOT NULL DEFAULT '';
ALTER TABLE oversight_cases ADD COLUMN ended_at {{ts}};

CREATE TABLE oversight_case_copies (
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	case_id BIGINT NOT NULL,
	regulator_id BIGINT NOT NULL REFERENCES orgs(id),
	received_at {{ts}} NOT NULL,
	PRIMARY KEY (org_id, case_id)
);
INSERT INTO oversight_case_copies (org_id, case_id, regulator_id, received_at) SELECT operator_id, id, org_id, created_at FROM oversight_cases;
