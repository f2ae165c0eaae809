package logs_test

import (
	"strings"
	"testing"
	"time"

	"ciiguard/internal/logs"
)

// sixMonthsBack is "six months" counted as calendar months, as a Chinese court counts them:
// the same day number six months earlier, or that month's last day when it has none (31
// August back six months is 28 or 29 February). Written by hand with a month-length table, it
// is the oracle for the vault's floor, not a call to the code under test.
func sixMonthsBack(y int, m time.Month, d int) time.Time {
	lengths := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	mm := int(m) - 6
	yy := y
	if mm < 1 {
		mm += 12
		yy--
	}
	last := lengths[mm]
	if mm == 2 && (yy%4 == 0 && yy%100 != 0 || yy%400 == 0) {
		last = 29
	}
	if d > last {
		d = last
	}
	return time.Date(yy, time.Month(mm), d, 0, 0, 0, 0, time.UTC)
}

// TestRetentionFloorCoversSixCalendarMonths: CSL 2016 Art. 21(3) / 2025 Art. 23(3) — "按照规定
// 留存相关的网络日志不少于六个月". Six calendar months back from a day are 181 to 184 days
// depending on the dates (1 January back to 1 July is 184), so the floor must be the longest,
// 184 days, for the logs of six months to be there on every day of the year; and the refusal
// says so.
func TestRetentionFloorCoversSixCalendarMonths(t *testing.T) {
	shortest, longest := 1000, 0
	for d := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2029; d = d.AddDate(0, 0, 1) {
		n := int(d.Sub(sixMonthsBack(d.Year(), d.Month(), d.Day())).Hours() / 24)
		shortest, longest = min(shortest, n), max(longest, n)
	}
	if shortest != 181 || longest != 184 {
		t.Fatalf("oracle: six months back span %d–%d days, want 181–184", shortest, longest)
	}
	if logs.MinRetentionDays != longest {
		t.Errorf("retention floor %d days; six calendar months back from some days need %d", logs.MinRetentionDays, longest)
	}
	for _, want := range []string{"184", "六个月", "Art. 21(3)", "181"} {
		if !strings.Contains(logs.RetentionReason, want) {
			t.Errorf("refusal %q does not say %q", logs.RetentionReason, want)
		}
	}
}
