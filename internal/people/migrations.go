package people

import (
	"fmt"
	"time"

	"ciiguard/internal/store"
)

// migrations are the files in migrations/ and step 2, in Go: the organisation profile's
// three retired checkboxes (security_org_established, security_manager_appointed,
// security_manager_vetted, columns of the scope capability's scope_profiles table, which
// scope no longer reads or writes) carried over honestly:
//
//   - "organisation established" becomes the security organisation's record, with no name
//     of its own and no head (source "profile"): the organisation declared it exists, which
//     is all the checkbox ever said;
//   - "manager appointed" and "manager vetted" cannot become a person, let alone a vetted
//     one: nobody was named and no check was recorded. They are kept as declarations
//     (people_declarations), which the people page shows with a request to record the
//     manager and the check; until then the duties that need a named, vetted manager are
//     gaps.
//
// Step 2 reads scope_profiles only when the columns exist (a store without the scope
// capability, or one created after a later release drops them, has nothing to carry over).
var migrations = append(store.MustSQLMigrations(files, "migrations", "people"), store.Migration{
	Module: "people", Version: 2, Name: "carry over the organisation profile's security organisation checkboxes", Go: carryOverProfile,
})

func carryOverProfile(tx *store.Tx) error {
	var n int
	q := `SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'scope_profiles' AND column_name = 'security_manager_vetted'`
	if tx.Dialect() == store.SQLite {
		q = `SELECT COUNT(*) FROM pragma_table_info('scope_profiles') WHERE name = 'security_manager_vetted'`
	}
	if err := tx.QueryRow(q).Scan(&n); err != nil {
		return fmt.Errorf("look for the profile's retired columns: %w", err)
	}
	if n == 0 {
		return nil
	}
	rows, err := tx.Query(`SELECT org_id, security_org_established, security_manager_appointed, security_manager_vetted FROM scope_profiles
WHERE security_org_established OR security_manager_appointed OR security_manager_vetted`)
	if err != nil {
		return fmt.Errorf("read the profile's retired checkboxes: %w", err)
	}
	type decl struct {
		org                       int64
		established, appointed, v bool
	}
	var all []decl
	for rows.Next() {
		var d decl
		if err := rows.Scan(&d.org, &d.established, &d.appointed, &d.v); err != nil {
			rows.Close()
			return fmt.Errorf("read the profile's retired checkboxes: %w", err)
		}
		all = append(all, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the profile's retired checkboxes: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	for _, d := range all {
		if d.established {
			if _, err := tx.Exec(`INSERT INTO people_units (org_id, name, established_on, source, updated_at) VALUES ($1, '', '', 'profile', $2)`, d.org, now); err != nil {
				return fmt.Errorf("carry over organisation %d's security organisation: %w", d.org, err)
			}
		}
		if _, err := tx.Exec(`INSERT INTO people_declarations (org_id, org_established, manager_appointed, manager_vetted, migrated_at) VALUES ($1, $2, $3, $4, $5)`,
			d.org, d.established, d.appointed, d.v, now); err != nil {
			return fmt.Errorf("keep organisation %d's declarations: %w", d.org, err)
		}
	}
	return nil
}
