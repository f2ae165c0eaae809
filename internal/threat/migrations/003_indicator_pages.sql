-- a TAXII page of a collection is read in the store: keyset pagination on (created_at, stix_id)
CREATE INDEX threat_indicators_page ON threat_indicators (org_id, collection, created_at, stix_id);
