package data_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/audit"
	"ciiguard/internal/data"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestProfileExportNumbersCarriedOver upgrades a store whose organisation profiles hold
// typed-in export numbers, on both engines: an organisation that typed 150,000 people, 20
// sensitive and important data gets a declaration holding exactly those, still in use; one
// that typed nothing gets none.
func TestProfileExportNumbersCarriedOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		ctx := context.Background()
		db, err := store.Open(ctx, storetest.DSN(t, d))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var without []kernel.Module
		for _, m := range app.Modules() {
			if m.Name() != "data" {
				without = append(without, m)
			}
		}
		if _, err := db.Migrate(app.Migrations(without)); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		if err := db.Write(ctx, func(tx *store.Tx) error {
			for _, q := range []string{
				`INSERT INTO orgs (id, kind, name_zh, name_en, created_at) VALUES (1, 'operator', '甲', 'A', $1)`,
				`INSERT INTO orgs (id, kind, name_zh, name_en, created_at) VALUES (2, 'operator', '乙', 'B', $1)`,
				`INSERT INTO scope_profiles (org_id, export_pi_subjects, export_sensitive_pi_subjects, exports_important_data, has_important_data, updated_at) VALUES (1, 150000, 20, TRUE, TRUE, $1)`,
				`INSERT INTO scope_profiles (org_id, updated_at) VALUES (2, $1)`,
			} {
				if _, err := tx.Exec(q, now); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		applied, err := db.Migrate(app.Migrations(app.Modules()))
		if err != nil {
			t.Fatal(err)
		}
		// Every step of data's, the carry-over (2) among them, and nobody else's.
		var carried bool
		for _, a := range applied {
			if !strings.HasPrefix(a, "data/") {
				t.Errorf("applied %q, not a step of data's", a)
			}
			carried = carried || strings.HasPrefix(a, "data/2 ")
		}
		if !carried {
			t.Errorf("applied %v, want data's steps with the carry-over", applied)
		}
		s := data.NewService(db, nil)
		rs, err := s.Records(store.WithOrg(ctx, 1))
		if err != nil || rs.Declaration == nil || !rs.Declaration.InUse() || rs.Declaration.ExportPISubjects != 150000 ||
			rs.Declaration.ExportSensitivePISubjects != 20 || !rs.Declaration.ExportsImportantData {
			t.Errorf("organisation 1: declaration %+v, %v; want 150000, 20, important, in use", rs.Declaration, err)
		}
		// Retired once the transfers are recorded: no longer in use, and not twice.
		org1 := audit.WithActor(store.WithOrg(ctx, 1), audit.Actor{OrgID: 1, Label: "test"})
		if err := s.RetireDeclaration(org1); err != nil {
			t.Fatal(err)
		}
		if rs, err := s.Records(org1); err != nil || rs.Declaration.InUse() || rs.Declaration.RetiredBy != "test" {
			t.Errorf("organisation 1 after retiring: %+v, %v", rs.Declaration, err)
		}
		if err := s.RetireDeclaration(org1); err == nil {
			t.Error("retired twice")
		}
		if err := s.RetireDeclaration(store.WithOrg(ctx, 2)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("organisation 2 retiring nothing: %v, want not found", err)
		}
		if rs, err := s.Records(store.WithOrg(ctx, 2)); err != nil || rs.Declaration != nil {
			t.Errorf("organisation 2: declaration %+v, %v; want none", rs.Declaration, err)
		}
	})
}
