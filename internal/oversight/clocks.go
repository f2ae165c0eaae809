package oversight

import (
	"encoding/json"
	"time"

	"ciiguard/internal/kernel"
)

// Clock verdicts of a submission as the regulator sees it.
const (
	ClockOnTime  = "on_time"
	ClockLate    = "late"
	ClockMissing = "missing"
	ClockPending = "pending" // not yet due
)

// IncidentReportWindow is the first-report clock of a CII operator: to the protection-work
// department and the police within 1 hour of detection (IRM 2025 Art. 6, secondary; CIIR
// 2021 Art. 18 sets the duty without a number).
const IncidentReportWindow = time.Hour

// incidentClock is an incident report's verdict on the 1-hour clock, measured from the
// detection time the payload carries to the moment it was filed; "" for other kinds.
func incidentClock(it *Item, _ time.Time) string {
	if it.Kind != kernel.SubmitIncidentReport || it.DetectedAt == nil {
		return ""
	}
	if it.SubmittedAt.Sub(*it.DetectedAt) <= IncidentReportWindow {
		return ClockOnTime
	}
	return ClockLate
}

// EscalationWindow is the protection-work department's clock to report a major or
// especially major incident on to the national cyberspace administration and the public
// security ministry: 30 minutes from receiving the operator's report (IRM 2025, as
// shared/REGULATORY-BRIEF.md gives it from a secondary source; CIIR 2021 Art. 18 para. 2
// sets the duty for especially major incidents without a number).
const EscalationWindow = 30 * time.Minute

// Escalation is the department's escalation clock of one incident report.
type Escalation struct {
	Grade string     `json:"grade"` // the incident's grade as filed: major or especially_major
	Due   time.Time  `json:"due"`
	At    *time.Time `json:"escalated_at,omitempty"` // the first "escalated" answer
	// Verdict is ClockOnTime or ClockLate once escalated, ClockMissing once due without,
	// ClockPending before.
	Verdict string `json:"verdict"`
}

// escalationClock is the escalation clock of an incident report whose payload grades the
// incident major or especially major (the incidents capability's grade codes); nil for
// any other submission. The clock runs from the filing, when the department received it.
func escalationClock(it *Item, now time.Time) *Escalation {
	if it.Kind != kernel.SubmitIncidentReport {
		return nil
	}
	var p struct {
		Grade string `json:"grade"`
	}
	if json.Unmarshal([]byte(it.Payload), &p) != nil || (p.Grade != "major" && p.Grade != "especially_major") {
		return nil
	}
	e := &Escalation{Grade: p.Grade, Due: it.SubmittedAt.Add(EscalationWindow), Verdict: ClockPending}
	for i := range it.Answers {
		if a := it.Answers[i]; a.Action == StateEscalated {
			e.At = &a.At
			break
		}
	}
	switch {
	case e.At != nil && !e.At.After(e.Due):
		e.Verdict = ClockOnTime
	case e.At != nil:
		e.Verdict = ClockLate
	case now.After(e.Due):
		e.Verdict = ClockMissing
	}
	return e
}
