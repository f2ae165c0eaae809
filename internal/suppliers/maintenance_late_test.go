package suppliers

import (
	"testing"
	"time"

	"ciiguard/internal/calendar"
)

// TestMaintenanceReportedLate holds the maintenance facts to a hand-written table: the duty
// is to report an arrangement from abroad before it starts (CIIR draft 2017 Art. 34), so a
// report dated after the first day is "reported late" — counted apart from "unreported", on
// the system and for the organisation — and a report on the first day is in advance. Ended
// arrangements count for neither.
func TestMaintenanceReportedLate(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, calendar.Shanghai)
	d := func(n int) *time.Time { x := chinaDay(now).AddDate(0, 0, n); return &x }
	cases := []struct {
		name             string
		starts           int
		ends, reported   *time.Time
		unreported, late int64
	}{
		{"not reported, started", -10, nil, nil, 1, 0},
		{"not reported, starts next week", 7, nil, nil, 1, 0},
		{"reported the day before", -10, nil, d(-11), 0, 0},
		{"reported on the first day", -10, nil, d(-10), 0, 0},
		{"reported the day after it started", -10, nil, d(-9), 0, 1},
		{"reported today, started a month ago", -30, nil, d(0), 0, 1},
		{"reported late, ended yesterday", -30, d(-1), d(-2), 0, 0},
		{"reported late, ends today", -30, d(0), d(-2), 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := Maintenance{ID: 1, SystemID: 7, StartsOn: *d(c.starts), EndsOn: c.ends, ReportedOn: c.reported}
			rec := records{maintenance: []Maintenance{m}}
			f := ComputeFacts(rec, nil, now)
			if f.MaintenanceUnreported != c.unreported || f.MaintenanceReportedLate != c.late {
				t.Errorf("organisation: unreported %d late %d, want %d and %d", f.MaintenanceUnreported, f.MaintenanceReportedLate, c.unreported, c.late)
			}
			sys := ComputeSystemFacts(rec, now)[7]
			if sys.MaintenanceUnreported != c.unreported || sys.MaintenanceReportedLate != c.late {
				t.Errorf("system: unreported %d late %d, want %d and %d", sys.MaintenanceUnreported, sys.MaintenanceReportedLate, c.unreported, c.late)
			}
			if k := maintenanceBySystem(rec.maintenance, now)[7]; int64(k.ReportedLate) != c.late {
				t.Errorf("kernel.SystemMaintenance: late %d, want %d", k.ReportedLate, c.late)
			}
		})
	}
}
