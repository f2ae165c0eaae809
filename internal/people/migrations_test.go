package people_test

import (
	"context"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/kernel"
	"ciiguard/internal/people"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestProfileCheckboxesCarriedOver upgrades a store whose organisation profiles still hold
// the three retired checkboxes, on both engines: an organisation that ticked all three gets
// its security organisation (source "profile", no head) and a declaration, but no person
// and no vetted manager — its facts say the unit exists and nobody is named or vetted; one
// that ticked nothing gets nothing.
func TestProfileCheckboxesCarriedOver(t *testing.T) {
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
			if m.Name() != "people" {
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
				`INSERT INTO scope_profiles (org_id, security_org_established, security_manager_appointed, security_manager_vetted, updated_at) VALUES (1, TRUE, TRUE, TRUE, $1)`,
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
		if len(applied) != 2 {
			t.Errorf("applied %v, want people's two steps", applied)
		}
		s := people.NewService(db)
		f, err := s.Facts(store.WithOrg(ctx, 1))
		if err != nil {
			t.Fatal(err)
		}
		if !f.SecurityOrgEstablished || f.HeadNamed || f.ManagerNamed || f.ManagerVetted {
			t.Errorf("organisation 1 facts %+v: want the unit established and nobody named or vetted", f)
		}
		decl, err := s.Declaration(store.WithOrg(ctx, 1))
		if err != nil || decl == nil || !decl.ManagerAppointed || !decl.ManagerVetted {
			t.Errorf("organisation 1 declaration %+v, %v", decl, err)
		}
		rs, err := s.Records(store.WithOrg(ctx, 1))
		if err != nil || rs.Unit == nil || rs.Unit.Source != "profile" || len(rs.Persons) != 0 {
			t.Errorf("organisation 1 records %+v, %v: want a unit from the profile and no person", rs, err)
		}
		f2, err := s.Facts(store.WithOrg(ctx, 2))
		if err != nil || f2.SecurityOrgEstablished {
			t.Errorf("organisation 2 facts %+v, %v: want nothing", f2, err)
		}
		if decl, err := s.Declaration(store.WithOrg(ctx, 2)); err != nil || decl != nil {
			t.Errorf("organisation 2 declaration %+v, %v: want none", decl, err)
		}
	})
}
