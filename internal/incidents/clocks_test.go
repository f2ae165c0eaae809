package incidents

import (
	"testing"
	"time"
)

// cstAt is a wall-clock time in China (UTC+8), written out by hand for the oracles below.
func cstAt(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04 -0700", s+" +0800")
	if err != nil {
		panic(err)
	}
	return t
}

// TestFirstReportClocks: IRM 2025 Art. 4 — CII 1 hour (department and police), central and
// state organs 2 hours (own cyber office), others 4 hours (provincial CAC); counted from
// detection in China time, across midnight and the new year.
func TestFirstReportClocks(t *testing.T) {
	cases := []struct {
		name             string
		cii, central     bool
		detected         time.Time
		wantRoute        string
		wantTo           []Authority
		wantDue          string // China time
		wantDueUTC       string
		onTimeAt, lateAt string // China time: the last minute on time, the first minute late
	}{
		{"CII at 09:00", true, false, cstAt("2026-12-01 09:00"), "cii", []Authority{ProtectionDept, Police}, "2026-12-01 10:00", "2026-12-01T02:00:00Z", "2026-12-01 10:00", "2026-12-01 10:01"},
		{"CII across midnight", true, true, cstAt("2026-12-31 23:30"), "cii", []Authority{ProtectionDept, Police}, "2027-01-01 00:30", "2026-12-31T16:30:00Z", "2027-01-01 00:30", "2027-01-01 00:31"},
		{"central organ", false, true, cstAt("2026-12-31 23:30"), "central", []Authority{OwnCyberOffice}, "2027-01-01 01:30", "2026-12-31T17:30:00Z", "2027-01-01 01:30", "2027-01-01 01:31"},
		{"other operator", false, false, cstAt("2026-12-31 23:30"), "provincial", []Authority{ProvincialCAC}, "2027-01-01 03:30", "2026-12-31T19:30:00Z", "2027-01-01 03:30", "2027-01-01 03:31"},
		{"detected at 07:59 UTC is 15:59 in China", false, false, time.Date(2026, 5, 1, 7, 59, 30, 0, time.UTC), "provincial", []Authority{ProvincialCAC}, "2026-05-01 19:59", "2026-05-01T11:59:00Z", "2026-05-01 19:59", "2026-05-01 20:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := RouteFor(c.cii, c.central)
			in := Incident{Route: r.Code}
			if r.Code != c.wantRoute || !sameAuthorities(in.Recipients(), c.wantTo) {
				t.Fatalf("route %s to %v, want %s to %v", r.Code, in.Recipients(), c.wantRoute, c.wantTo)
			}
			due := FirstReportDue(c.detected, r)
			if cst(due) != c.wantDue || due.UTC().Format(time.RFC3339) != c.wantDueUTC {
				t.Errorf("due %s (%s), want %s (%s)", cst(due), due.UTC().Format(time.RFC3339), c.wantDue, c.wantDueUTC)
			}
			if ok, late := Lateness(due, cstAt(c.onTimeAt).Add(59*time.Second)); !ok || late != 0 {
				t.Errorf("sent %s:59: on time %v, %d minutes late; want on time", c.onTimeAt, ok, late)
			}
			if ok, late := Lateness(due, cstAt(c.lateAt)); ok || late != 1 {
				t.Errorf("sent %s: on time %v, %d minutes late; want 1 minute late", c.lateAt, ok, late)
			}
		})
	}
}

func sameAuthorities(a, b []Authority) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSuspectedCrimeAddsPolice: a suspected crime is reported to the police too, once.
func TestSuspectedCrimeAddsPolice(t *testing.T) {
	in := Incident{Route: RouteProvincial.Code, SuspectedCrime: true}
	if got := in.Recipients(); !sameAuthorities(got, []Authority{ProvincialCAC, Police}) {
		t.Errorf("provincial route with a suspected crime: %v", got)
	}
	in = Incident{Route: RouteCII.Code, SuspectedCrime: true}
	if got := in.Recipients(); !sameAuthorities(got, []Authority{ProtectionDept, Police}) {
		t.Errorf("CII route with a suspected crime: %v", got)
	}
}

