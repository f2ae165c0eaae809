package store_test

import (
	"context"
	"testing"
	"time"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestPreparedTenantStatement: a prepared statement is checked for tenancy like Exec (one that
// does not bind org_id to $1 is refused before it reaches the engine), and every run binds the
// context's organisation as $1, so the rows it writes are that organisation's only.
func TestPreparedTenantStatement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		db := storetest.Open(t, d, testMigs)
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		err := db.WriteTenant(store.WithOrg(context.Background(), 7), func(ten *store.Tenant) error {
			if _, err := ten.Prepare(`INSERT INTO widgets (org_id, name, at) VALUES ($2, $3, $4)`); err == nil {
				t.Error("a statement that sets org_id from $2 was prepared")
			}
			st, err := ten.Prepare(`INSERT INTO widgets (org_id, name, at) VALUES ($1, $2, $3), ($1, $4, $3)`)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, names := range [][2]string{{"a", "b"}, {"c", "d"}} {
				if _, err := st.Exec(names[0], at, names[1]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for org, want := range map[int64]int{7: 4, 8: 0} {
			var n int
			err := db.ReadTenant(store.WithOrg(context.Background(), org), func(ten *store.Tenant) error {
				return ten.QueryRow(`SELECT COUNT(*) FROM widgets WHERE org_id = $1`).Scan(&n)
			})
			if err != nil || n != want {
				t.Fatalf("organisation %d has %d widgets (%v), want %d", org, n, err, want)
			}
		}
	})
}
