package audit

import (
	"embed"

	"ciiguard/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations create the trail and its head row: the files in migrations/.
var Migrations = store.MustSQLMigrations(migrationFiles, "migrations", "audit")
