-- a submission is accepted once and escalated once: the engine refuses a second, so two answers racing under PostgreSQL's READ COMMITTED cannot both pass the check in Answer
CREATE UNIQUE INDEX oversight_answers_accepted ON oversight_answers (org_id, submission_id) WHERE action = 'accepted';
CREATE UNIQUE INDEX oversight_answers_escalated ON oversight_answers (org_id, submission_id) WHERE action = 'escalated';
