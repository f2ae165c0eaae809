package incidents

import "time"

// Impact is what an incident measurably did, in the annex's terms.
type Impact struct {
	PILeaked         int64 `json:"pi_leaked"`          // people whose personal information leaked
	PISensitive      bool  `json:"pi_sensitive"`       // the leak includes sensitive personal information
	LossRMB          int64 `json:"loss_rmb"`           // direct economic loss, yuan
	CIIFullDownMin   int64 `json:"cii_full_down_min"`  // CII wholly out of service, minutes
	CIIMainDownMin   int64 `json:"cii_main_down_min"`  // CII main function out of service, minutes
	PortalDownMin    int64 `json:"portal_down_min"`    // portal website unreachable, minutes
	PeopleAffected   int64 `json:"people_affected"`    // people whose work and life were affected
	ProvinceSharePct int64 `json:"province_share_pct"` // share of one province's population affected, percent
}

// Ransom holds the IRM's extra items for a ransomware incident (Art. 7: amount, method, date).
type Ransom struct {
	Amount string `json:"amount"` // the ransom demanded, as the attacker put it (currency, coin)
	Method string `json:"method"` // how payment was demanded
	Date   string `json:"date"`   // when the demand was made, YYYY-MM-DD
}

// SystemRef is an affected system of the inventory, as it was when the incident was recorded.
type SystemRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	CII  bool   `json:"cii"` // identified as critical information infrastructure
}

// Status of an incident's handling.
const (
	StatusOpen   = "open"   // being handled
	StatusClosed = "closed" // handling ended; the summary report's clock runs
)

// Incident is one cybersecurity incident of an organisation.
type Incident struct {
	ID             int64       `json:"id"`
	Title          string      `json:"title"`
	Description    string      `json:"description"`
	Type           string      `json:"type"`    // GB/T 20986-2023 category code
	Subtype        string      `json:"subtype"` // its subtype code
	Ransom         *Ransom     `json:"ransom,omitempty"`
	StartedAt      *time.Time  `json:"started_at,omitempty"`
	DetectedAt     time.Time   `json:"detected_at"`
	Place          string      `json:"place"`
	Systems        []SystemRef `json:"systems"`
	Impact         Impact      `json:"impact"`
	Measures       string      `json:"measures"` // measures taken and their effect
	Reporter       string      `json:"reporter"` // who reported it inside the organisation
	SuspectedCrime bool        `json:"suspected_crime"`
	// Computed is the grade the annex gives the impact, Criterion the row that decided it.
	Computed  Grade  `json:"-"`
	Criterion string `json:"criterion"`
	// Raised is a grade a person set above the computed one, with the reason.
	Raised      Grade      `json:"-"`
	RaiseReason string     `json:"raise_reason,omitempty"`
	Route       string     `json:"route"` // who is told first, see Routes
	Status      string     `json:"status"`
	HandledAt   *time.Time `json:"handling_ended_at,omitempty"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Grade is the incident's grade in force: the computed one or the one a person raised it to.
func (in Incident) Grade() Grade {
	if in.Raised > in.Computed {
		return in.Raised
	}
	return in.Computed
}

// CII says whether the incident touches an identified CII system.
func (in Incident) CII() bool {
	for _, s := range in.Systems {
		if s.CII {
			return true
		}
	}
	return false
}
