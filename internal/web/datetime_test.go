package web

import (
	"testing"
	"time"
)

// TestDatesShownInBeijingTime checks the date and datetime template functions against
// hand-worked Beijing (UTC+8) readings: the people reading ciiguard count their days in
// China Standard Time, so a record made at 01:00 in Beijing belongs to that Beijing day, not
// to the UTC day before it.
func TestDatesShownInBeijingTime(t *testing.T) {
	date := funcs["date"].(func(any) string)
	datetime := funcs["datetime"].(func(any) string)
	early := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC) // 2026-12-02 01:00 in Beijing
	cases := []struct {
		name         string
		in           any
		day, instant string
	}{
		{"before dawn in Beijing, the evening before in UTC", early, "2026-12-02", "2026-12-02 01:00:00 +08:00"},
		{"a pointer to it", &early, "2026-12-02", "2026-12-02 01:00:00 +08:00"},
		{"a date stored as UTC midnight keeps its day", time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC), "2027-01-31", "2027-01-31 08:00:00 +08:00"},
		{"Beijing midnight keeps its day", time.Date(2027, 2, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)), "2027-02-01", "2027-02-01 00:00:00 +08:00"},
		{"the last second of a Beijing day", time.Date(2026, 12, 31, 15, 59, 59, 0, time.UTC), "2026-12-31", "2026-12-31 23:59:59 +08:00"},
		{"zero time shows nothing", time.Time{}, "", ""},
		{"nil pointer shows nothing", (*time.Time)(nil), "", ""},
		{"not a time shows nothing", "2026-12-02", "", ""},
	}
	if got, want := funcs["utctime"].(func(any) string)(early), "2026-12-01 17:00:00 UTC"; got != want {
		t.Errorf("the log vault's utctime = %q, want %q", got, want)
	}
	for _, c := range cases {
		if got := date(c.in); got != c.day {
			t.Errorf("%s: date = %q, want %q", c.name, got, c.day)
		}
		if got := datetime(c.in); got != c.instant {
			t.Errorf("%s: datetime = %q, want %q", c.name, got, c.instant)
		}
	}
}
