package data

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// migrations are the files in migrations/ and step 2, in Go: the organisation profile's
// typed-in export numbers (export_pi_subjects, export_sensitive_pi_subjects and
// exports_important_data, columns of the scope capability's scope_profiles table) carried
// over honestly. A head-count typed into a form cannot become a transfer: nobody said to whom,
// of what, or when. So the numbers are kept as a declaration (data_declarations), which the
// data page shows with a request to record the transfers, and which counts — the larger of
// it and what the transfers give — until someone retires it. An organisation whose profile
// said nothing gets no declaration.
//
// Step 2 reads scope_profiles only when the columns exist (a store without the scope
// capability, or one created after a later release drops them, has nothing to carry over).
var migrations = store.MustSQLMigrations(files, "migrations", "data", store.Migration{
	Module: "data", Version: 2, Name: "carry over the organisation profile's typed-in export numbers", Go: carryOverProfile,
})

func carryOverProfile(tx *store.Tx) error {
	var n int
	q := `SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'scope_profiles' AND column_name = 'export_pi_subjects'`
	if tx.Dialect() == store.SQLite {
		q = `SELECT COUNT(*) FROM pragma_table_info('scope_profiles') WHERE name = 'export_pi_subjects'`
	}
	if err := tx.QueryRow(q).Scan(&n); err != nil {
		return fmt.Errorf("look for the profile's export columns: %w", err)
	}
	if n == 0 {
		return nil
	}
	rows, err := tx.Query(`SELECT org_id, export_pi_subjects, export_sensitive_pi_subjects, exports_important_data FROM scope_profiles
WHERE export_pi_subjects > 0 OR export_sensitive_pi_subjects > 0 OR exports_important_data`)
	if err != nil {
		return fmt.Errorf("read the profile's export numbers: %w", err)
	}
	type decl struct {
		org, pi, sensitive int64
		important          bool
	}
	var all []decl
	for rows.Next() {
		var d decl
		if err := rows.Scan(&d.org, &d.pi, &d.sensitive, &d.important); err != nil {
			rows.Close()
			return fmt.Errorf("read the profile's export numbers: %w", err)
		}
		all = append(all, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the profile's export numbers: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	for _, d := range all {
		if _, err := tx.Exec(`INSERT INTO data_declarations (org_id, export_pi_subjects, export_sensitive_pi_subjects, exports_important_data, migrated_at) VALUES ($1, $2, $3, $4, $5)`,
			d.org, d.pi, d.sensitive, d.important, now); err != nil {
			return fmt.Errorf("carry over organisation %d's export numbers: %w", d.org, err)
		}
	}
	return nil
}

// RetireDeclaration stops the carried-over export numbers counting, once the transfers are
// recorded: store.ErrNotFound when there is none, a conflict when already retired.
func (s *Service) RetireDeclaration(ctx context.Context) error {
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		d, err := readDeclaration(t)
		if err != nil {
			return err
		}
		if d == nil {
			return store.ErrNotFound
		}
		if !d.InUse() {
			return problem.Conflictf("declaration", "was retired on %s", d.RetiredAt.In(calendar.Shanghai).Format(time.DateOnly))
		}
		after := *d
		at, by := s.now(), audit.ActorFrom(ctx).Label
		after.RetiredAt, after.RetiredBy = &at, by
		if _, err := t.Exec(`UPDATE data_declarations SET retired_at = $2, retired_by = $3 WHERE org_id = $1`, at, by); err != nil {
			return fmt.Errorf("retire the declaration: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "data_declaration", strconv.FormatInt(t.OrgID(), 10), audit.Update, d, after, "retired")
	})
}
