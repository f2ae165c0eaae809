// Package cluster lets several ciiguard nodes share one PostgreSQL store: leases with
// fencing tokens say which node may do a thing that must be done by one node at a time
// (write an organisation's log, run a daily job), and a writer checks its token in the
// same transaction as its write, so a node that was paused past its lease's expiry and
// wakes up cannot write over its successor. On SQLite (one node) the same code runs and
// every lease is simply always free for that node.
package cluster
