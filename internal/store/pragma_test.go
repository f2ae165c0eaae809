package store_test

import (
	"context"
	"testing"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestSQLiteKeepsStatementJournalInMemory: every connection of the pool keeps temporary
// storage, and with it the statement journal of a large multi-row write, in memory (SQLite's
// temp_store 2 = MEMORY; the default 0 spills past 64 KiB to a temporary file, which cost a
// tenth of a 360,000-finding write's CPU). Eight connections are held at once so that the
// pragma is seen on more than the first.
func TestSQLiteKeepsStatementJournalInMemory(t *testing.T) {
	db, err := store.Open(context.Background(), storetest.DSN(t, store.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for i := 0; i < 8; i++ {
		c, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var mode int
		if err := c.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != 2 {
			t.Fatalf("connection %d: temp_store = %d, want 2 (MEMORY)", i+1, mode)
		}
	}
}
