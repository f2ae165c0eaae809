package emergency

import (
	"fmt"
	"time"

	"ciiguard/internal/store"
)

// Migrations: step 1 creates the tables (migrations/001_emergency.sql); step 2, in Go,
// turns the inventory's former checkboxes into records, once. The inventory (the scope
// capability) kept `has_emergency_plan`, `last_drill`, `has_dr_backup` and
// `last_backup_test` on each system until this capability replaced them. The kernel
// applies modules' migrations in registration order (store.orderMigrations), and the
// installation registers emergency after scope (app.Modules), so scope's table exists
// with those columns when this step runs; scope no longer reads or writes them, and they
// stay in its table, unused, because scope's own later steps run before this one. On a new
// installation whose modules are registered in another order the table may not exist yet:
// then there is nothing to import. Step 3 (migrations/003_plan_retire.sql) adds a plan's
// retirement.
var Migrations = store.MustSQLMigrations(files, "migrations", "emergency", store.Migration{
	Module: "emergency", Version: 2, Name: "import the inventory's emergency checkboxes as records", Go: importInventory,
})

// inventoryTable reports whether scope's systems table exists. On a new installation the
// modules' migrations may run in any order (TestModulesInAnyOrder), and without the table
// there is nothing to import: only scope's earlier versions wrote the checkboxes.
func inventoryTable(tx *store.Tx) (bool, error) {
	q := `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'scope_systems'`
	if tx.Dialect() == store.SQLite {
		q = `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'scope_systems'`
	}
	var n int
	if err := tx.QueryRow(q).Scan(&n); err != nil {
		return false, fmt.Errorf("look for the inventory's table: %w", err)
	}
	return n > 0, nil
}

// importInventory creates, for each system of every organisation: a plan covering it when
// its checkbox said it had one, a drill on its last drill date, and a backup record (tested
// on its last restore test date, or untested). Imported records say so; their approval,
// scenario and objectives were never recorded and show as missing.
func importInventory(tx *store.Tx) error {
	if ok, err := inventoryTable(tx); err != nil || !ok {
		return err
	}
	rows, err := tx.Query(`SELECT id, org_id, name, has_emergency_plan, last_drill, has_dr_backup, last_backup_test FROM scope_systems ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read the inventory's emergency checkboxes: %w", err)
	}
	type row struct {
		id, org           int64
		name              string
		plan, backup      bool
		drill, backupTest string
	}
	var todo []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.org, &r.name, &r.plan, &r.drill, &r.backup, &r.backupTest); err != nil {
			rows.Close()
			return fmt.Errorf("read the inventory's emergency checkboxes: %w", err)
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the inventory's emergency checkboxes: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	const by = "" // the page shows "imported" in the reader's language
	for _, r := range todo {
		systems := mustJSON([]int64{r.id})
		if r.plan {
			if _, err := tx.Exec(`INSERT INTO emergency_plans (org_id, title, version, systems, contacts, approved_by, approved_on, review_on, revised_after_drill, imported, created_by, created_at)
VALUES ($1, $2, '', $3, '', '', '', '', 0, TRUE, $4, $5)`, r.org, r.name+" 应急预案", systems, by, now); err != nil {
				return fmt.Errorf("import the plan of system %d: %w", r.id, err)
			}
		}
		if r.drill != "" {
			if _, err := tx.Exec(`INSERT INTO emergency_drills (org_id, held_on, scenario, systems, participants, findings, plan_id, revision_needed, imported, created_by, created_at)
VALUES ($1, $2, '', $3, '', '', 0, FALSE, TRUE, $4, $5)`, r.org, r.drill, systems, by, now); err != nil {
				return fmt.Errorf("import the drill of system %d: %w", r.id, err)
			}
		}
		if r.backup || r.backupTest != "" {
			// The checkbox never said where the backup is: recorded as in China, as the
			// product assumed, with the note saying the location is to be confirmed. A
			// recorded test is counted as having met its (unrecorded) objectives.
			if _, err := tx.Exec(`INSERT INTO emergency_backup_tests (org_id, systems, location, in_china, tested_on, rpo_target_min, rto_target_min, rpo_achieved_min, rto_achieved_min, notes, imported, created_by, created_at)
VALUES ($1, $2, '', TRUE, $3, 0, 0, 0, 0, '', TRUE, $4, $5)`, r.org, systems, r.backupTest, by, now); err != nil {
				return fmt.Errorf("import the backup of system %d: %w", r.id, err)
			}
		}
	}
	return nil
}
