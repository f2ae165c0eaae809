package cluster

import (
	"embed"
	"fmt"

	"ciiguard/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations create the lease and job tables: the files in migrations/, and step 5,
// framesUncompressed.
var Migrations = store.MustSQLMigrations(migrationFiles, "migrations", "cluster", store.Migration{
	Module: "cluster", Version: 5, Name: "store the vault's frames uncompressed", Go: framesUncompressed,
})

// framesUncompressed keeps the vault's frames and batch keys out of line and
// uncompressed on PostgreSQL (STORAGE EXTERNAL): they are compact already, and
// compressing each group commit's frames (TOAST's default for a large bytea) was most of
// the database's CPU per event (docs/performance.md). SQLite stores blobs as they are.
func framesUncompressed(tx *store.Tx) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	for _, table := range []string{"vault_frames", "vault_batch_keys"} {
		if _, err := tx.Exec(`ALTER TABLE ` + table + ` ALTER COLUMN frames SET STORAGE EXTERNAL`); err != nil {
			return fmt.Errorf("store %s uncompressed: %w", table, err)
		}
	}
	return nil
}
