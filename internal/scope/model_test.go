package scope

import (
	"strings"
	"testing"
	"time"

	"ciiguard/internal/problem"
)

// fieldsOf returns "field: reason" lines of a validation error.
func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	if inv, ok := problem.As[*problem.Invalid](err); ok {
		for _, f := range inv.Fields {
			out[f.Field] = f.Reason
		}
	}
	return out
}

func TestSystemValidation(t *testing.T) {
	const today = Date("2026-06-01")
	base := func() SystemInput {
		return SystemInput{Name: "调度自动化系统", Sector: "energy", MLPSLevel: 3, CIIStatus: CIINone}
	}
	cases := []struct {
		name   string
		edit   func(*SystemInput)
		field  string // "" for valid
		reason string
	}{
		{"minimal", func(*SystemInput) {}, "", ""},
		{"no name", func(s *SystemInput) { s.Name = "  " }, "name", "required"},
		{"bad sector", func(s *SystemInput) { s.Sector = "mining" }, "sector", "not a sector code"},
		{"no sector", func(s *SystemInput) { s.Sector = "" }, "sector", "required"},
		{"level 6", func(s *SystemInput) { s.MLPSLevel = 6 }, "mlps_level", "0 (not graded) or a level from 1 to 5"},
		{"level -1", func(s *SystemInput) { s.MLPSLevel = -1 }, "mlps_level", "not -1"},
		{"level 5", func(s *SystemInput) { s.MLPSLevel = 5 }, "", ""},
		{"malformed date", func(s *SystemInput) { s.GradedOn = "2026/01/01" }, "graded_on", "YYYY-MM-DD"},
		{"impossible date", func(s *SystemInput) { s.GradedOn = "2026-02-30" }, "graded_on", "YYYY-MM-DD"},
		{"test in the future", func(s *SystemInput) { s.LastMLPSTest = "2026-06-02" }, "last_mlps_test", "future"},
		{"planned go-live may be future", func(s *SystemInput) { s.GoLive = "2027-01-01" }, "", ""},
		{"filed without number", func(s *SystemInput) { s.FiledOn = "2025-01-01" }, "filing_number", "required when a filing date"},
		{"number without date", func(s *SystemInput) { s.FilingNumber = "11010813001-00001" }, "filed_on", "required when a filing number"},
		{"level 1 filed", func(s *SystemInput) { s.MLPSLevel = 1; s.FiledOn = "2025-01-01"; s.FilingNumber = "x" }, "mlps_level", "level 2 and above"},
		{"filed before graded", func(s *SystemInput) {
			s.GradedOn = "2025-02-01"
			s.FiledOn = "2025-01-01"
			s.FilingNumber = "x"
		}, "filed_on", "before the grading date"},
		{"graded but level 0", func(s *SystemInput) { s.MLPSLevel = 0; s.GradedOn = "2025-01-01" }, "graded_on", "needs an MLPS level"},
		{"reported without abroad", func(s *SystemInput) { s.MaintenanceAbroadReported = true }, "maintenance_abroad_reported", "maintained from abroad"},
		{"identified without notice", func(s *SystemInput) { s.CIIStatus = CIIIdentified }, "identified_on", "required"},
		{"identified without number", func(s *SystemInput) { s.CIIStatus = CIIIdentified; s.IdentifiedOn = "2025-01-01" }, "identification_doc", "required"},
		{"identified", func(s *SystemInput) {
			s.CIIStatus, s.IdentifiedOn, s.IdentificationDoc = CIIIdentified, "2025-01-01", "示能监安认〔2025〕3号"
		}, "", ""},
		{"candidate with a notice", func(s *SystemInput) { s.CIIStatus = CIICandidate; s.IdentifiedOn = "2025-01-01" }, "cii_status", "identification notice"},
		{"unknown status", func(s *SystemInput) { s.CIIStatus = "maybe" }, "cii_status", "must be one of"},
		{"major change of a non-CII", func(s *SystemInput) { s.MajorChangeOn = "2025-01-01" }, "major_change_on", "identified CII only"},
		{"major change before identification", func(s *SystemInput) {
			s.CIIStatus, s.IdentifiedOn, s.IdentificationDoc, s.MajorChangeOn = CIIIdentified, "2025-03-01", "doc", "2025-01-01"
		}, "major_change_on", "before the identification"},
		{"deidentified before identified", func(s *SystemInput) {
			s.CIIStatus, s.IdentifiedOn, s.IdentificationDoc = CIIDeidentified, "2025-03-01", "doc"
			s.DeidentifiedOn, s.DeidentificationDoc = "2025-01-01", "doc2"
		}, "deidentified_on", "before the identification"},
		{"name too long", func(s *SystemInput) { s.Name = strings.Repeat("系", 201) }, "name", "at most 200"},
		{"invalid UTF-8", func(s *SystemInput) { s.Owner = "\xff" }, "owner", "UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.edit(&in)
			in.Normalize()
			err := in.Validate(today)
			if c.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			got := fieldsOf(err)
			if r, ok := got[c.field]; !ok || !strings.Contains(r, c.reason) {
				t.Fatalf("want %s: …%s…, got %v", c.field, c.reason, err)
			}
		})
	}
}

