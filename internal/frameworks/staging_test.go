package frameworks_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/catalog"
	"ciiguard/internal/frameworks"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestUploadNeverHoldsTheWriterLong uploads (and then replaces) a framework of the most
// controls allowed on a store whose lock wait is one second, while another organisation
// keeps writing. Each of the upload's transactions must end well within that second, so
// no write of the other organisation may fail with ErrBusy; and the framework must come
// out whole, in document order.
func TestUploadNeverHoldsTheWriterLong(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		db, err := store.OpenWith(context.Background(), storetest.DSN(t, d), store.Options{LockWait: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		migs := append([]store.Migration{}, auth.Migrations...)
		migs = append(migs, audit.Migrations...)
		migs = append(migs, frameworks.New().Migrations()...)
		if _, err := db.Migrate(migs); err != nil {
			t.Fatal(err)
		}
		base, err := catalog.Load()
		if err != nil {
			t.Fatal(err)
		}
		svc := frameworks.NewService(db, fixedCatalog{base}, fakeFindings{})
		ctx := audit.WithActor(context.Background(), audit.Actor{UserID: 7, Label: "tester"})
		org1, org2 := store.WithOrg(ctx, 1), store.WithOrg(ctx, 2)
		small := oscal("Small", "1", "s-1", "s-2", "s-3")
		doc := flatCatalog(frameworks.DefaultMaxControls)

		var took [2]time.Duration
		for round := 0; round < 2; round++ {
			stop := make(chan struct{})
			var (
				wg     sync.WaitGroup
				writes int
				busy   []error
			)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					_, err := svc.Import(org2, "SMALL", "file", small)
					switch {
					case err == nil:
						writes++
					case errors.Is(err, store.ErrBusy):
						busy = append(busy, err)
					default:
						t.Errorf("the other organisation's write: %v", err)
						return
					}
				}
			}()
			start := time.Now()
			res, err := svc.Import(org1, "FLOOD", "file", doc)
			took[round] = time.Since(start)
			close(stop)
			wg.Wait()
			if err != nil || res.Framework.Controls != frameworks.DefaultMaxControls || res.Replaced != (round == 1) {
				t.Fatalf("round %d: import: %v, %d controls, replaced %v", round, err, res.Framework.Controls, res.Replaced)
			}
			if len(busy) > 0 {
				t.Errorf("round %d: while %d controls were uploaded (%v), %d of the other organisation's writes gave up waiting for the lock (%d went through): %v",
					round, frameworks.DefaultMaxControls, took[round].Round(time.Millisecond), len(busy), writes, busy[0])
			}
			t.Logf("%s round %d: upload of %d controls in %v; the other organisation wrote %d times meanwhile", d, round, frameworks.DefaultMaxControls, took[round].Round(time.Millisecond), writes)
		}
		// The replacement writes as many controls as the first upload and removes as many;
		// removing a chunk must not cost a pass over every control left (it did, and a
		// replacement on PostgreSQL took 25 times the first upload).
		if limit := 4*took[0] + 5*time.Second; took[1] > limit {
			t.Errorf("the replacement took %v, the first upload %v: removing the replaced controls costs far more than writing them", took[1].Round(time.Millisecond), took[0].Round(time.Millisecond))
		}
		cs, err := svc.Controls(org1, "FLOOD")
		if err != nil || len(cs) != frameworks.DefaultMaxControls || cs[0].ID != "c-0" || cs[len(cs)-1].ID != "c-19999" {
			t.Fatalf("controls after the replacement: %d, %v", len(cs), err)
		}
		var rows int
		if err := db.Read(org1, func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT COUNT(*) FROM framework_controls WHERE org_id = 1`).Scan(&rows)
		}); err != nil || rows != frameworks.DefaultMaxControls {
			t.Errorf("%d control rows stored for the organisation, %v; want exactly the framework's %d (the replaced set removed)", rows, err, frameworks.DefaultMaxControls)
		}
	})
}
