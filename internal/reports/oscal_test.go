package reports_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"ciiguard/internal/reports"
	"ciiguard/internal/rules"
)

// TestOSCALAssessmentResults: a hand-written report of two open duties, written as OSCAL,
// validates against the OSCAL 1.1.2 schema's constraints for assessment-results (the
// catalog's subset of the NIST schema, testdata shared with internal/catalog) and holds
// what a hand-written expectation says: the required fields, one result for the report's
// period in China time, the two duties as not-satisfied findings, the counts and the
// report JSON's SHA-256 as properties; the same version gives the same UUIDs.
func TestOSCALAssessmentResults(t *testing.T) {
	c := &reports.Content{Kind: reports.KindAnnual, Year: 2025, Version: 3, From: "2025-01-01", To: "2025-12-31",
		GeneratedAt:  time.Date(2026, 1, 15, 2, 0, 0, 0, time.UTC),
		Organisation: reports.Organisation{NameZh: "示例电网有限公司", NameEn: "Example Grid Co., Ltd.", USCC: "91110000MA00000017"}}
	c.Findings.Totals = reports.Counts{Met: 40, Gap: 2, Overdue: 1, NotApplicable: 7}
	c.Findings.Open = []reports.DutyRow{
		{ObligationID: "CIIR-ANNUAL-RISK-ASSESSMENT", Title: rules.Text{Zh: "年度检测评估", En: "Annual test and assessment"}, Citation: rules.Text{Zh: "第十七条", En: "Art. 17"}, Status: "overdue", Subjects: 1, Reason: rules.Text{Zh: "逾期", En: "overdue"}},
		{ObligationID: "CSL-LOG-RETENTION", Title: rules.Text{Zh: "日志留存", En: "Log retention"}, Status: "gap", Subjects: 3},
	}
	const sha = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	b, err := reports.OSCAL(c, sha)
	if err != nil {
		t.Fatal(err)
	}

	f, err := os.Open("../catalog/testdata/oscal/oscal_1.1.2_subset_schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	comp := jsonschema.NewCompiler()
	comp.AssertFormat()
	if err := comp.AddResource("urn:oscal-subset", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := comp.Compile("urn:oscal-subset#/definitions/assessment-results-document")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("not valid OSCAL assessment-results: %#v", err)
	}

	var got struct {
		AR struct {
			UUID     string `json:"uuid"`
			Metadata struct {
				Title, Version string
				LastModified   string `json:"last-modified"`
				OSCALVersion   string `json:"oscal-version"`
				Props          []struct{ Name, Value string }
			} `json:"metadata"`
			ImportAP struct{ Href string } `json:"import-ap"`
			Results  []struct {
				UUID, Title, Description, Start, End string
				Props                                []struct{ Name, Value string }
				Reviewed                             struct {
					Selections []struct {
						Include []struct {
							ID string `json:"control-id"`
						} `json:"include-controls"`
					} `json:"control-selections"`
				} `json:"reviewed-controls"`
				Findings []struct {
					UUID, Title string
					Target      struct {
						Type   string `json:"type"`
						ID     string `json:"target-id"`
						Status struct{ State string }
					}
				}
			}
		} `json:"assessment-results"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	ar := got.AR
	props := func(ps []struct{ Name, Value string }) map[string]string {
		m := map[string]string{}
		for _, p := range ps {
			m[p.Name] = p.Value
		}
		return m
	}
	if ar.UUID == "" || ar.Metadata.OSCALVersion != "1.1.2" || ar.Metadata.Version != "3" || ar.Metadata.LastModified != "2026-01-15T02:00:00Z" ||
		ar.Metadata.Title == "" || ar.ImportAP.Href == "" || props(ar.Metadata.Props)["report-json-sha256"] != sha || props(ar.Metadata.Props)["uscc"] != "91110000MA00000017" {
		t.Fatalf("metadata and import-ap: %+v", ar)
	}
	if len(ar.Results) != 1 {
		t.Fatalf("%d results, want 1", len(ar.Results))
	}
	r := ar.Results[0]
	if r.Start != "2024-12-31T16:00:00Z" || r.End != "2025-12-31T15:59:59Z" || r.Title == "" || r.Description == "" {
		t.Errorf("result: %+v", r)
	}
	if p := props(r.Props); p["met"] != "40" || p["gap"] != "2" || p["overdue"] != "1" || p["not-applicable"] != "7" {
		t.Errorf("result props %v", p)
	}
	want := []string{"CIIR-ANNUAL-RISK-ASSESSMENT", "CSL-LOG-RETENTION"}
	if len(r.Reviewed.Selections) != 1 || len(r.Reviewed.Selections[0].Include) != 2 || len(r.Findings) != 2 {
		t.Fatalf("reviewed controls and findings: %+v", r)
	}
	for i, id := range want {
		fd := r.Findings[i]
		if r.Reviewed.Selections[0].Include[i].ID != id || fd.Target.Type != "objective-id" || fd.Target.ID != id || fd.Target.Status.State != "not-satisfied" || fd.UUID == "" {
			t.Errorf("finding %d: %+v; want %s not-satisfied", i, fd, id)
		}
	}
	again, err := reports.OSCAL(c, sha)
	if err != nil || !bytes.Equal(again, b) {
		t.Errorf("the same version written twice differs (%v)", err)
	}
}
