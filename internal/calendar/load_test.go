package calendar

import (
	"strings"
	"testing"
	"time"
)

// TestProvisionalYearThenLoaded: a 10-working-day clock that starts on Sunday 2026-12-20 ends
// in 2027, a year this release has no State Council schedule for. It is counted on weekends
// only — 21–25, 28–31 December and Friday 1 January 2027 — and reported as provisional, never
// refused. Once an administrator loads 2027 with New Year's Day off (《全国年节及纪念日放假办法》
// 第二条：新年，放假1天（1月1日）), the same clock ends on Monday 4 January and is no longer
// provisional.
func TestProvisionalYearThenLoaded(t *testing.T) {
	c, err := New(WithWeekendsOnlyFallback())
	if err != nil {
		t.Fatal(err)
	}
	start := day("2026-12-20")
	got, err := c.AddWorkingDays(start, 10)
	if err != nil {
		t.Fatalf("a clock into 2027 was refused: %v", err)
	}
	if g := got.Format(time.DateOnly); g != "2027-01-01" {
		t.Errorf("weekends only: ends %s, want 2027-01-01", g)
	}
	if m := c.MissingYears(start, got); len(m) != 1 || m[0] != 2027 {
		t.Errorf("missing years %v, want [2027]", m)
	}
	scheds, err := ParseSchedules([]byte("years:\n  2027:\n    source: test notice\n    holidays:\n      - {name: 元旦, from: 2027-01-01, to: 2027-01-01}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Load(scheds[0]); err != nil {
		t.Fatal(err)
	}
	got, _ = c.AddWorkingDays(start, 10)
	if g := got.Format(time.DateOnly); g != "2027-01-04" {
		t.Errorf("with 2027 loaded: ends %s, want 2027-01-04", g)
	}
	if m := c.MissingYears(start, got); len(m) != 0 {
		t.Errorf("still missing %v after loading 2027", m)
	}
	// The shared calendar counts an unknown year instead of refusing it.
	if _, err := Official().AddWorkingDays(day("2031-03-03"), 5); err != nil {
		t.Errorf("Official refused an unknown year: %v", err)
	}
}

// TestLoadRefusesBadSchedules: the loaded form is the built-in one and is checked the same
// way; a built-in year cannot be replaced at run time.
func TestLoadRefusesBadSchedules(t *testing.T) {
	c, _ := New(WithWeekendsOnlyFallback())
	cases := map[string]string{
		"years:\n  2027:\n    workdays: [2027-01-04]\n":                                  "not a weekend day",
		"years:\n  2027:\n    holidays: [{name: x, from: 2028-01-01, to: 2028-01-01}]\n": "another year",
		"years:\n  2027:\n    holidays: [{name: x, from: 2027-01-03, to: 2027-01-01}]\n": "ends before it starts",
		"years:\n  2027:\n    holiday: []\n":                                             "not found",
		"years: {}\n":                                                                    "no years",
		"not yaml: [":                                                                    "parse",
	}
	for in, want := range cases {
		_, err := ParseSchedules([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error with %q", in, err, want)
		}
	}
	b, _ := Builtin()
	if err := c.Load(b[0]); err == nil || !strings.Contains(err.Error(), "shipped") {
		t.Errorf("replacing built-in %d: %v", b[0].Year, err)
	}
	if err := c.Load(Schedule{Year: 2027, Workdays: []time.Time{day("2027-01-05")}}); err == nil {
		t.Error("a make-up day on a Tuesday loaded")
	}
}
