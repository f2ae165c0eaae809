package store_test

import (
	"context"
	"testing"
	"time"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestTimesCompareAcrossZones stores times given in UTC and in China time and selects them
// with bounds given in the other zone. 22:30 UTC on 1 December is 06:30 on 2 December in
// Beijing, so it is inside the Beijing day of 2 December (16:00 UTC on the 1st to 16:00 UTC on
// the 2nd) and 15:59 UTC is not. On SQLite, which compares times as text, a bound written
// with +08:00 against values written with +00:00 got this wrong between 16:00 and 24:00 UTC
// every day (the demo trend kept every run of those hours as a separate day).
func TestTimesCompareAcrossZones(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		db := storetest.Open(t, d, testMigs)
		ctx := store.WithOrg(context.Background(), 7)
		rows := map[string]time.Time{
			"inside, stored in UTC":      time.Date(2026, 12, 1, 22, 30, 0, 0, time.UTC),
			"inside, stored in CST":      time.Date(2026, 12, 2, 23, 0, 0, 0, cst),
			"before, stored in UTC":      time.Date(2026, 12, 1, 15, 59, 0, 0, time.UTC),
			"after, stored in CST":       time.Date(2026, 12, 3, 0, 0, 0, 0, cst),
			"inside, stored in UTC, end": time.Date(2026, 12, 2, 15, 59, 59, 0, time.UTC),
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			ten, err := tx.Tenant()
			if err != nil {
				return err
			}
			for name, at := range rows {
				if _, err := ten.Exec(`INSERT INTO widgets (org_id, name, at) VALUES ($1, $2, $3)`, name, at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 12, 2, 0, 0, 0, 0, cst)
		for _, bounds := range [][2]time.Time{{day, day.Add(24 * time.Hour)}, {day.UTC(), day.Add(24 * time.Hour).UTC()}} {
			var n int
			err := db.Read(ctx, func(tx *store.Tx) error {
				ten, _ := tx.Tenant()
				return ten.QueryRow(`SELECT COUNT(*) FROM widgets WHERE org_id = $1 AND at >= $2 AND at < $3`, bounds[0], bounds[1]).Scan(&n)
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != 3 {
				t.Errorf("bounds %v–%v: %d rows in the Beijing day of 2 December, want 3", bounds[0], bounds[1], n)
			}
		}
	})
}
