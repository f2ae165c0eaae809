package threat

import (
	"encoding/json"
	"time"
)

// Severities of a notification, least first.
var Severities = []string{"low", "medium", "high", "critical"}

// TLPs a notification may carry. TLP:RED is for named recipients only: a notification
// marked so must name the operators it is for (NewNotification.Recipients).
var TLPs = []string{"clear", "green", "amber", "amber+strict", "red"}

// Notification is what a regulator published, as the regulator sees it.
type Notification struct {
	ID       int64     `json:"id"`
	STIXID   string    `json:"stix_id"`
	TitleZH  string    `json:"title_zh"`
	TitleEN  string    `json:"title_en"`
	Summary  string    `json:"summary"`
	Severity string    `json:"severity"`
	Sectors  []string  `json:"sectors"`
	Actions  string    `json:"actions"`
	Deadline time.Time `json:"deadline"`
	TLP      string    `json:"tlp"`
	// Named says the notification went to the operators the regulator named, not to
	// every operator of its sectors.
	Named       bool       `json:"named"`
	Indicators  int        `json:"indicators"`
	Recipients  int        `json:"recipients"`
	PublishedBy string     `json:"published_by"`
	PublishedAt time.Time  `json:"published_at"`
	Responses   []Response `json:"responses,omitempty"`
	// Bundle is the STIX 2.1 bundle published (a report and its indicators); detail only.
	Bundle json.RawMessage `json:"bundle,omitempty"`
}

// Response is what one recipient operator did with a notification.
type Response struct {
	OperatorID     int64      `json:"operator_id"`
	OperatorZH     string     `json:"operator_name_zh"`
	OperatorEN     string     `json:"operator_name_en"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	AnsweredAt     *time.Time `json:"answered_at"`
	Answer         string     `json:"answer"`
	State          string     `json:"state"`
}

// Inbox states of a notification, for the operator and for the regulator's list.
const (
	StateNew          = "new"
	StateAcknowledged = "acknowledged"
	StateAnswered     = "answered"
	StateAnsweredLate = "answered_late"
	StateOverdue      = "overdue"
)

// stateOf places a notification by its acknowledgement and answer against its deadline at now.
func stateOf(ack, ans *time.Time, deadline, now time.Time) string {
	switch {
	case ans != nil && ans.After(deadline):
		return StateAnsweredLate
	case ans != nil:
		return StateAnswered
	case now.After(deadline):
		return StateOverdue
	case ack != nil:
		return StateAcknowledged
	}
	return StateNew
}

// InboxItem is a notification as a recipient operator sees it.
type InboxItem struct {
	ID             int64       `json:"id"`
	RegulatorID    int64       `json:"regulator_id"`
	RegulatorZH    string      `json:"regulator_name_zh"`
	RegulatorEN    string      `json:"regulator_name_en"`
	NotificationID int64       `json:"notification_id"`
	STIXID         string      `json:"stix_id"`
	TitleZH        string      `json:"title_zh"`
	TitleEN        string      `json:"title_en"`
	Summary        string      `json:"summary"`
	Severity       string      `json:"severity"`
	Sectors        []string    `json:"sectors"`
	Actions        string      `json:"actions"`
	Deadline       time.Time   `json:"deadline"`
	TLP            string      `json:"tlp"`
	Named          bool        `json:"named"` // sent to this operator by name
	PublishedAt    time.Time   `json:"published_at"`
	AcknowledgedAt *time.Time  `json:"acknowledged_at"`
	AcknowledgedBy string      `json:"acknowledged_by"`
	AnsweredAt     *time.Time  `json:"answered_at"`
	AnsweredBy     string      `json:"answered_by"`
	Answer         string      `json:"answer"`
	State          string      `json:"state"`
	Indicators     []Indicator `json:"indicators,omitempty"`
}

// Indicator is one indicator an organisation holds.
type Indicator struct {
	ID         int64      `json:"id"`
	Collection string     `json:"collection"`
	STIXID     string     `json:"stix_id"`
	Pattern    string     `json:"pattern"`
	Kind       string     `json:"kind"`
	Value      string     `json:"value"`
	Confidence *int       `json:"confidence,omitempty"`
	TLP        string     `json:"tlp"`
	ValidFrom  time.Time  `json:"valid_from"`
	ValidUntil *time.Time `json:"valid_until,omitempty"`
	Source     string     `json:"source"` // "import:7", "inbox:3"
	Active     bool       `json:"active"` // not expired
	CreatedAt  time.Time  `json:"created_at"`
}

// Import is a feed read into a preview, and, once committed, added.
type Import struct {
	ID          int64      `json:"id"`
	Format      string     `json:"format"`
	Collection  string     `json:"collection"`
	TLP         string     `json:"tlp"`
	Name        string     `json:"name"`
	SHA256      string     `json:"sha256"`
	Lines       int        `json:"lines"`
	Good        int        `json:"good"`
	Bad         int        `json:"bad"`
	State       string     `json:"state"` // preview, committed
	Added       int        `json:"added"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	CommittedAt *time.Time `json:"committed_at,omitempty"`
	Items       []Item     `json:"items,omitempty"`
	Problems    []Problem  `json:"problems"`
}

