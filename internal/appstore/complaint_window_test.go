package appstore

import (
	"context"
	"testing"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestComplaintsOverdueWindow: a complaint counts in complaints_overdue while it is open
// past its deadline, however old, or when it was answered late within the platform's
// window (default 12 months, counted in Beijing days back from today). The oracle is the
// table below, counted by hand from the dates: today is 1 December 2026, 10:00 Beijing, so
// the 12-month window opens at 00:00 Beijing on 1 December 2025 (16:00 UTC on 30 November)
// and a one-month window at 00:00 Beijing on 1 November 2026. Every late answer below
// comes at least 40 days after receipt, past any 10- or 15-working-day clock.
// The catalog's complaint duty, evaluated by CEL on the facts read, is met while only the
// answer 13 months old is late and a gap once one within the window is.
func TestComplaintsOverdueWindow(t *testing.T) {
	bj := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name     string
		kind     string
		received string
		answered string // "" while open
		counts   bool   // in the default 12-month window
		inMonth  bool   // in a one-month window
	}{
		{"answered late 13 months ago", KindContent, "2025-09-20 10:00", "2025-11-01 10:00", false, false},
		{"answered late 11 months ago", KindContent, "2025-11-20 10:00", "2026-01-01 10:00", true, false},
		{"answered late on the window's first Beijing day (UTC still the day before)", KindFraud, "2025-10-20 10:00", "2025-12-01 00:30", true, false},
		{"answered late on the Beijing day before the window", KindFraud, "2025-10-20 10:00", "2025-11-30 23:30", false, false},
		{"personal information answered late 2 months ago", KindPI, "2026-08-01 10:00", "2026-10-01 10:00", true, false},
		{"answered in time", KindMalicious, "2026-06-01 10:00", "2026-06-02 10:00", false, false},
		{"open past its deadline, received 14 months ago", KindContent, "2025-10-01 10:00", "", true, true},
		{"open within its clock", KindPI, "2026-11-30 10:00", "", false, false},
	}
	today := bj("2026-12-01 10:00")
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		now := today
		s, ctx, _ := newTestStore(t, d, &now)
		if _, err := s.SavePlatform(ctx, PlatformInput{Name: "示例应用市场", OnlineOn: "2025-01-01", ComplaintChannel: "公开投诉表单"}); err != nil {
			t.Fatal(err)
		}
		duty := complaintDuty(t, s)
		for i, c := range cases {
			now = bj(c.received)
			got, err := s.SubmitComplaint(ctx, ComplaintInput{Kind: c.kind, Subject: c.name, Body: "窗口测试"})
			if err != nil {
				t.Fatal(err)
			}
			if c.answered != "" {
				now = bj(c.answered)
				if _, err := s.HandleComplaint(ctx, got.ID, "", "已处理", false); err != nil {
					t.Fatal(err)
				}
			}
			now = today
			if i == 0 {
				// Only the answer 13 months old is late: nothing counts, the duty is met.
				if f, status := duty(ctx); f.ComplaintsOverdue != 0 || status != rules.StatusMet {
					t.Errorf("only a late answer 13 months old: complaints_overdue %d, duty %s; want 0, met", f.ComplaintsOverdue, status)
				}
			}
		}
		want, wantPI, wantMonth := 0, 0, 0
		for _, c := range cases {
			if c.counts {
				want++
				if c.kind == KindPI {
					wantPI++
				}
			}
			if c.inMonth {
				wantMonth++
			}
		}
		f, status := duty(ctx)
		if f.ComplaintsOverdue != int64(want) || f.PIComplaintsOverdue != int64(wantPI) || status != rules.StatusGap {
			t.Errorf("12-month window: complaints_overdue %d, pi %d, duty %s; want %d, %d, gap", f.ComplaintsOverdue, f.PIComplaintsOverdue, status, want, wantPI)
		}
		if _, err := s.SavePlatform(ctx, PlatformInput{Name: "示例应用市场", OnlineOn: "2025-01-01", ComplaintChannel: "公开投诉表单", ComplaintWindowMonths: 1}); err != nil {
			t.Fatal(err)
		}
		if f, _ := duty(ctx); f.ComplaintsOverdue != int64(wantMonth) || f.PIComplaintsOverdue != 0 {
			t.Errorf("one-month window: complaints_overdue %d, pi %d; want %d, 0", f.ComplaintsOverdue, f.PIComplaintsOverdue, wantMonth)
		}
		p, err := s.Platform(ctx)
		if err != nil || p.ComplaintWindowMonths != 1 {
			t.Errorf("window read back: %v %+v", err, p)
		}
		for _, bad := range []int{-1, MaxComplaintWindowMonths + 1} {
			if _, err := s.SavePlatform(ctx, PlatformInput{Name: "示例应用市场", OnlineOn: "2025-01-01", ComplaintWindowMonths: bad}); !refusedOn(err, "complaint_window_months") {
				t.Errorf("window %d: %v, want refused on complaint_window_months", bad, err)
			}
		}
	})
}

// complaintDuty returns a reader of the service's facts and the MIIT 2014 task 6
// complaint duty evaluated on them by the catalog's own CEL check.
func complaintDuty(t *testing.T, s *Service) func(context.Context) (Facts, rules.Status) {
	t.Helper()
	c, err := catalog.Load(rules.WithFacts(FactSet(s).Declare()))
	if err != nil {
		t.Fatal(err)
	}
	return func(ctx context.Context) (Facts, rules.Status) {
		t.Helper()
		f, err := s.Facts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fd, err := c.Engine().EvaluateRule(ctx, "MIIT14-T6-COMPLAINT-HANDLING",
			rules.Facts{Org: rules.Org{IsAppStore: true}, Now: s.Now(), Extra: map[string]any{"appstore": f}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return f, fd.Status
	}
}
