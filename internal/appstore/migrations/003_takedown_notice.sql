-- a take-down's notice to the developer: how it went out (an SMS to the developer's phone) or why it did not
ALTER TABLE appstore_takedowns ADD COLUMN notice_state TEXT NOT NULL DEFAULT '';
ALTER TABLE appstore_takedowns ADD COLUMN notice_to TEXT NOT NULL DEFAULT '';
