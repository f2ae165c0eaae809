// Package storetest gives tests a fresh, empty records store on every engine ciiguard
// supports: a SQLite file always, and a throwaway database on the PostgreSQL server named
// by CIIGUARD_TEST_POSTGRES (a postgres:// URL with rights to create databases), which
// `make test` starts on loopback. Without it the PostgreSQL cases skip and say why.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"ciiguard/internal/store"
)

// EnvPostgres names the variable holding the test PostgreSQL server's URL.
const EnvPostgres = "CIIGUARD_TEST_POSTGRES"

// Engines lists the engines the same tests run on.
var Engines = []store.Dialect{store.SQLite, store.Postgres}

// DSN returns the DSN of a new empty store on engine d, dropped when the test ends, or
// skips the test when the engine is not available.
func DSN(t testing.TB, d store.Dialect) string {
	t.Helper()
	switch d {
	case store.SQLite:
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	case store.Postgres:
		admin := os.Getenv(EnvPostgres)
		if admin == "" {
			t.Skipf("PostgreSQL tests skipped: set %s to a postgres:// URL (make test does this)", EnvPostgres)
		}
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		name := "ciiguard_test_" + hex.EncodeToString(b)
		db, err := sql.Open("pgx", admin)
		if err != nil {
			t.Fatalf("open %s: %v", EnvPostgres, err)
		}
		defer db.Close()
		if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatalf("create test database: %v", err)
		}
		t.Cleanup(func() {
			db, err := sql.Open("pgx", admin)
			if err != nil {
				return
			}
			defer db.Close()
			_, _ = db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		})
		u, err := url.Parse(admin)
		if err != nil {
			t.Fatalf("parse %s: %v", EnvPostgres, err)
		}
		u.Path = "/" + name
		return u.String()
	}
	t.Fatalf("unknown engine %q", d)
	return ""
}

// Open returns a new, empty, migrated store on engine d.
func Open(t testing.TB, d store.Dialect, migs []store.Migration) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), DSN(t, d))
	if err != nil {
		t.Fatalf("open %s store: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(migs); err != nil {
		t.Fatalf("migrate %s store: %v", d, err)
	}
	return db
}

// Each runs f as a subtest on every engine.
func Each(t *testing.T, f func(t *testing.T, d store.Dialect)) {
	for _, d := range Engines {
		t.Run(string(d), func(t *testing.T) { f(t, d) })
	}
}
