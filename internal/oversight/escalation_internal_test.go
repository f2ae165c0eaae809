package oversight

import (
	"testing"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
)

// TestEscalationClock against a hand-written table: a major or especially major incident
// report filed at 09:00 Beijing time is due on to the national level by 09:30; escalated at
// 09:30 is on time, at 09:31 late; not escalated it is pending at 09:29 and missing at
// 09:31; a relatively major report, another kind, or a payload without a grade has no
// escalation clock.
func TestEscalationClock(t *testing.T) {
	at := func(hm string) time.Time {
		t0, err := time.ParseInLocation("2006-01-02 15:04", "2026-12-01 "+hm, calendar.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return t0
	}
	item := func(kind, grade string, escalated string) *Item {
		it := &Item{Payload: `{"grade":"` + grade + `"}`}
		it.Kind, it.SubmittedAt = kind, at("09:00")
		it.Answers = []kernel.SubmissionAnswer{{Action: StateAcknowledged, At: at("09:05")}}
		if escalated != "" {
			it.Answers = append(it.Answers, kernel.SubmissionAnswer{Action: StateEscalated, At: at(escalated)})
		}
		return it
	}
	inc := kernel.SubmitIncidentReport
	cases := []struct {
		name    string
		it      *Item
		now     string
		verdict string // "" for no clock
	}{
		{"major, escalated at the due minute", item(inc, "major", "09:30"), "10:00", ClockOnTime},
		{"especially major, escalated a minute late", item(inc, "especially_major", "09:31"), "10:00", ClockLate},
		{"major, not yet escalated, before due", item(inc, "major", ""), "09:29", ClockPending},
		{"major, not escalated, past due", item(inc, "major", ""), "09:31", ClockMissing},
		{"relatively major", item(inc, "relatively_major", ""), "10:00", ""},
		{"an annual report", item(kernel.SubmitAnnualReport, "major", ""), "10:00", ""},
		{"no grade in the payload", &Item{Submission: kernel.Submission{Kind: inc, SubmittedAt: at("09:00")}, Payload: `{}`}, "10:00", ""},
	}
	for _, c := range cases {
		e := escalationClock(c.it, at(c.now))
		switch {
		case c.verdict == "" && e != nil:
			t.Errorf("%s: a clock %+v, want none", c.name, e)
		case c.verdict != "" && e == nil:
			t.Errorf("%s: no clock, want %s", c.name, c.verdict)
		case e != nil && (e.Verdict != c.verdict || !e.Due.Equal(at("09:30"))):
			t.Errorf("%s: %s due %s, want %s due 09:30", c.name, e.Verdict, e.Due.In(calendar.Shanghai).Format("15:04"), c.verdict)
		}
	}
}
