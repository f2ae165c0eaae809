package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

func TestSQLMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	backfill := store.Migration{Module: "w", Version: 3, Name: "widget keys", Go: func(*store.Tx) error { return nil }}
	cases := []struct {
		name    string
		fs      fstest.MapFS
		goSteps []store.Migration
		want    []store.Migration
		wantErr string
	}{
		{"two steps", fstest.MapFS{
			"m/001_widgets.sql": file("-- widgets\nCREATE TABLE widgets (id {{id}});\n"),
			"m/002_colour.sql":  file("-- widget colour\nALTER TABLE widgets ADD COLUMN colour TEXT\n"),
		}, nil, []store.Migration{
			{Module: "w", Version: 1, Name: "widgets", SQL: "CREATE TABLE widgets (id {{id}});"},
			{Module: "w", Version: 2, Name: "widget colour", SQL: "ALTER TABLE widgets ADD COLUMN colour TEXT"},
		}, ""},
		{"a file after a Go step", fstest.MapFS{
			"m/001_a.sql": file("-- a\nSELECT 1"), "m/002_b.sql": file("-- b\nSELECT 2"), "m/004_d.sql": file("-- d\nSELECT 4"),
		}, []store.Migration{backfill}, []store.Migration{
			{Module: "w", Version: 1, Name: "a", SQL: "SELECT 1"},
			{Module: "w", Version: 2, Name: "b", SQL: "SELECT 2"},
			{Module: "w", Version: 3, Name: "widget keys"},
			{Module: "w", Version: 4, Name: "d", SQL: "SELECT 4"},
		}, ""},
		{"a gap", fstest.MapFS{"m/001_a.sql": file("-- a\nSELECT 1"), "m/003_c.sql": file("-- c\nSELECT 1")}, nil, nil,
			"003_c.sql is version 3, want 2"},
		{"a file and a Go step of one version", fstest.MapFS{"m/001_a.sql": file("-- a\nSELECT 1"), "m/002_b.sql": file("-- b\nSELECT 1"), "m/003_c.sql": file("-- c\nSELECT 1")},
			[]store.Migration{backfill}, nil, "003_c.sql is version 3, want 4"},
		{"a gap before a Go step", fstest.MapFS{"m/001_a.sql": file("-- a\nSELECT 1")}, []store.Migration{backfill}, nil,
			"no file or Go step is version 2"},
		{"a Go step without Go", fstest.MapFS{"m/001_a.sql": file("-- a\nSELECT 1")}, []store.Migration{{Module: "w", Version: 2, Name: "x", SQL: "SELECT 2"}}, nil,
			"is not a Go step of this module"},
		{"no name line", fstest.MapFS{"m/001_a.sql": file("SELECT 1")}, nil, nil, "does not start with a '-- name' line"},
		{"a stray file", fstest.MapFS{"m/001_a.sql": file("-- a\nSELECT 1"), "m/notes.txt": file("x")}, nil, nil, "notes.txt is not named NNN_words.sql"},
		{"no directory", fstest.MapFS{}, nil, nil, "migrations of w"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := store.SQLMigrations(c.fs, "m", "w", c.goSteps...)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d migrations, want %d", len(got), len(c.want))
			}
			for i := range got {
				if got[i].Module != c.want[i].Module || got[i].Version != c.want[i].Version || got[i].Name != c.want[i].Name || got[i].SQL != c.want[i].SQL ||
					(got[i].Go != nil) != (c.want[i].Name == "widget keys") {
					t.Errorf("migration %d = %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

// TestGoStepRunsOnceInTheStepsTransaction: a Go step runs after its SQL, once; a failing
// one leaves neither its SQL's effects nor a record of being applied.
func TestGoStepRunsOnceInTheStepsTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		db, err := store.Open(context.Background(), storetest.DSN(t, d))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		runs := 0
		migs := append(append([]store.Migration{}, testMigs...), store.Migration{Module: "t", Version: 3, Name: "name the widgets",
			SQL: `ALTER TABLE widgets ADD COLUMN label TEXT`,
			Go: func(tx *store.Tx) error {
				runs++
				_, err := tx.Exec(`UPDATE widgets SET label = 'w-' || name`)
				return err
			}})
		if _, err := db.Migrate(migs[:2]); err != nil {
			t.Fatal(err)
		}
		if err := db.Write(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(`INSERT INTO widgets (org_id, name, at) VALUES (1, 'a', CURRENT_TIMESTAMP)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(migs); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(migs); err != nil || runs != 1 {
			t.Fatalf("Go step ran %d times (%v), want once", runs, err)
		}
		var label string
		if err := db.Read(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT label FROM widgets WHERE name = 'a'`).Scan(&label)
		}); err != nil || label != "w-a" {
			t.Fatalf("label = %q, %v; want w-a", label, err)
		}
		failing := append(append([]store.Migration{}, migs...), store.Migration{Module: "t", Version: 4, Name: "fails",
			SQL: `CREATE TABLE gadgets (id {{id}})`, Go: func(*store.Tx) error { return errors.New("cannot") }})
		if _, err := db.Migrate(failing); err == nil || !strings.Contains(err.Error(), "cannot") {
			t.Fatalf("failing Go step: %v", err)
		}
		if n, _ := db.Pending(failing); n != 1 {
			t.Fatalf("%d pending after a failed Go step, want 1", n)
		}
		if err := db.Read(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(`SELECT COUNT(*) FROM gadgets`)
			return err
		}); err == nil {
			t.Fatal("the failed step's table exists: its SQL was not rolled back")
		}
	})
}
