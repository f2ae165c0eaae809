-- one row per address and per organisation the public complaint form counts for: a submission locks its rows before it counts the hour's admitted submissions, so that on PostgreSQL two submissions from one address at the same instant are counted one after the other instead of both seeing the count before either
CREATE TABLE appstore_public_gate (
	scope TEXT NOT NULL PRIMARY KEY,
	touched_at {{ts}} NOT NULL
);
