package oversight

import (
	"testing"
	"time"

	"ciiguard/internal/calendar"
)

// TestAnnualClockTable checks the annual report clock against dates worked out by hand
// from the rule in annual.go: due dates on the anniversary of identification (or the
// department's fixed day, first after identification), the latest report filed on or
// after identification covering the year it falls in, overdue from the day after.
func TestAnnualClockTable(t *testing.T) {
	cases := []struct {
		name                  string
		identified            string
		filed                 []string
		today, day            string
		wantDue, wantLast, st string
	}{
		{"none filed, on the anniversary", "2025-03-15", nil, "2026-03-15", "", "2026-03-15", "", AnnualDue},
		{"none filed, the day after", "2025-03-15", nil, "2026-03-16", "", "2026-03-15", "", AnnualOverdue},
		{"filed in the first year", "2025-03-15", []string{"2025-12-01"}, "2026-03-16", "", "2027-03-15", "2025-12-01", AnnualDue},
		{"filed before identification only", "2025-03-15", []string{"2025-03-14"}, "2026-04-01", "", "2026-03-15", "", AnnualOverdue},
		{"filed on the identification day", "2025-03-15", []string{"2025-03-15"}, "2026-04-01", "", "2027-03-15", "2025-03-15", AnnualDue},
		{"filed on the due day", "2025-03-15", []string{"2026-03-15"}, "2026-03-20", "", "2027-03-15", "2026-03-15", AnnualDue},
		{"filed late, counts for its own year", "2025-03-15", []string{"2026-05-01"}, "2026-05-02", "", "2028-03-15", "2026-05-01", AnnualDue},
		{"second year missed", "2025-03-15", []string{"2025-10-01"}, "2027-03-16", "", "2027-03-15", "2025-10-01", AnnualOverdue},
		{"reports in any order", "2025-03-15", []string{"2026-01-05", "2025-05-01"}, "2026-06-01", "", "2027-03-15", "2026-01-05", AnnualDue},
		{"29 February, none filed", "2024-02-29", nil, "2025-03-01", "", "2025-02-28", "", AnnualOverdue},
		{"29 February, filed", "2024-02-29", []string{"2025-02-28"}, "2025-03-01", "", "2026-02-28", "2025-02-28", AnnualDue},
		{"31 August, anniversary", "2023-08-31", nil, "2024-08-31", "", "2024-08-31", "", AnnualDue},
		{"fixed day, first after identification", "2025-06-10", nil, "2026-03-31", "03-31", "2026-03-31", "", AnnualDue},
		{"fixed day, the day after", "2025-06-10", nil, "2026-04-01", "03-31", "2026-03-31", "", AnnualOverdue},
		{"fixed day equal to identification: next year", "2025-03-31", []string{"2025-04-02"}, "2026-04-01", "03-31", "2027-03-31", "2025-04-02", AnnualDue},
		{"fixed day later the same year", "2025-01-10", nil, "2025-02-01", "01-31", "2025-01-31", "", AnnualOverdue},
		{"fixed 29 February", "2025-06-01", []string{"2026-03-01"}, "2026-03-02", "02-29", "2028-02-29", "2026-03-01", AnnualDue},
		{"fixed 29 February, none", "2025-06-01", nil, "2026-03-01", "02-29", "2026-02-28", "", AnnualOverdue},
	}
	for _, c := range cases {
		due, last, st := annualClock(c.identified, c.filed, c.today, c.day)
		if due != c.wantDue || last != c.wantLast || st != c.st {
			t.Errorf("%s: got due %s, last %q, %s; want due %s, last %q, %s", c.name, due, last, st, c.wantDue, c.wantLast, c.st)
		}
	}
}

// TestAnnualSettingDays lists the department's fixed days accepted and refused.
func TestAnnualSettingDays(t *testing.T) {
	for day, ok := range map[string]bool{"03-31": true, "12-31": true, "02-29": true, "01-01": true,
		"02-30": false, "04-31": false, "13-01": false, "00-10": false, "3-31": false, "03/31": false, "": false, "aa-bb": false, "03-31x": false} {
		if _, _, got := parseMonthDay(day); got != ok {
			t.Errorf("parseMonthDay(%q) = %v, want %v", day, got, ok)
		}
	}
}

// TestImportedReportsCountOnTheClock: reports imported from signed bundles count on the
// annual clock on the Beijing day of their import, beside those filed in ciiguard; an
// operator of another installation (no organisation here) runs the clock once one is
// imported, and is outside before. Hand-worked: identified 2025-03-15, anniversaries.
func TestImportedReportsCountOnTheClock(t *testing.T) {
	bj := func(s string) time.Time {
		d, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		name               string
		operator           int64
		filed, imported    []time.Time
		wantState, wantDue string
		wantLast           string
	}{
		{"elsewhere, none imported", 0, nil, nil, AnnualOutside, "", ""},
		{"elsewhere, one imported (00:30 Beijing is still that day)", 0, nil, []time.Time{bj("2025-11-20 00:30")}, AnnualDue, "2027-03-15", "2025-11-20"},
		{"elsewhere, imported before identification only", 0, nil, []time.Time{bj("2025-03-01 10:00")}, AnnualOverdue, "2026-03-15", ""},
		{"here, filed earlier and imported later", 7, []time.Time{bj("2025-06-01 09:00")}, []time.Time{bj("2026-04-02 09:00")}, AnnualDue, "2028-03-15", "2026-04-02"},
		{"here, imported only", 7, nil, []time.Time{bj("2026-03-15 23:50")}, AnnualDue, "2027-03-15", "2026-03-15"},
	} {
		e := &Entry{OperatorID: c.operator, Identified: true, IdentifiedOn: "2025-03-15"}
		setAnnualClock(e, c.filed, c.imported, "2026-05-01", "")
		if e.Annual != c.wantState || e.AnnualDueOn != c.wantDue || e.AnnualLastOn != c.wantLast {
			t.Errorf("%s: %s, due %q, last %q; want %s, due %q, last %q", c.name, e.Annual, e.AnnualDueOn, e.AnnualLastOn, c.wantState, c.wantDue, c.wantLast)
		}
	}
}
