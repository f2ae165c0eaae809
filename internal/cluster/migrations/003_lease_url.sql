-- where the holder of a lease answers requests
-- holder_url is the holder's advertised base URL (serve --node-url), so that a node that
-- is not an organisation's log writer can forward the organisation's ingest and searches
-- to the node that is. Empty: the holder gave none, and nothing is forwarded to it.
ALTER TABLE cluster_leases ADD COLUMN holder_url TEXT NOT NULL DEFAULT '';
