package scope

import (
	"fmt"

	"ciiguard/internal/store"
)

// Migrations create the profile and inventory tables (migrations/*.sql). Dates are TEXT
// "YYYY-MM-DD" ("" when unset): they are calendar days in notices and filings, not
// instants. Lists sort system names the way a Chinese reader looks for them, by pinyin:
// the collation key is computed in Go (collate), stored, and compared bytewise by either
// engine; step 2 adds the column and step 3, in Go because SQL has no pinyin collation,
// gives the rows stored before it their key. Step 4 keeps the history of each system's
// MLPS grading and CII status (history.go). The profile's columns security_org_established,
// security_manager_appointed and security_manager_vetted (step 1) are retired: scope no
// longer reads or writes them, the people capability's records replace them, and its
// migration step 2 reads them once to carry existing values over (docs/people.md).
var Migrations = store.MustSQLMigrations(files, "migrations", "scope", store.Migration{
	Module: "scope", Version: 3, Name: "pinyin sort keys of systems stored before step 2", Go: backfillSortKeys,
})

// backfillSortKeys gives every system without a sort key its key, across organisations.
func backfillSortKeys(tx *store.Tx) error {
	rows, err := tx.Query(`SELECT id, name FROM scope_systems WHERE sort_key IS NULL`)
	if err != nil {
		return fmt.Errorf("read systems without a sort key: %w", err)
	}
	type row struct {
		id   int64
		name string
	}
	var todo []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.name); err != nil {
			rows.Close()
			return fmt.Errorf("read systems without a sort key: %w", err)
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read systems without a sort key: %w", err)
	}
	for _, r := range todo {
		if _, err := tx.Exec(`UPDATE scope_systems SET sort_key = $1 WHERE id = $2`, sortKey(r.name), r.id); err != nil {
			return fmt.Errorf("set sort key of system %d: %w", r.id, err)
		}
	}
	return nil
}