func TestProfileValidation(t *testing.T) {
	const today = Date("2026-06-01")
	cases := []struct {
		name   string
		in     ProfileInput
		field  string
		reason string
	}{
		{"good", ProfileInput{USCC: DemoUSCC, Sectors: []string{"energy"}}, "", ""},
		{"lower-case code is normalised", ProfileInput{USCC: strings.ToLower(DemoUSCC), Sectors: []string{"Energy "}}, "", ""},
		{"bad check character", ProfileInput{USCC: DemoUSCC[:17] + "1", Sectors: []string{"energy"}}, "uscc", "character 18"},
		{"bad organisation code", ProfileInput{USCC: "91110000MA00000012", Sectors: []string{"energy"}}, "uscc", "GB 11714"},
		{"no sector", ProfileInput{}, "sectors", "at least one"},
		{"unknown sector", ProfileInput{Sectors: []string{"banking"}}, "sectors", "not a sector code"},
		{"negative", ProfileInput{Sectors: []string{"energy"}, PISubjects: -1}, "pi_subjects", "negative"},
		{"more sensitive than all", ProfileInput{Sectors: []string{"energy"}, PISubjects: 10, SensitivePISubjects: 11}, "sensitive_pi_subjects", "exceed"},
		{"assessment in the future", ProfileInput{Sectors: []string{"energy"}, LastRiskAssessment: "2026-07-01"}, "last_risk_assessment", "future"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			in.Normalize()
			err := in.Validate(today)
			if c.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if r, ok := fieldsOf(err)[c.field]; !ok || !strings.Contains(r, c.reason) {
				t.Fatalf("want %s: …%s…, got %v", c.field, c.reason, err)
			}
		})
	}
}

func TestAddMonths(t *testing.T) {
	for in, want := range map[Date]Date{
		"2026-01-15": "2026-04-15", "2025-11-30": "2026-02-28", "2023-11-30": "2024-02-29", "2026-08-31": "2026-11-30", "": "",
	} {
		if got := in.AddMonths(3); got != want {
			t.Errorf("%s + 3 months = %s, want %s", in, got, want)
		}
	}
}

func TestEvaluate(t *testing.T) {
	cases := []struct {
		name      string
		a         Answers
		candidate bool
		criteria  int
	}{
		{"nothing", Answers{}, false, 0},
		{"in sector, no impact", Answers{Sector: "energy", UsersServed: 999_999, RegionalScope: "provincial"}, false, 0},
		{"impact, no sector", Answers{NationalSecurity: true}, false, 1},
		{"in sector, many users", Answers{Sector: "energy", UsersServed: 1_000_000}, true, 1},
		{"in sector, national", Answers{Sector: "finance", RegionalScope: "national"}, true, 1},
		{"outage counts only for core business", Answers{Sector: "energy", TolerableOutage: "under_1h"}, false, 0},
		{"core business, no outage tolerated", Answers{Sector: "energy", TolerableOutage: "under_1h", CoreFunction: true}, true, 1},
		{"several", Answers{Sector: "telecom", PISubjects: 2_000_000, OtherCIIDepend: true, PublicInterest: true}, true, 3},
	}
	for _, c := range cases {
		res := Evaluate(c.a, "tester", mustTime("2026-06-01"))
		if res.Candidate != c.candidate || len(res.Criteria) != c.criteria {
			t.Errorf("%s: candidate %v criteria %v, want %v and %d", c.name, res.Candidate, res.Criteria, c.candidate, c.criteria)
		}
	}
}

// TestDateOfIsTheBeijingDay checks against hand-worked readings that an instant falls on
// its Beijing day: between 00:00 and 08:00 in Beijing the UTC day is still yesterday, and a
// notice dated today would have been refused as "in the future".
func TestDateOfIsTheBeijingDay(t *testing.T) {
	cases := []struct {
		in   time.Time
		want Date
	}{
		{time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC), "2026-12-03"},   // 01:00 on the 3rd in Beijing
		{time.Date(2026, 12, 2, 15, 59, 59, 0, time.UTC), "2026-12-02"}, // 23:59:59 on the 2nd
		{time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), "2026-12-02"},    // a day stored as UTC midnight keeps its day
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)), "2027-01-01"},
		{time.Time{}, ""},
	}
	for _, c := range cases {
		if got := DateOf(c.in); got != c.want {
			t.Errorf("DateOf(%s) = %q, want %q", c.in.Format(time.RFC3339), got, c.want)
		}
	}
}
