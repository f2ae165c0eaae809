package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestLockWaitEndsInErrBusy holds a write open on a row and checks that a second write
// of the same row gives up after the lock wait with ErrBusy (which the web layer answers
// 503), not with the engine's raw error, and that a read is not held up by the writer.
func TestLockWaitEndsInErrBusy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		db, err := store.OpenWith(context.Background(), storetest.DSN(t, d), store.Options{LockWait: 300 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(testMigs); err != nil {
			t.Fatal(err)
		}
		ctx := store.WithOrg(context.Background(), 1)
		update := func(tx *store.Tx) error {
			ten, err := tx.Tenant()
			if err != nil {
				return err
			}
			_, err = ten.Exec(`UPDATE widgets SET colour = 'blue' WHERE org_id = $1 AND name = $2`, "w")
			return err
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			ten, _ := tx.Tenant()
			_, err := ten.Exec(`INSERT INTO widgets (org_id, name, at) VALUES ($1, $2, $3)`, "w", time.Now().UTC())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		holding, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
		go func() {
			done <- db.Write(ctx, func(tx *store.Tx) error {
				if err := update(tx); err != nil {
					return err
				}
				close(holding)
				<-release
				return nil
			})
		}()
		<-holding
		var n int
		if err := db.Read(ctx, func(tx *store.Tx) error {
			ten, _ := tx.Tenant()
			return ten.QueryRow(`SELECT COUNT(*) FROM widgets WHERE org_id = $1`).Scan(&n)
		}); err != nil || n != 1 {
			t.Errorf("read beside a writer: %d rows, %v; want 1 row, no error", n, err)
		}
		start := time.Now()
		err = db.Write(ctx, update)
		waited := time.Since(start)
		close(release)
		if err := <-done; err != nil {
			t.Fatalf("the holding write failed: %v", err)
		}
		if !errors.Is(err, store.ErrBusy) {
			t.Fatalf("second writer: %v, want ErrBusy", err)
		}
		if waited < 250*time.Millisecond || waited > 5*time.Second {
			t.Errorf("second writer gave up after %v, want about the 300ms lock wait", waited)
		}
		if err := db.Write(ctx, update); err != nil {
			t.Fatalf("write after the lock is free: %v", err)
		}
	})
}
