package scope

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"ciiguard/internal/problem"
)

// Answers are an operator's answers to the CII self-assessment questionnaire for one
// system. The questionnaire follows the two-part test of CIIR draft Art. 18 / final Art. 2:
// is the system in one of the listed sectors, and would its damage, loss of function or
// data leak seriously endanger national security, the national economy and people's
// livelihood, or the public interest. Sector identification rules are not public, so the
// indicator thresholds below are the product's screening thresholds: a "candidate" result
// means "report to the protection-work department", never "identified".
type Answers struct {
	// Sector is the sector of Art. 18 / Art. 2 the system serves, or "" when none.
	Sector string `json:"sector"`
	// CoreFunction: the system carries a core business of that sector (power dispatch,
	// payment clearing, train control …), not only internal administration.
	CoreFunction bool `json:"core_function"`
	// UsersServed is the number of people served by the service the system supports.
	UsersServed int64 `json:"users_served"`
	// RegionalScope is local, provincial, multi_provincial or national.
	RegionalScope string `json:"regional_scope"`
	// OtherCIIDepend: other critical information infrastructure depends on the system.
	OtherCIIDepend bool `json:"other_cii_depend"`
	// PISubjects is the number of individuals whose personal information the system holds.
	PISubjects int64 `json:"pi_subjects"`
	// ImportantData: the system holds data notified or published as important or core.
	ImportantData bool `json:"important_data"`
	// TolerableOutage is how long the service can be lost before serious harm:
	// days, hours or under_1h.
	TolerableOutage string `json:"tolerable_outage"`
	// The operator's overall judgment on the three interests of the test.
	NationalSecurity  bool   `json:"national_security"`
	EconomyLivelihood bool   `json:"economy_livelihood"`
	PublicInterest    bool   `json:"public_interest"`
	Notes             string `json:"notes"`
}

// Regional scopes and tolerable outages, in increasing order of impact.
var (
	RegionalScopes   = []string{"local", "provincial", "multi_provincial", "national"}
	TolerableOutages = []string{"days", "hours", "under_1h"}
)

// Screening thresholds of the impact test.
const (
	UsersThreshold      = 1_000_000 // people served
	PISubjectsThreshold = 1_000_000 // individuals whose personal information is held
)

// Assessment is a completed self-assessment: the answers, what they led to and when.
type Assessment struct {
	Answers    Answers  `json:"answers"`
	InSector   bool     `json:"in_sector"`
	ImpactMet  bool     `json:"impact_met"`
	Criteria   []string `json:"criteria"` // impact criteria met, message keys "assess.criterion.<name>"
	Candidate  bool     `json:"candidate"`
	AssessedOn Date     `json:"assessed_on"`
	AssessedBy string   `json:"assessed_by"`
}

// Validate checks the answers.
func (a *Answers) Validate() error {
	v := &problem.Invalid{}
	if a.Sector != "" && !slices.Contains(Sectors, a.Sector) {
		v.Add("sector", "%q is not a sector code", a.Sector)
	}
	if a.UsersServed < 0 {
		v.Add("users_served", "must not be negative")
	}
	if a.PISubjects < 0 {
		v.Add("pi_subjects", "must not be negative")
	}
	if a.RegionalScope != "" && !slices.Contains(RegionalScopes, a.RegionalScope) {
		v.Add("regional_scope", "must be one of local, provincial, multi_provincial, national")
	}
	if a.TolerableOutage != "" && !slices.Contains(TolerableOutages, a.TolerableOutage) {
		v.Add("tolerable_outage", "must be one of days, hours, under_1h")
	}
	v.Text("notes", a.Notes, false, maxText)
	return v.Err()
}

// Evaluate applies the test to the answers. Every criterion met is listed, so the record
// shows why the system is (or is not) a candidate.
func Evaluate(a Answers, by string, now time.Time) Assessment {
	res := Assessment{Answers: a, InSector: a.Sector != "",
		AssessedOn: DateOf(now), AssessedBy: by, Criteria: []string{}}
	add := func(ok bool, name string) {
		if ok {
			res.Criteria = append(res.Criteria, name)
		}
	}
	add(a.NationalSecurity, "national_security")
	add(a.EconomyLivelihood, "economy_livelihood")
	add(a.PublicInterest, "public_interest")
	add(a.OtherCIIDepend, "other_cii_depend")
	add(a.UsersServed >= UsersThreshold, "users_served")
	add(a.RegionalScope == "multi_provincial" || a.RegionalScope == "national", "regional_scope")
	add(a.PISubjects >= PISubjectsThreshold, "pi_subjects")
	add(a.ImportantData, "important_data")
	add(a.TolerableOutage == "under_1h" && a.CoreFunction, "tolerable_outage")
	res.ImpactMet = len(res.Criteria) > 0
	res.Candidate = res.InSector && res.ImpactMet
	return res
}

// evidence returns the canonical JSON of an assessment and its SHA-256, which the record
// and the audit trail both carry so that the answers cannot be changed unnoticed.
func evidence(a Assessment) ([]byte, string, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:]), nil
}
