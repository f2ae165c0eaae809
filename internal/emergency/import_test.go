package emergency_test

import (
	"context"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestImportInventoryCheckboxes upgrades an installation whose inventory still holds the
// four emergency checkboxes: the emergency migration turns each system's values into
// records — a plan, a drill on the recorded date, a backup tested (or not) on the recorded
// date — in the system's own organisation, and leaves systems without values alone.
func TestImportInventoryCheckboxes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		all := app.Migrations(app.Modules())
		var before []store.Migration
		for _, m := range all {
			if m.Module != "emergency" {
				before = append(before, m)
			}
		}
		db := storetest.Open(t, d, before)
		ctx := context.Background()
		now := time.Now().UTC()
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, org := range []string{"甲", "乙"} {
				if _, err := tx.Exec(`INSERT INTO orgs (kind, name_zh, name_en, created_at) VALUES ('operator', $1, $1, $2)`, org, now); err != nil {
					return err
				}
			}
			for _, r := range []struct {
				org               int64
				name              string
				plan, dr          bool
				drill, backupTest string
			}{
				{1, "计划系统", true, false, "2026-03-01", ""},
				{1, "备份系统", false, true, "", "2026-02-01"},
				{1, "未测备份", false, true, "", ""},
				{1, "空白系统", false, false, "", ""},
				{2, "乙的系统", true, true, "2026-04-01", "2026-04-02"},
			} {
				if _, err := tx.Exec(`INSERT INTO scope_systems (org_id, name, sector, has_emergency_plan, last_drill, has_dr_backup, last_backup_test, created_at, updated_at)
VALUES ($1, $2, 'energy', $3, $4, $5, $6, $7, $7)`, r.org, r.name, r.plan, r.drill, r.dr, r.backupTest, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(all); err != nil {
			t.Fatal(err)
		}
		// What each organisation holds now, written out by hand from the rows above.
		want := map[int64][]string{
			1: {"plan 计划系统", "drill 2026-03-01 计划系统", "backup 2026-02-01 备份系统", "backup  未测备份"},
			2: {"plan 乙的系统", "drill 2026-04-01 乙的系统", "backup 2026-04-02 乙的系统"},
		}
		for org, w := range want {
			var got []string
			err := db.ReadTenant(store.WithOrg(ctx, org), func(t *store.Tenant) error {
				for _, q := range []string{
					`SELECT 'plan ' || s.name FROM emergency_plans p JOIN scope_systems s ON p.systems = '[' || s.id || ']' WHERE p.org_id = $1 AND p.imported ORDER BY p.id`,
					`SELECT 'drill ' || d.held_on || ' ' || s.name FROM emergency_drills d JOIN scope_systems s ON d.systems = '[' || s.id || ']' WHERE d.org_id = $1 AND d.imported ORDER BY d.id`,
					`SELECT 'backup ' || b.tested_on || ' ' || s.name FROM emergency_backup_tests b JOIN scope_systems s ON b.systems = '[' || s.id || ']' WHERE b.org_id = $1 AND b.imported ORDER BY b.id`,
				} {
					rows, err := t.Query(q)
					if err != nil {
						return err
					}
					for rows.Next() {
						var s string
						if err := rows.Scan(&s); err != nil {
							rows.Close()
							return err
						}
						got = append(got, s)
					}
					rows.Close()
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(w) {
				t.Fatalf("organisation %d: %q, want %q", org, got, w)
			}
			for i := range w {
				if got[i] != w[i] {
					t.Errorf("organisation %d: %q, want %q", org, got, w)
					break
				}
			}
		}
	})
}
