package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

var testMigs = []store.Migration{
	{Module: "t", Version: 1, Name: "widgets", SQL: `CREATE TABLE widgets (
	id {{id}},
	org_id BIGINT NOT NULL,
	name TEXT NOT NULL UNIQUE,
	at {{ts}} NOT NULL,
	ok BOOLEAN NOT NULL DEFAULT FALSE,
	data {{blob}}
);
CREATE INDEX widgets_org ON widgets (org_id)`},
	{Module: "t", Version: 2, Name: "widget colour", SQL: `ALTER TABLE widgets ADD COLUMN colour TEXT NOT NULL DEFAULT 'red'`},
}

func TestMigrateFromEmptyAndAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		db, err := store.Open(context.Background(), storetest.DSN(t, d))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		applied, err := db.Migrate(testMigs)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 2 {
			t.Fatalf("applied %v, want both steps", applied)
		}
		again, err := db.Migrate(testMigs)
		if err != nil || len(again) != 0 {
			t.Fatalf("second run applied %v, %v; want nothing", again, err)
		}
		if n, err := db.Pending(testMigs); err != nil || n != 0 {
			t.Fatalf("pending = %d, %v", n, err)
		}
		more := append(testMigs, store.Migration{Module: "t", Version: 3, Name: "broken", SQL: "CREATE TABLE widgets (x INT)"})
		if _, err := db.Migrate(more); err == nil || !strings.Contains(err.Error(), "t/3 broken") {
			t.Fatalf("broken migration error = %v, want one naming t/3", err)
		}
		if n, _ := db.Pending(more); n != 1 {
			t.Fatalf("the failed step must stay pending, got %d pending", n)
		}
	})
}

func TestRoundTripTypes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		db := storetest.Open(t, d, testMigs)
		ctx := store.WithOrg(context.Background(), 7)
		at := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
		var id int64
		err := db.Write(ctx, func(tx *store.Tx) error {
			ten, err := tx.Tenant()
			if err != nil {
				return err
			}
			return ten.QueryRow(`INSERT INTO widgets (org_id, name, at, ok, data) VALUES ($1, $2, $3, $4, $5) RETURNING id`, "w1", at, true, []byte{0, 1, 2}).Scan(&id)
		})
		if err != nil {
			t.Fatal(err)
		}
		var (
			gotAt   time.Time
			ok      bool
			data    []byte
			colour  string
			gotName string
		)
		err = db.Read(ctx, func(tx *store.Tx) error {
			ten, _ := tx.Tenant()
			return ten.QueryRow(`SELECT name, at, ok, data, colour FROM widgets WHERE org_id = $1 AND id = $2`, id).Scan(&gotName, &gotAt, &ok, &data, &colour)
		})
		if err != nil {
			t.Fatal(err)
		}
		if gotName != "w1" || !gotAt.Equal(at) || !ok || string(data) != "\x00\x01\x02" || colour != "red" {
			t.Fatalf("round trip gave %q %v %v %v %q", gotName, gotAt, ok, data, colour)
		}
	})
}

func TestTenancyIsEnforced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		db := storetest.Open(t, d, testMigs)
		insert := func(org int64, name string) int64 {
			var id int64
			if err := db.Write(store.WithOrg(context.Background(), org), func(tx *store.Tx) error {
				ten, err := tx.Tenant()
				if err != nil {
					return err
				}
				return ten.QueryRow(`INSERT INTO widgets (org_id, name, at) VALUES ($1, $2, $3) RETURNING id`, name, time.Now().UTC()).Scan(&id)
			}); err != nil {
				t.Fatal(err)
			}
			return id
		}
		insert(1, "mine")
		theirs := insert(2, "theirs")
		ctx := store.WithOrg(context.Background(), 1)
		err := db.Read(ctx, func(tx *store.Tx) error {
			ten, _ := tx.Tenant()
			var name string
			return ten.QueryRow(`SELECT name FROM widgets WHERE org_id = $1 AND id = $2`, theirs).Scan(&name)
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("reading another organisation's row gave %v, want ErrNotFound", err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			ten, _ := tx.Tenant()
			_, err := ten.Query(`SELECT name FROM widgets WHERE id = $1`, theirs)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "does not bind org_id") {
			t.Fatalf("a statement without org_id = $1 must be refused, got %v", err)
		}
		err = db.Read(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Tenant()
			return err
		})
		if !errors.Is(err, store.ErrNoTenant) {
			t.Fatalf("tenant access without an organisation gave %v, want ErrNoTenant", err)
		}
		ran := false
		err = db.WriteTenant(context.Background(), func(*store.Tenant) error { ran = true; return nil })
		if !errors.Is(err, store.ErrNoTenant) || ran {
			t.Fatalf("WriteTenant without an organisation: %v, ran %v; want ErrNoTenant and nothing run", err, ran)
		}
	})
}

func TestFailedCommandLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		db := storetest.Open(t, d, testMigs)
		ctx := store.WithOrg(context.Background(), 1)
		ran := false
		err := db.Write(ctx, func(tx *store.Tx) error {
			ten, _ := tx.Tenant()
			tx.AfterCommit(func() { ran = true })
			if _, err := ten.Exec(`INSERT INTO widgets (org_id, name, at) VALUES ($1, $2, $3)`, "first", time.Now().UTC()); err != nil {
				return err
			}
			// The second insert violates the unique name: the command fails midway.
			_, err := ten.Exec(`INSERT INTO widgets (org_id, name, at) VALUES ($1, $2, $3)`, "first", time.Now().UTC())
			return err
		})
		if err == nil {
			t.Fatal("duplicate insert should fail")
		}
		var n int
		if err := db.Read(ctx, func(tx *store.Tx) error {
			ten, _ := tx.Tenant()
			return ten.QueryRow(`SELECT COUNT(*) FROM widgets WHERE org_id = $1`).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		if n != 0 || ran {
			t.Fatalf("after a failed command: %d rows, after-commit ran %v; want 0 rows and no hook", n, ran)
		}
	})
}

func TestOpenRejectsUnknownDSNWithoutLeakingPassword(t *testing.T) {
	_, err := store.Open(context.Background(), "mysql://u:secret@host/db")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("got %v", err)
	}
	_, err = store.Open(context.Background(), "postgres://u:secret@127.0.0.1:1/db?connect_timeout=1")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("connection error must not show the password: %v", err)
	}
}
