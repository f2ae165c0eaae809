package obligations

import (
	"context"
	"testing"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestFindingsLeaveRoomOnPostgres reads PostgreSQL's catalog after the migrations: the
// findings table keeps a quarter of each page free (fillfactor 75), so a rewritten finding
// can stay on its page (a HOT update) instead of adding an index entry.
func TestFindingsLeaveRoomOnPostgres(t *testing.T) {
	storetest.Require(t, store.Postgres)
	db := storetest.Open(t, store.Postgres, New().Migrations())
	var opts string
	if err := db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COALESCE(array_to_string(reloptions, ','), '') FROM pg_class WHERE relname = 'findings' AND relkind = 'r'`).Scan(&opts)
	}); err != nil {
		t.Fatal(err)
	}
	if opts != "fillfactor=75" {
		t.Fatalf("findings table options %q, want fillfactor=75", opts)
	}
}
