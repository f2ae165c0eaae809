package scope

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
)

// Sectors are the sector codes of docs/catalog-schema.md, in the order of CIIR draft
// Art. 18 and final Art. 2 (which adds defence science and technology industry). Message
// keys "sector.<code>" name them in both languages.
var Sectors = []string{
	"government", "energy", "finance", "transport", "water", "healthcare", "education",
	"social_insurance", "environment", "public_utilities", "telecom", "broadcasting", "internet",
	"cloud_bigdata", "defence_industry", "defence_science", "large_equipment", "chemicals",
	"food_drugs", "news", "other",
}

// CII statuses of a system. Candidate is the operator's own self-assessment; identified
// and deidentified are set only by a notice of the protection-work department, so the two
// are never confused (REGULATORY-BRIEF, "Who is a CII operator").
const (
	CIINone         = "none"
	CIICandidate    = "candidate"
	CIIIdentified   = "identified"
	CIIDeidentified = "deidentified"
)

// CIIStatuses lists the statuses in workflow order.
var CIIStatuses = []string{CIINone, CIICandidate, CIIIdentified, CIIDeidentified}

// Date is a calendar day written YYYY-MM-DD, or "" when not set. Days, not instants, are
// what notices, filings and tests carry; keeping them as text makes forms, CSV and JSON
// round-trip exactly and compares correctly as strings.
type Date string

// DateLayout is how a Date is written.
const DateLayout = "2006-01-02"

// DateOf returns the day t falls on in Beijing, or "" for the zero time: the day its users
// and regulators count in (a day stored as midnight UTC keeps its day).
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return ""
	}
	return Date(t.In(calendar.Shanghai).Format(DateLayout))
}

// Time returns the day as midnight UTC, or the zero time when unset or malformed (the
// rules engine reads a zero time as "not set").
func (d Date) Time() time.Time {
	t, err := time.Parse(DateLayout, string(d))
	if err != nil {
		return time.Time{}
	}
	return t
}

// IsSet reports whether a day is given.
func (d Date) IsSet() bool { return d != "" }

// AddMonths returns the day n calendar months later; a day that does not exist in the
// target month (31 August + 3 months) becomes that month's last day, the way a deadline
// "within three months" is counted.
func (d Date) AddMonths(n int) Date {
	t := d.Time()
	if t.IsZero() {
		return ""
	}
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	day := min(t.Day(), last)
	return DateOf(time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC))
}

// Profile is the organisation-level record of an operator: identity, sectors, the
// regulators it answers to, the flags that decide which parts of the regime apply, and the
// organisation facts that no other capability keeps yet.
type Profile struct {
	OrgID  int64  `json:"org_id"`
	NameZH string `json:"name_zh"` // from the organisation, read-only here
	NameEN string `json:"name_en"` // from the organisation, read-only here
	ProfileInput
	UpdatedAt time.Time `json:"updated_at"`
}

// ProfileInput is the editable part of the profile.
type ProfileInput struct {
	USCC                      string   `json:"uscc"`
	Sectors                   []string `json:"sectors"`
	Region                    string   `json:"region"`
	Regulators                []string `json:"regulators"`
	CentralStateOrgan         bool     `json:"central_state_organ"`
	TelecomOperator           bool     `json:"telecom_operator"`
	AppStore                  bool     `json:"app_store"`
	PISubjects                int64    `json:"pi_subjects"`
	SensitivePISubjects       int64    `json:"sensitive_pi_subjects"`
	ExportPISubjects          int64    `json:"export_pi_subjects"`
	ExportSensitivePISubjects int64    `json:"export_sensitive_pi_subjects"`
	ExportsImportantData      bool     `json:"exports_important_data"`
	HasImportantData          bool     `json:"has_important_data"`
	HasCoreData               bool     `json:"has_core_data"`
	DataSecurityOfficerNamed  bool     `json:"data_security_officer_named"`
	PlansListingAbroad        bool     `json:"plans_listing_abroad"`
	LastRiskAssessment        Date     `json:"last_risk_assessment"`
	LastPISelfInspection      Date     `json:"last_pi_self_inspection"`
}

