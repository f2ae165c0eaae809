package auth

import (
	"embed"

	"ciiguard/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations create organisations, users, sessions and API tokens: the files in
// migrations/.
var Migrations = store.MustSQLMigrations(migrationFiles, "migrations", "auth")