// TestSummaryDue: IRM 2025 Art. 8 — within 30 days after handling ends, counted in calendar
// days from the China date on which handling ended (that day not counted), to 23:59 of the
// 30th day; a period running over or ending in the National Day holiday (1–7 October 2026) or
// over the new year is neither lengthened nor moved.
func TestSummaryDue(t *testing.T) {
	cases := []struct {
		name     string
		handled  time.Time
		wantDue  string
		lateAt   string
		minsLate int64
	}{
		{"ends on the holiday's last day", cstAt("2026-09-07 10:00"), "2026-10-07 23:59", "2026-10-08 00:00", 1},
		{"runs across the holiday", cstAt("2026-09-20 15:00"), "2026-10-20 23:59", "2026-10-21 09:00", 9*60 + 1},
		{"China date, not UTC date", time.Date(2026, 9, 7, 16, 10, 0, 0, time.UTC), "2026-10-08 23:59", "2026-10-09 00:05", 6},
		{"across the new year", cstAt("2026-12-31 23:50"), "2027-01-30 23:59", "2027-01-31 23:59", 24 * 60},
		{"February", cstAt("2027-02-01 08:00"), "2027-03-03 23:59", "2027-03-04 00:00", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			due := SummaryDue(c.handled)
			if cst(due) != c.wantDue {
				t.Fatalf("due %s, want %s", cst(due), c.wantDue)
			}
			if ok, _ := Lateness(due, cstAt(c.wantDue)); !ok {
				t.Errorf("sent at the due minute %s: late", c.wantDue)
			}
			if ok, late := Lateness(due, cstAt(c.lateAt)); ok || late != c.minsLate {
				t.Errorf("sent %s: on time %v, %d minutes late; want %d", c.lateAt, ok, late, c.minsLate)
			}
		})
	}
}

// TestClocksStop: a clock runs until sent reports reach every recipient; the sending that
// completes it decides on time or late; a follow-up to a recipient the first report missed
// completes the first report's clock.
func TestClocksStop(t *testing.T) {
	det := cstAt("2026-12-01 09:00")
	in := Incident{ID: 1, Route: RouteCII.Code, DetectedAt: det, Computed: RelativelyMajor, Status: StatusOpen}
	sent := func(kind string, at string, to ...Authority) Report {
		tm := cstAt(at)
		return Report{Kind: kind, Number: 1, Version: 1, SentAt: &tm, SentTo: to}
	}
	c := Clocks(&in, nil, cstAt("2026-12-01 09:40"))
	if len(c) != 1 || !c[0].Running() || c[0].Overdue || c[0].Left(cstAt("2026-12-01 09:40")) != 20*time.Minute {
		t.Fatalf("40 minutes in: %+v", c)
	}
	if f := c[0].Fraction(cstAt("2026-12-01 09:30")); f != 0.5 {
		t.Errorf("fraction at 09:30: %v, want 0.5", f)
	}
	c = Clocks(&in, []Report{sent(KindFirst, "2026-12-01 09:50", ProtectionDept)}, cstAt("2026-12-01 10:05"))
	if !c[0].Running() || !c[0].Overdue {
		t.Fatalf("police not told, 10:05: %+v", c[0])
	}
	c = Clocks(&in, []Report{sent(KindFirst, "2026-12-01 09:50", ProtectionDept), sent(KindFollowUp, "2026-12-01 10:07", Police)}, cstAt("2026-12-01 11:00"))
	if c[0].Running() || c[0].OnTime || c[0].Late != 7 {
		t.Fatalf("police told at 10:07: %+v", c[0])
	}
	c = Clocks(&in, []Report{sent(KindFirst, "2026-12-01 09:58", ProtectionDept, Police)}, cstAt("2026-12-01 11:00"))
	if c[0].Running() || !c[0].OnTime {
		t.Fatalf("both told at 09:58: %+v", c[0])
	}
	gen := in
	gen.Computed = General
	if c := Clocks(&gen, nil, det); c != nil {
		t.Errorf("a general incident has clocks: %+v", c)
	}
	closed := in
	h := cstAt("2026-12-03 18:00")
	closed.Status, closed.HandledAt = StatusClosed, &h
	c = Clocks(&closed, nil, cstAt("2027-01-03 00:00"))
	if len(c) != 2 || c[1].Kind != KindSummary || cst(c[1].Due) != "2027-01-02 23:59" || !c[1].Overdue {
		t.Fatalf("summary clock: %+v", c)
	}
}