// System is one network or information system in the inventory.
type System struct {
	ID int64 `json:"id"`
	SystemInput
	Assessment       *Assessment `json:"assessment,omitempty"` // the last CII self-assessment
	AssessmentSHA256 string      `json:"assessment_sha256,omitempty"`
	CreatedAt        time.Time   `json:"created_at"`
	UpdatedAt        time.Time   `json:"updated_at"`
}

// SystemInput is everything about a system a user edits: the rules engine's facts
// (rules.System) plus what a person needs to judge them.
type SystemInput struct {
	Name                      string `json:"name"`
	NameEN                    string `json:"name_en"`
	Owner                     string `json:"owner"`
	ResponsiblePerson         string `json:"responsible_person"`
	Sector                    string `json:"sector"`
	Purpose                   string `json:"purpose"`
	Location                  string `json:"location"`
	DataHeld                  string `json:"data_held"`
	MLPSLevel                 int64  `json:"mlps_level"`
	GradedOn                  Date   `json:"graded_on"`
	GoLive                    Date   `json:"go_live"`
	FilingNumber              string `json:"filing_number"`
	FiledOn                   Date   `json:"filed_on"`
	LastMLPSTest              Date   `json:"last_mlps_test"`
	LastSelfInspection        Date   `json:"last_self_inspection"`
	CIIStatus                 string `json:"cii_status"`
	IdentifiedOn              Date   `json:"identified_on"`
	IdentificationDoc         string `json:"identification_doc"`
	DeidentifiedOn            Date   `json:"deidentified_on"`
	DeidentificationDoc       string `json:"deidentification_doc"`
	MajorChangeOn             Date   `json:"major_change_on"`
	HoldsPersonalInfo         bool   `json:"holds_personal_info"`
	HoldsImportantData        bool   `json:"holds_important_data"`
	DataStoredAbroad          bool   `json:"data_stored_abroad"`
	MaintenanceAbroad         bool   `json:"maintenance_abroad"`
	MaintenanceAbroadReported bool   `json:"maintenance_abroad_reported"`
}

// ReidentificationDue is the day by which the department should have re-identified the
// system after its last reported major change (CIIR final Art. 11: within three months),
// or "" when no major change is on record.
func (s SystemInput) ReidentificationDue() Date {
	return s.MajorChangeOn.AddMonths(3)
}

// Text limits, in characters.
const (
	maxName  = 200
	maxText  = 2000
	maxShort = 100
)

// checkDate validates an optional day: well formed, and not after today when notFuture.
func checkDate(v *problem.Invalid, field string, d Date, today Date, notFuture bool) {
	if d == "" {
		return
	}
	t, err := time.Parse(DateLayout, string(d))
	if err != nil || DateOf(t) != d {
		v.Add(field, "must be a date written YYYY-MM-DD, not %q", string(d))
		return
	}
	if t.Year() < 1950 {
		v.Add(field, "must not be before 1950")
		return
	}
	if notFuture && d > today {
		v.Add(field, "must not be in the future (today is %s)", today)
	}
}

// Normalize trims the text fields and fills defaults, so that validation and storage see
// the same values whichever door (form, API, CSV) they came through.
func (s *SystemInput) Normalize() {
	for _, p := range []*string{&s.Name, &s.NameEN, &s.Owner, &s.ResponsiblePerson, &s.Sector, &s.Purpose, &s.Location, &s.DataHeld,
		&s.FilingNumber, &s.CIIStatus, &s.IdentificationDoc, &s.DeidentificationDoc} {
		*p = strings.TrimSpace(*p)
	}
	for _, p := range []*Date{&s.GradedOn, &s.GoLive, &s.FiledOn, &s.LastMLPSTest, &s.LastSelfInspection, &s.IdentifiedOn, &s.DeidentifiedOn,
		&s.MajorChangeOn} {
		*p = Date(strings.TrimSpace(string(*p)))
	}
	if s.CIIStatus == "" {
		s.CIIStatus = CIINone
	}
	s.Sector = strings.ToLower(s.Sector)
}

