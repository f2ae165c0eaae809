package cluster

import (
	"embed"

	"ciiguard/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations create the lease and job tables: the files in migrations/.
var Migrations = store.MustSQLMigrations(migrationFiles, "migrations", "cluster")
