-- a notice identifies systems, or de-identifies them (a re-identification, CIIR 2021 Art. 11, concluding they are no longer CII)
ALTER TABLE oversight_notices ADD COLUMN kind TEXT NOT NULL DEFAULT 'identification';
ALTER TABLE oversight_notice_copies ADD COLUMN kind TEXT NOT NULL DEFAULT 'identification';