// Validate checks a system, listing every bad field with the reason. today is the
// current day, against which dates of past events are checked.
func (s *SystemInput) Validate(today Date) error {
	v := &problem.Invalid{}
	if s.Name == "" {
		v.Add("name", "is required")
	}
	v.Text("name", s.Name, false, maxName)
	v.Text("name_en", s.NameEN, false, maxName)
	v.Text("owner", s.Owner, false, maxName)
	v.Text("responsible_person", s.ResponsiblePerson, false, maxShort)
	v.Text("purpose", s.Purpose, false, maxText)
	v.Text("location", s.Location, false, maxName)
	v.Text("data_held", s.DataHeld, false, maxText)
	v.Text("filing_number", s.FilingNumber, false, maxShort)
	v.Text("identification_doc", s.IdentificationDoc, false, maxShort)
	v.Text("deidentification_doc", s.DeidentificationDoc, false, maxShort)
	switch {
	case s.Sector == "":
		v.Add("sector", "is required: one of %s", strings.Join(Sectors, ", "))
	case !slices.Contains(Sectors, s.Sector):
		v.Add("sector", "%q is not a sector code: use one of %s", s.Sector, strings.Join(Sectors, ", "))
	}
	if s.MLPSLevel < 0 || s.MLPSLevel > 5 {
		v.Add("mlps_level", "must be 0 (not graded) or a level from 1 to 5, not %d", s.MLPSLevel)
	}
	for _, d := range []struct {
		field     string
		val       Date
		notFuture bool
	}{
		{"graded_on", s.GradedOn, true}, {"go_live", s.GoLive, false}, {"filed_on", s.FiledOn, true},
		{"last_mlps_test", s.LastMLPSTest, true}, {"last_self_inspection", s.LastSelfInspection, true},
		{"identified_on", s.IdentifiedOn, true}, {"deidentified_on", s.DeidentifiedOn, true},
		{"major_change_on", s.MajorChangeOn, true},
	} {
		checkDate(v, d.field, d.val, today, d.notFuture)
	}
	if s.GradedOn != "" && s.MLPSLevel == 0 {
		v.Add("graded_on", "a grading date needs an MLPS level from 1 to 5")
	}
	if s.FiledOn != "" && s.FilingNumber == "" {
		v.Add("filing_number", "is required when a filing date is given")
	}
	if s.FilingNumber != "" && s.FiledOn == "" {
		v.Add("filed_on", "is required when a filing number is given")
	}
	if (s.FilingNumber != "" || s.FiledOn != "") && s.MLPSLevel < 2 {
		v.Add("mlps_level", "only systems of level 2 and above are filed with the public security bureau")
	}
	if s.FiledOn != "" && s.GradedOn != "" && s.FiledOn < s.GradedOn {
		v.Add("filed_on", "must not be before the grading date %s", s.GradedOn)
	}
	if s.LastMLPSTest != "" && s.MLPSLevel == 0 {
		v.Add("last_mlps_test", "a level test needs an MLPS level from 1 to 5")
	}
	if s.MaintenanceAbroadReported && !s.MaintenanceAbroad {
		v.Add("maintenance_abroad_reported", "can only be set when the system is maintained from abroad")
	}
	switch s.CIIStatus {
	case CIINone, CIICandidate:
		if s.IdentifiedOn != "" || s.IdentificationDoc != "" {
			v.Add("cii_status", "is %s but an identification notice is recorded; an identified system has status identified", s.CIIStatus)
		}
	case CIIIdentified:
		if s.IdentifiedOn == "" {
			v.Add("identified_on", "is required for an identified system: the date of the department's notice")
		}
		if s.IdentificationDoc == "" {
			v.Add("identification_doc", "is required for an identified system: the document number of the department's notice")
		}
		if s.DeidentifiedOn != "" || s.DeidentificationDoc != "" {
			if s.DeidentifiedOn != "" && s.IdentifiedOn != "" && s.DeidentifiedOn > s.IdentifiedOn {
				v.Add("cii_status", "is identified but a later de-identification notice (%s) is recorded", s.DeidentifiedOn)
			}
		}
	case CIIDeidentified:
		if s.DeidentifiedOn == "" {
			v.Add("deidentified_on", "is required for a de-identified system: the date of the department's notice")
		}
		if s.DeidentificationDoc == "" {
			v.Add("deidentification_doc", "is required for a de-identified system: the document number of the department's notice")
		}
		if s.DeidentifiedOn != "" && s.IdentifiedOn != "" && s.DeidentifiedOn < s.IdentifiedOn {
			v.Add("deidentified_on", "must not be before the identification notice of %s", s.IdentifiedOn)
		}
	default:
		v.Add("cii_status", "must be one of %s, not %q", strings.Join(CIIStatuses, ", "), s.CIIStatus)
	}
	if s.MajorChangeOn != "" {
		if s.CIIStatus != CIIIdentified && s.CIIStatus != CIIDeidentified {
			v.Add("major_change_on", "a major change is reported for identified CII only")
		} else if s.IdentifiedOn != "" && s.MajorChangeOn < s.IdentifiedOn {
			v.Add("major_change_on", "must not be before the identification notice of %s", s.IdentifiedOn)
		}
	}
	return v.Err()
}

