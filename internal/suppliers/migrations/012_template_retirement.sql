-- an operator's own questionnaire template taken out of use: not offered or sent any more, its questionnaires already sent unchanged; reinstating clears the three columns (the audit trail keeps both steps)
ALTER TABLE supplier_q_templates ADD COLUMN retired_at {{ts}};
ALTER TABLE supplier_q_templates ADD COLUMN retired_by TEXT NOT NULL DEFAULT '';
ALTER TABLE supplier_q_templates ADD COLUMN retired_reason TEXT NOT NULL DEFAULT '';
