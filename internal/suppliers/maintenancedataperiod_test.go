package suppliers

import (
	"testing"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
)

// TestMaintenanceDataPeriod holds PeriodGap, LinkState and the incomplete count to a
// hand-written table of China-time days: a transfer carries remote access only from its first
// day to its last (both counted), so maintenance that starts earlier, or runs on after the
// transfer ended or was stopped, is linked but out of period, and counts as incomplete while
// it runs (today 2026-12-03).
func TestMaintenanceDataPeriod(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, s, calendar.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	ptr := func(s string) *time.Time { d := day(s); return &d }
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, calendar.Shanghai)
	cases := []struct {
		name       string
		xStart     time.Time
		xEnd       *time.Time
		mStart     string
		mEnd       *time.Time
		gap, state string
		incomplete int64
	}{
		{"starts the day before the transfer", day("2026-03-01"), nil, "2026-02-28", nil, GapStartsBefore, LinkPeriod, 1},
		{"starts the day the transfer starts", day("2026-03-01"), nil, "2026-03-01", nil, "", LinkComplete, 0},
		{"the transfer's start given in UTC, the same China day", time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC), nil, "2026-03-01", nil, "", LinkComplete, 0},
		{"ends on the transfer's last day (ended, counts for nothing)", day("2026-01-01"), ptr("2026-11-30"), "2026-02-01", ptr("2026-11-30"), "", LinkComplete, 0},
		{"runs on after the transfer was stopped", day("2026-01-01"), ptr("2026-11-30"), "2026-02-01", ptr("2026-12-31"), GapEndsAfter, LinkPeriod, 1},
		{"no end, the transfer was stopped", day("2026-01-01"), ptr("2026-11-30"), "2026-02-01", nil, GapOpenAfter, LinkPeriod, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := kernel.TransferRoute{ID: 1, Categories: []string{"pi"}, Route: "contract", Complete: true, StartsOn: c.xStart, EndsOn: c.xEnd}
			m := Maintenance{ID: 1, SystemID: 7, StartsOn: day(c.mStart), EndsOn: c.mEnd, DataAccess: []string{"pi"}, TransferID: 1}
			if got := PeriodGap(m, x); got != c.gap {
				t.Errorf("gap %q, want %q", got, c.gap)
			}
			if got := LinkState(m, []kernel.TransferRoute{x}); got != c.state {
				t.Errorf("state %q, want %q", got, c.state)
			}
			f := ComputeFacts(records{maintenance: []Maintenance{m}, routes: []kernel.TransferRoute{x}}, nil, now)
			if f.MaintenanceDataIncomplete != c.incomplete || f.MaintenanceDataUntransferred != 0 {
				t.Errorf("incomplete %d, without %d; want %d and 0", f.MaintenanceDataIncomplete, f.MaintenanceDataUntransferred, c.incomplete)
			}
		})
	}
}
