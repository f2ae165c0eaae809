package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/kernel/uscc"
	"ciiguard/internal/store"
)

// TestDemoUSCCsValidate reads every column whose name holds "uscc" in every table of the
// seeded demo and checks each non-empty value with the GB 32100-2015 checker: a demo that
// shows a code the profile form would refuse teaches the wrong thing. Columns are found
// by name, so a capability that adds one is covered without editing the test. It failed
// first on the grid's and the water company's organisation records (91110000MA00000012,
// 91110000MA0000002P: "character 17 … should be '7'").
func TestDemoUSCCsValidate(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	ctx := context.Background()
	checked := 0
	err := env.App.DB.Read(ctx, func(tx *store.Tx) error {
		var cols [][2]string // table, column
		rows, err := tx.Query(`SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND lower(p.name) LIKE '%uscc%'`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var tc [2]string
			if err := rows.Scan(&tc[0], &tc[1]); err != nil {
				rows.Close()
				return err
			}
			cols = append(cols, tc)
		}
		rows.Close()
		if len(cols) < 3 {
			return fmt.Errorf("found only %d uscc columns (%v): is the query looking in the right place?", len(cols), cols)
		}
		for _, tc := range cols {
			rows, err := tx.Query(fmt.Sprintf(`SELECT DISTINCT %q FROM %q WHERE %q IS NOT NULL AND %q <> ''`, tc[1], tc[0], tc[1], tc[1]))
			if err != nil {
				return fmt.Errorf("%s.%s: %w", tc[0], tc[1], err)
			}
			for rows.Next() {
				var code string
				if err := rows.Scan(&code); err != nil {
					rows.Close()
					return err
				}
				checked++
				// A column may keep a masked or hashed code; only 18-character values are codes.
				if len(code) != 18 || strings.Contains(code, "*") {
					continue
				}
				if err := uscc.Validate(code); err != nil {
					t.Errorf("%s.%s: demo code %s: %v", tc[0], tc[1], code, err)
				}
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d codes: the demo has more (50 app developers, suppliers, the registry)", checked)
	}
}
