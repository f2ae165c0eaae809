-- how many months a complaint answered late keeps counting as overdue in the fact set (ciiguard's policy: the annual assessment cycle)
ALTER TABLE appstore_platforms ADD COLUMN complaint_window_months INTEGER NOT NULL DEFAULT 12;
