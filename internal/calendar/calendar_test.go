package calendar

import (
	"errors"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestIsWorkingDay(t *testing.T) {
	cases := []struct {
		date string
		want bool
		why  string
	}{
		{"2024-01-01", false, "New Year 2024"},
		{"2024-02-04", true, "Sunday make-up before Spring Festival 2024"},
		{"2024-02-09", true, "Chinese New Year's Eve 2024 was not an official holiday"},
		{"2024-02-10", false, "Spring Festival 2024"},
		{"2024-02-18", true, "Sunday make-up after Spring Festival 2024"},
		{"2024-05-11", true, "Saturday make-up after Labour Day 2024"},
		{"2024-09-14", true, "Saturday make-up before Mid-Autumn 2024"},
		{"2024-09-29", true, "Sunday make-up before National Day 2024"},
		{"2024-10-04", false, "National Day week 2024"},
		{"2024-10-08", true, "first day back after National Day 2024"},
		{"2024-10-12", true, "Saturday make-up after National Day 2024"},
		{"2024-10-13", false, "ordinary Sunday"},
		{"2025-01-26", true, "Sunday make-up before Spring Festival 2025"},
		{"2025-01-28", false, "Chinese New Year's Eve 2025, a holiday from 2025"},
		{"2025-02-04", false, "last day of Spring Festival 2025"},
		{"2025-02-05", true, "back to work after Spring Festival 2025"},
		{"2025-02-08", true, "Saturday make-up after Spring Festival 2025"},
		{"2025-05-05", false, "fifth day of Labour Day 2025"},
		{"2025-06-02", false, "Dragon Boat 2025 (Monday)"},
		{"2025-09-28", true, "Sunday make-up before National Day 2025"},
		{"2025-10-08", false, "eighth day of National Day and Mid-Autumn 2025"},
		{"2025-10-11", true, "Saturday make-up after National Day 2025"},
		{"2025-12-31", true, "ordinary Wednesday"},
		{"2026-01-02", false, "New Year 2026"},
		{"2026-01-04", true, "Sunday make-up after New Year 2026"},
		{"2026-02-13", true, "Friday before Spring Festival 2026"},
		{"2026-02-14", true, "Saturday make-up before Spring Festival 2026"},
		{"2026-02-15", false, "first day of Spring Festival 2026 (a Sunday in the run)"},
		{"2026-02-16", false, "Spring Festival 2026 (Chinese New Year's Eve)"},
		{"2026-02-23", false, "last day of Spring Festival 2026 (Monday)"},
		{"2026-02-24", true, "back to work after Spring Festival 2026"},
		{"2026-02-28", true, "Saturday make-up after Spring Festival 2026"},
		{"2026-03-01", false, "ordinary Sunday after the make-up Saturday"},
		{"2026-04-06", false, "Qingming 2026 (Monday)"},
		{"2026-05-05", false, "last day of Labour Day 2026 (Tuesday)"},
		{"2026-05-09", true, "Saturday make-up after Labour Day 2026"},
		{"2026-06-19", false, "Dragon Boat 2026"},
		{"2026-09-20", true, "Sunday make-up before National Day 2026"},
		{"2026-09-25", false, "Mid-Autumn 2026 (Friday)"},
		{"2026-09-30", true, "last working day before National Day 2026"},
		{"2026-10-01", false, "National Day 2026"},
		{"2026-10-07", false, "last day of National Day 2026"},
		{"2026-10-08", true, "first day back after National Day 2026"},
		{"2026-10-10", true, "Saturday make-up after National Day 2026"},
		{"2026-10-11", false, "ordinary Sunday after the make-up Saturday"},
	}
	for _, c := range cases {
		t.Run(c.date, func(t *testing.T) {
			got, err := IsWorkingDay(day(c.date))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v (%s)", c.date, got, c.want, c.why)
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2024-09-27", 1, "2024-09-29"},  // Friday -> make-up Sunday
		{"2024-09-29", 1, "2024-09-30"},  // make-up Sunday -> Monday
		{"2024-09-30", 1, "2024-10-08"},  // across National Day week
		{"2024-09-30", 5, "2024-10-12"},  // 8,9,10,11 then make-up Saturday 12
		{"2024-02-08", 1, "2024-02-09"},  // New Year's Eve 2024 was worked
		{"2024-02-09", 1, "2024-02-18"},  // across Spring Festival to the make-up Sunday
		{"2025-01-24", 1, "2025-01-26"},  // Friday -> make-up Sunday
		{"2025-01-27", 1, "2025-02-05"},  // across Spring Festival 2025
		{"2025-12-31", 1, "2026-01-04"},  // crossing the year end into the New Year make-up day
		{"2024-12-31", 1, "2025-01-02"},  // New Year's Day 2025
		{"2025-09-30", 10, "2025-10-21"}, // 9,10,11(make-up),13..17,20,21
		{"2025-10-09", -1, "2025-09-30"}, // backwards across the holiday
		{"2025-03-03", 0, "2025-03-03"},
		{"2025-03-08", 0, "2025-03-08"},  // zero keeps a weekend date
		{"2026-02-13", 1, "2026-02-14"},  // Friday -> make-up Saturday before Spring Festival 2026
		{"2026-02-14", 1, "2026-02-24"},  // across Spring Festival 2026 (15-23)
		{"2026-02-27", 1, "2026-02-28"},  // Friday -> make-up Saturday after Spring Festival 2026
		{"2026-02-28", 1, "2026-03-02"},  // make-up Saturday -> Monday, skipping Sunday 1 March
		{"2026-09-18", 1, "2026-09-20"},  // Friday -> make-up Sunday before National Day 2026
		{"2026-09-24", 1, "2026-09-28"},  // across Mid-Autumn 2026 (25-27)
		{"2026-09-30", 1, "2026-10-08"},  // across National Day 2026 (1-7)
		{"2026-09-30", 4, "2026-10-12"},  // 8, 9, 10 (make-up Saturday), then Monday 12
		{"2026-10-08", -1, "2026-09-30"}, // backwards across National Day 2026
	}
	for _, c := range cases {
		t.Run(c.from, func(t *testing.T) {
			got, err := AddWorkingDays(day(c.from), c.n)
			if err != nil {
				t.Fatal(err)
			}
			if g := got.Format(time.DateOnly); g != c.want {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", c.from, c.n, g, c.want)
			}
		})
	}
}

func TestAddWorkingDaysKeepsClockAndZone(t *testing.T) {
	// 2024-09-30 17:30 in Shanghai is 09:30 UTC; the result keeps the Shanghai clock.
	in := time.Date(2024, 9, 30, 9, 30, 0, 0, time.UTC)
	got, err := AddWorkingDays(in, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2024, 10, 8, 17, 30, 0, 0, Shanghai)
	if !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// 2024-09-30 20:00 UTC is already 1 October in Shanghai: a holiday, counting from there.
	late := time.Date(2024, 9, 30, 20, 0, 0, 0, time.UTC)
	got, err = AddWorkingDays(late, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d := got.In(Shanghai).Format(time.DateOnly); d != "2024-10-08" {
		t.Errorf("late: got %s", d)
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"2024-09-30", "2024-10-08", 1},
		{"2024-09-27", "2024-10-13", 6}, // 29, 30, 8, 9, 10, 11, 12 = 7? see below
		// Whole years: days - weekend days - statutory holidays (11 in 2024, 13 from 2025),
		// because each make-up working day repays one weekend day moved into a holiday run.
		{"2023-12-31", "2024-12-31", 251},
		{"2024-12-31", "2025-12-31", 248},
		{"2025-12-31", "2026-12-31", 248},
		{"2025-03-03", "2025-03-03", 0},
		{"2024-10-08", "2024-09-30", -1},
	}
	// Fix the second case by reasoning: after 27 Sep: 29 (make-up), 30, then 8,9,10,11,12(make-up) = 7.
	cases[1].want = 7
	for _, c := range cases {
		t.Run(c.a+"_"+c.b, func(t *testing.T) {
			got, err := WorkingDaysBetween(day(c.a), day(c.b))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	// AddWorkingDays and WorkingDaysBetween agree on every start date of the known years.
	for d := day("2024-01-01"); d.Year() < 2026 || d.Month() < 12; d = d.AddDate(0, 0, 1) {
		for _, n := range []int{1, 3, 10} {
			e, err := AddWorkingDays(d, n)
			if err != nil {
				t.Fatal(err)
			}
			got, err := WorkingDaysBetween(d, e)
			if err != nil {
				t.Fatal(err)
			}
			if got != n {
				t.Fatalf("from %s: %d working days reaches %s, which counts back as %d",
					d.Format(time.DateOnly), n, e.Format(time.DateOnly), got)
			}
		}
	}
}

func TestUnknownYear(t *testing.T) {
	strict, err := New()
	if err != nil {
		t.Fatal(err)
	}
	_, err = strict.AddWorkingDays(day("2031-03-03"), 1)
	if !errors.Is(err, ErrNoSchedule) {
		t.Fatalf("want ErrNoSchedule, got %v", err)
	}
	var nse *NoScheduleError
	if !errors.As(err, &nse) || nse.Year != 2031 {
		t.Fatalf("want NoScheduleError for 2031, got %v", err)
	}
	if want := "calendar: no official schedule for 2031; "; err.Error()[:len(want)] != want {
		t.Errorf("message %q", err)
	}
	// Crossing out of the known range fails too, on a strict calendar.
	if _, err := strict.AddWorkingDays(day("2026-12-31"), 1); !errors.Is(err, ErrNoSchedule) {
		t.Errorf("crossing into 2027: %v", err)
	}
	// Weekends-only mode counts weekends and no holidays.
	got, err := WeekendsOnly().AddWorkingDays(day("2031-10-03"), 1) // a Friday
	if err != nil {
		t.Fatal(err)
	}
	if g := got.Format(time.DateOnly); g != "2031-10-06" {
		t.Errorf("weekends-only: got %s", g)
	}
	// Known years still use the schedule in weekends-only mode.
	if ok, _ := WeekendsOnly().IsWorkingDay(day("2025-10-02")); ok {
		t.Error("weekends-only mode ignored the 2025 schedule")
	}
}

func TestLimits(t *testing.T) {
	if _, err := WeekendsOnly().AddWorkingDays(day("2025-01-01"), MaxSpan+1); err == nil {
		t.Error("no error beyond MaxSpan")
	}
}

func TestWithSchedule(t *testing.T) {
	c, err := New(WithSchedule(Schedule{Year: 2031,
		Holidays: []Holiday{{Name: "New Year", From: day("2031-01-01"), To: day("2031-01-01")}}}))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := c.IsWorkingDay(day("2031-01-01")); err != nil || ok {
		t.Errorf("2031-01-01: %v %v", ok, err)
	}
	if c.HolidayName(day("2031-01-01")) != "New Year" {
		t.Error("holiday name")
	}
}

func TestClocks(t *testing.T) {
	base := time.Date(2025, 1, 31, 10, 0, 0, 0, Shanghai)
	if got := AddDays(base, 30); !got.Equal(time.Date(2025, 3, 2, 10, 0, 0, 0, Shanghai)) {
		t.Errorf("AddDays: %v", got)
	}
	if got := AddHours(base, 4); !got.Equal(base.Add(4 * time.Hour)) {
		t.Errorf("AddHours: %v", got)
	}
	if got := AddMonths(base, 1); !got.Equal(time.Date(2025, 2, 28, 10, 0, 0, 0, Shanghai)) {
		t.Errorf("AddMonths clamp: %v", got)
	}
	if got := AddMonths(base, 13); !got.Equal(time.Date(2026, 2, 28, 10, 0, 0, 0, Shanghai)) {
		t.Errorf("AddMonths year: %v", got)
	}
	if got := AddMonths(base, -2); !got.Equal(time.Date(2024, 11, 30, 10, 0, 0, 0, Shanghai)) {
		t.Errorf("AddMonths back: %v", got)
	}
}

func BenchmarkAddWorkingDays(b *testing.B) {
	d := day("2025-09-25")
	for b.Loop() {
		if _, err := AddWorkingDays(d, 10); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSchedule(t *testing.T) {
	s, ok := Official().Schedule(2025)
	if !ok {
		t.Fatal("no 2025 schedule")
	}
	if len(s.Holidays) != 6 || len(s.Workdays) != 5 {
		t.Fatalf("2025: %d holidays, %d make-up days", len(s.Holidays), len(s.Workdays))
	}
	sf := s.Holidays[1]
	if sf.Name != "Spring Festival" || sf.From.Format(time.DateOnly) != "2025-01-28" || sf.To.Format(time.DateOnly) != "2025-02-04" {
		t.Errorf("Spring Festival 2025: %+v", sf)
	}
	if _, ok := Official().Schedule(2031); ok {
		t.Error("2031 schedule reported")
	}
	if got := Official().KnownYears(); len(got) != 3 || got[0] != 2024 {
		t.Errorf("KnownYears %v", got)
	}
}