// Hunt is a retro-hunt: a search of the organisation's vault for some indicators.
type Hunt struct {
	ID         int64      `json:"id"`
	Cause      string     `json:"cause"` // "inbox:3", "import:7"
	Indicators int        `json:"indicators"`
	From       time.Time  `json:"from"`
	To         time.Time  `json:"to"`
	State      string     `json:"state"` // queued, running, done, failed
	Scanned    int64      `json:"scanned"`
	Total      int64      `json:"total"`
	Hits       int        `json:"hits"`
	Error      string     `json:"error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// ETASeconds is the expected time left while running, from the rate so far.
	ETASeconds *int64 `json:"eta_seconds,omitempty"`
}

// Hunt states.
const (
	HuntQueued  = "queued"
	HuntRunning = "running"
	HuntDone    = "done"
	HuntFailed  = "failed"
)

// Hit is a sighting: an indicator seen in the organisation's logs, with the proof that the
// log held the first event that showed it.
type Hit struct {
	ID           int64           `json:"id"`
	Indicator    Indicator       `json:"indicator"`
	HuntID       int64           `json:"hunt_id"` // 0: found by the live sweep
	EventSeq     uint64          `json:"event_seq"`
	Event        json.RawMessage `json:"event"`
	Proof        *Proof          `json:"proof"`
	FirstSeen    time.Time       `json:"first_seen"`
	LastSeen     time.Time       `json:"last_seen"`
	Count        int             `json:"count"`
	IncidentID   *int64          `json:"incident_id"`
	IncidentPath string          `json:"incident_path,omitempty"`
	Triage       string          `json:"triage"` // "", confirmed, false_positive
	TriageNote   string          `json:"triage_note"`
	TriagedBy    string          `json:"triaged_by"`
	TriagedAt    *time.Time      `json:"triaged_at"`
	TriageDue    time.Time       `json:"triage_due"`
	SharedAt     *time.Time      `json:"shared_at"`
	CreatedAt    time.Time       `json:"created_at"`
}

// Proof is an event's RFC 9162 inclusion proof against a signed checkpoint, base64 as the
// vault's own proofs are.
type Proof struct {
	Seq         uint64   `json:"seq"`
	TreeSize    uint64   `json:"tree_size"`
	Leaf        []byte   `json:"leaf"`
	Hashes      [][]byte `json:"hashes"`
	Root        []byte   `json:"root"`
	Checkpoint  string   `json:"checkpoint"`
	VerifierKey string   `json:"verifier_key"`
	Origin      string   `json:"origin"`
}

// Triage decisions of a hit.
var Triages = []string{"confirmed", "false_positive"}

// SharedSighting is a sighting an operator shared, as its regulator sees it.
type SharedSighting struct {
	ID             int64           `json:"id"`
	OperatorID     int64           `json:"operator_id"`
	OperatorZH     string          `json:"operator_name_zh"`
	OperatorEN     string          `json:"operator_name_en"`
	NotificationID *int64          `json:"notification_id"`
	IndicatorValue string          `json:"indicator_value"`
	FirstSeen      time.Time       `json:"first_seen"`
	LastSeen       time.Time       `json:"last_seen"`
	Count          int             `json:"count"`
	Sighting       json.RawMessage `json:"sighting"`
	SharedBy       string          `json:"shared_by"`
	SharedAt       time.Time       `json:"shared_at"`
}
