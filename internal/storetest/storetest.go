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
	"fmt"
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
		return postgresDB(t, "")
	}
	t.Fatalf("unknown engine %q", d)
	return ""
}

// Require skips the test when engine d is not available: PostgreSQL without
// CIIGUARD_TEST_POSTGRES.
func Require(t testing.TB, d store.Dialect) {
	t.Helper()
	if d == store.Postgres && os.Getenv(EnvPostgres) == "" {
		t.Skipf("PostgreSQL tests skipped: set %s to a postgres:// URL (make test does this)", EnvPostgres)
	}
}

// CloneDSN returns the DSN of a new PostgreSQL database made as a copy of the database
// named template (CREATE DATABASE … TEMPLATE, a file copy, far cheaper than migrating and
// seeding again), dropped when the test ends. The template must have no open connections.
// It skips the test when no PostgreSQL server is configured.
func CloneDSN(t testing.TB, template string) string {
	t.Helper()
	return postgresDB(t, template)
}

// postgresDB creates a database (a copy of template, unless it is empty) that the test's
// cleanup drops, and returns its DSN.
func postgresDB(t testing.TB, template string) string {
	t.Helper()
	Require(t, store.Postgres)
	name, dsn, err := CreatePostgres(template)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = DropPostgres(name) })
	return dsn
}

// CreatePostgres creates a database with a fresh random name on the server named by
// CIIGUARD_TEST_POSTGRES, as a copy of template unless it is empty, and returns its name
// and DSN. The caller drops it (DropPostgres); tests use DSN or CloneDSN, which do.
func CreatePostgres(template string) (name, dsn string, err error) {
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		return "", "", fmt.Errorf("no PostgreSQL server: %s is not set", EnvPostgres)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name = "ciiguard_test_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", "", fmt.Errorf("open %s: %w", EnvPostgres, err)
	}
	defer db.Close()
	q := "CREATE DATABASE " + name
	if template != "" {
		// FILE_COPY copies the template's files as they are; the default WAL_LOG strategy
		// writes every block through the WAL, which costs more for a small database.
		q += " TEMPLATE " + template + " STRATEGY FILE_COPY"
	}
	if _, err := db.Exec(q); err != nil {
		return "", "", fmt.Errorf("create test database: %w", err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", "", fmt.Errorf("parse %s: %w", EnvPostgres, err)
	}
	u.Path = "/" + name
	return name, u.String(), nil
}

// DropPostgres drops a database CreatePostgres made, closing its connections first.
func DropPostgres(name string) error {
	db, err := sql.Open("pgx", os.Getenv(EnvPostgres))
	if err != nil {
		return fmt.Errorf("open %s: %w", EnvPostgres, err)
	}
	defer db.Close()
	if _, err := db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop test database %s: %w", name, err)
	}
	return nil
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
