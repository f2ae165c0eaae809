package oversight

import (
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
