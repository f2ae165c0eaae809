-- framework controls under a swappable key
-- An upload stages its controls under a fresh key and then swaps the framework to it, so
-- that no transaction writes more than a chunk of controls.
ALTER TABLE frameworks ADD COLUMN controls_key TEXT NOT NULL DEFAULT '';
UPDATE frameworks SET controls_key = id;
