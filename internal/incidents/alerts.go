package incidents

// Alert kinds.
const (
	AlertNew = "new_reportable" // an incident became reportable (较大 or above)
)

// Alert is something the security manager and the responders must hear about at once.
type Alert struct {
	Kind     string
	Incident Incident
	Clock    *Clock // the clock at 50% or 90% of its time, for clock alerts
}
