package review

import (
	"testing"
	"time"

	"ciiguard/internal/calendar"
)

func date(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, calendar.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr(t time.Time) *time.Time { return &t }

// TestClocksWorkedDates checks the review clocks against dates worked by hand on the State
// Council's 2025 and 2026 holiday schedules (internal/calendar/schedules.yaml).
//
// The Measures (CAC Order No. 8, 2022) count in working days: "网络安全审查办公室应当自收到
// 符合本办法第八条规定的审查申报材料起10个工作日内，确定是否需要审查并书面通知当事人" (Art. 9);
// initial review "30个工作日内完成……情况复杂的，可以延长15个工作日" (Art. 11); "特别审查程序
// 一般应当在90个工作日内完成，情况复杂的可以延长" (Art. 14); and "提交补充材料的时间不计入审查
// 时间" (Art. 15). The day a period starts is not counted; the days from the day after a
// request for material up to the day it was supplied are not counted.
func TestClocksWorkedDates(t *testing.T) {
	cal := calendar.Official()
	cases := []struct {
		name        string
		c           Case
		today       string
		due         string // "" while paused
		used        int
		pausedDays  int
		paused      bool
		overdue     bool
		provisional bool
	}{
		// 2025: materials received Fri 26 Sep. Counted: Sun 28 Sep (make-up working day) 1,
		// Mon 29 2, Tue 30 3; 1–8 Oct National Day and Mid-Autumn off; Thu 9 Oct 4, Fri 10 5,
		// Sat 11 Oct (make-up working day) 6, Mon 13 7, Tue 14 8, Wed 15 9, Thu 16 Oct 10.
		{name: "decision across the 2025 National Day week", c: Case{State: Submitted, Since: date("2025-09-26")},
			today: "2025-10-09", due: "2025-10-16", used: 4},
		{name: "decision overdue the day after", c: Case{State: Submitted, Since: date("2025-09-26")},
			today: "2025-10-17", due: "2025-10-16", used: 11, overdue: true},
		// 2026: written notice Mon 21 Sep. Without a pause: Tue 22 1, Wed 23 2, Thu 24 3; 25–27
		// Sep Mid-Autumn off; Mon 28 4, Tue 29 5, Wed 30 6; 1–7 Oct National Day off; Thu 8 7,
		// Fri 9 8, Sat 10 Oct (make-up) 9, Mon 12 10, 13–16 Oct 11–14, 19–23 15–19, 26–30 20–24,
		// 2–6 Nov 25–29, Mon 9 Nov 30.
		{name: "initial review across the 2026 National Day week", c: Case{State: Initial, Since: date("2026-09-21")},
			today: "2026-10-12", due: "2026-11-09", used: 10},
		// The office asks for material on Thu 24 Sep; it is supplied Mon 12 Oct. Not counted:
		// 28, 29, 30 Sep, 8, 9, 10 and 12 Oct (7 working days). Counted: 22, 23, 24 Sep (1–3),
		// 13–16 Oct (4–7), 19–23 (8–12), 26–30 (13–17), 2–6 Nov (18–22), 9–13 (23–27),
		// 16 (28), 17 (29), Wed 18 Nov (30).
		{name: "initial review paused for material, resumed", c: Case{State: Initial, Since: date("2026-09-21"),
			Pauses: []Pause{{From: date("2026-09-24"), To: ptr(date("2026-10-12"))}}},
			today: "2026-10-13", due: "2026-11-18", used: 4, pausedDays: 7},
		// While the material is awaited the clock stands: 3 days used, 5 working days
		// (28–30 Sep, 8–9 Oct) not counted by Fri 9 Oct, no last day.
		{name: "initial review while the material is awaited", c: Case{State: Initial, Since: date("2026-09-21"),
			Pauses: []Pause{{From: date("2026-09-24")}}},
			today: "2026-10-09", used: 3, pausedDays: 5, paused: true},
		// Complex: 15 more after Wed 18 Nov: 19, 20 (1–2), 23–27 (3–7), 30 Nov–4 Dec (8–12),
		// 7, 8, Wed 9 Dec (13–15).
		{name: "complex initial review with the pause", c: Case{State: Initial, Since: date("2026-09-21"), Complex: true,
			Pauses: []Pause{{From: date("2026-09-24"), To: ptr(date("2026-10-12"))}}},
			today: "2026-10-13", due: "2026-12-09", used: 4, pausedDays: 7},
		// Members reply within 15: notice Fri 25 Sep 2026 → 28–30 Sep (1–3), 8, 9, 10 Oct (4–6),
		// 12–16 (7–11), 19, 20, 21, Thu 22 Oct (12–15).
		{name: "members' opinions across the 2026 holidays", c: Case{State: Opinions, Since: date("2026-09-25")},
			today: "2026-09-30", due: "2026-10-22", used: 3},
		// Special procedure from Mon 2 Nov 2026: Nov 20 working days, Dec 23 (43), then 2027,
		// which has no official schedule yet: weekends only, so Fri 1 Jan counts (44),
		// Jan 20 more (64), Feb 20 (84), 1–5 Mar (89), Mon 8 Mar 2027 (90) — provisional.
		{name: "special procedure into 2027 is provisional", c: Case{State: Special, Since: date("2026-11-02")},
			today: "2026-11-06", due: "2027-03-08", used: 4, provisional: true},
		// Extended by 10 working days: Tue 9 … Mon 22 Mar 2027.
		{name: "special procedure extended", c: Case{State: Special, Since: date("2026-11-02"), ExtraDays: 10},
			today: "2026-11-06", due: "2027-03-22", used: 4, provisional: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk, ok, err := ClockOf(cal, tc.c, date(tc.today).Add(15*time.Hour))
			if err != nil || !ok {
				t.Fatalf("ClockOf: ok %v, %v", ok, err)
			}
			gotDue := ""
			if !clk.Due.IsZero() {
				gotDue = clk.Due.Format(time.DateOnly)
			}
			if gotDue != tc.due || clk.Used != tc.used || clk.PausedDays != tc.pausedDays || clk.Paused != tc.paused ||
				clk.Overdue != tc.overdue || clk.Provisional != tc.provisional {
				t.Errorf("due %q used %d paused days %d paused %v overdue %v provisional %v; want %q %d %d %v %v %v",
					gotDue, clk.Used, clk.PausedDays, clk.Paused, clk.Overdue, clk.Provisional,
					tc.due, tc.used, tc.pausedDays, tc.paused, tc.overdue, tc.provisional)
			}
		})
	}
}

// TestStatesWithoutClock: preparing and the outcomes run no clock.
func TestStatesWithoutClock(t *testing.T) {
	for _, s := range []State{Preparing, NotRequired, Cleared, NotCleared, Revoked} {
		if _, ok, _ := ClockOf(calendar.Official(), Case{State: s, Since: date("2026-01-05")}, date("2026-02-01")); ok {
			t.Errorf("%s has a clock", s)
		}
	}
}
