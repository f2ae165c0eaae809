-- a complaint's receipt number, shown to the person who sent it, random so it says nothing of how many others came
ALTER TABLE appstore_complaints ADD COLUMN receipt TEXT NOT NULL DEFAULT '';
CREATE INDEX appstore_complaints_receipt ON appstore_complaints (org_id, receipt);