// Normalize trims the profile's fields and drops empty and repeated list entries.
func (p *ProfileInput) Normalize() {
	p.USCC = strings.ToUpper(strings.TrimSpace(p.USCC))
	p.Region = strings.TrimSpace(p.Region)
	p.Sectors = cleanList(p.Sectors, strings.ToLower)
	p.Regulators = cleanList(p.Regulators, nil)
	p.LastRiskAssessment = Date(strings.TrimSpace(string(p.LastRiskAssessment)))
	p.LastPISelfInspection = Date(strings.TrimSpace(string(p.LastPISelfInspection)))
}

func cleanList(in []string, f func(string) string) []string {
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if f != nil {
			s = f(s)
		}
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Validate checks the profile, listing every bad field with the reason.
func (p *ProfileInput) Validate(today Date) error {
	v := &problem.Invalid{}
	if p.USCC != "" {
		if err := ValidateUSCC(p.USCC); err != nil {
			v.Add("uscc", "%v", err)
		}
	}
	if len(p.Sectors) == 0 {
		v.Add("sectors", "choose at least one sector")
	}
	for _, s := range p.Sectors {
		if !slices.Contains(Sectors, s) {
			v.Add("sectors", "%q is not a sector code: use any of %s", s, strings.Join(Sectors, ", "))
		}
	}
	v.Text("region", p.Region, false, maxShort)
	if len(p.Regulators) > 50 {
		v.Add("regulators", "at most 50 regulators, not %d", len(p.Regulators))
	}
	for _, r := range p.Regulators {
		v.Text("regulators", r, false, maxName)
	}
	for _, n := range []struct {
		field string
		val   int64
	}{
		{"pi_subjects", p.PISubjects}, {"sensitive_pi_subjects", p.SensitivePISubjects},
		{"export_pi_subjects", p.ExportPISubjects}, {"export_sensitive_pi_subjects", p.ExportSensitivePISubjects},
	} {
		if n.val < 0 {
			v.Add(n.field, "must not be negative")
		}
	}
	if p.SensitivePISubjects > p.PISubjects {
		v.Add("sensitive_pi_subjects", "must not exceed the number of personal-information subjects (%d)", p.PISubjects)
	}
	if p.ExportsImportantData && !p.HasImportantData {
		v.Add("exports_important_data", "exporting important data means holding it: set has_important_data too")
	}
	checkDate(v, "last_risk_assessment", p.LastRiskAssessment, today, true)
	checkDate(v, "last_pi_self_inspection", p.LastPISelfInspection, today, true)
	return v.Err()
}

// describe is a one-line summary of a system for the audit trail's detail column.
func (s *System) describe() string {
	return fmt.Sprintf("%s (level %d, %s)", s.Name, s.MLPSLevel, s.CIIStatus)
}
