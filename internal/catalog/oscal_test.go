package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"ciiguard/internal/rules"
)

const schemaURL = "urn:ciiguard:test:oscal-1.1.2-subset"

func compileSchema(t *testing.T, def string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/oscal/oscal_1.1.2_subset_schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(schemaURL + "#/definitions/" + def)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, def string, b []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t, def).Validate(inst); err != nil {
		t.Fatalf("%s does not validate: %v", def, err)
	}
}

var exportNow = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

func fixtureFindings(t *testing.T, c *Catalog) []rules.Finding {
	t.Helper()
	fs, err := c.Engine().EvaluateAll(context.Background(), rules.Facts{
		OrgID: "acme", Now: exportNow,
		Org:   rules.Org{Kind: "operator", IsCIIOperator: true},
		Extra: map[string]any{"logs": &testLogs{RetentionDays: 90}},
		Systems: []rules.System{
			{ID: 1, MLPSLevel: 3, FilingNumber: "11-1"},
			{ID: 2, MLPSLevel: 2, GradedOn: time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC), MaintenanceAbroad: true},
		},
		Attestations: []rules.Attestation{{ObligationID: "TST-SECURITY-ORG", SubjectKind: rules.SubjectOrg,
			ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), EvidenceSHA256s: []string{strings.Repeat("ab", 32)}, By: "wang"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestExportOSCALCatalog(t *testing.T) {
	for _, load := range []struct {
		name string
		load func() (*Catalog, error)
	}{
		{"fixture", func() (*Catalog, error) { return LoadFS(os.DirFS("testdata"), "good", withTestLogs) }},
		{"embedded", func() (*Catalog, error) { return Load() }},
	} {
		t.Run(load.name, func(t *testing.T) {
			c, err := load.load()
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.ExportOSCAL(ExportOptions{Version: "test", Now: exportNow})
			if err != nil {
				t.Fatal(err)
			}
			validate(t, "catalog-document", b)
			again, _ := c.ExportOSCAL(ExportOptions{Version: "test", Now: exportNow})
			if !bytes.Equal(b, again) {
				t.Error("export is not deterministic")
			}
			// Our own export imports back as a framework with every obligation as a control.
			f, err := ImportOSCAL(bytes.NewReader(b), "CIIGUARD")
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Controls) != len(c.Obligations) {
				t.Errorf("round trip: %d controls, %d obligations", len(f.Controls), len(c.Obligations))
			}
		})
	}
	c := loadFixture(t)
	b, _ := c.ExportOSCAL(ExportOptions{Now: exportNow})
	var doc struct {
		Catalog OSCALCatalog `json:"catalog"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	ctl := doc.Catalog.Groups[0].Controls[0]
	if ctl.ID != "TST-LOG-RETENTION" || ctl.Parts[0].Class != "zh" || ctl.Parts[1].Prose != "Logs are kept at least six months." {
		t.Errorf("control %+v", ctl)
	}
	props := map[string]string{}
	for _, p := range ctl.Props {
		props[p.Name] += p.Value + ";"
	}
	if props["article"] != "21(3);" || props["equivalent"] != "2025 Art. 23(3);TWO:2021 Art. 9;" || props["penalty"] != "TST-2016-59;" {
		t.Errorf("props %v", props)
	}
}

func TestExportProfile(t *testing.T) {
	c := loadFixture(t)
	ids := Applicable(fixtureFindings(t, c))
	if strings.Join(ids, " ") != "TST-LOG-RETENTION TST-MLPS-FILING TST-RISK-ASSESSMENT TST-SECURITY-ORG TWO-MAINTENANCE-ABROAD" {
		t.Errorf("applicable %v", ids)
	}
	b, err := c.ExportProfile(ids, ProfileOptions{OrgID: "acme", ExportOptions: ExportOptions{Now: exportNow}})
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "profile-document", b)
	if _, err := c.ExportProfile([]string{"NOPE"}, ProfileOptions{}); err == nil {
		t.Error("unknown id accepted")
	}
	if _, err := c.ExportProfile(nil, ProfileOptions{}); err == nil {
		t.Error("empty profile accepted")
	}
}

func TestExportResults(t *testing.T) {
	c := loadFixture(t)
	fs := fixtureFindings(t, c)
	b, err := c.ExportResults(fs, ResultsOptions{OrgID: "acme", ExportOptions: ExportOptions{Now: exportNow}})
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "assessment-results-document", b)
	s := string(b)
	for _, want := range []string{`"state": "satisfied"`, `"reason": "gap"`, `"urn:sha256:abab`, `"EXAMINE"`, `"count-not-applicable"`} {
		if !strings.Contains(s, want) {
			t.Errorf("results lack %s", want)
		}
	}
	if _, err := c.ExportResults([]rules.Finding{{ObligationID: "X"}}, ResultsOptions{}); err == nil {
		t.Error("unknown obligation accepted")
	}
}

func TestSchemaRejectsBadDocuments(t *testing.T) {
	// The schema is only useful if it says no: check a few broken documents.
	cases := map[string]string{
		"catalog-document":            `{"catalog": {"uuid": "not-a-uuid", "metadata": {"title": "x", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"}}}`,
		"profile-document":            `{"profile": {"uuid": "6c1a3d52-2f0b-4c8e-9a57-3e1f0d2b7a41", "metadata": {"title": "x", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"}, "imports": []}}`,
		"assessment-results-document": `{"assessment-results": {"uuid": "6c1a3d52-2f0b-4c8e-9a57-3e1f0d2b7a41", "metadata": {"title": "x", "last-modified": "yesterday", "version": "1", "oscal-version": "1.1.2"}, "import-ap": {"href": "p.json"}, "results": []}}`,
	}
	for def, doc := range cases {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if compileSchema(t, def).Validate(inst) == nil {
			t.Errorf("%s: broken document validated", def)
		}
	}
}

func TestImportOSCAL(t *testing.T) {
	b, err := os.ReadFile("testdata/oscal/nist-800-53-excerpt.json")
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "catalog-document", b)
	f, err := ImportOSCAL(bytes.NewReader(b), "NIST-800-53")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Controls) != 5 {
		t.Fatalf("%d controls", len(f.Controls))
	}
	cp91, ok := f.Control("cp-9.1")
	if !ok || cp91.Parent != "cp-9" || cp91.Group != "Contingency Planning" || cp91.Label != "CP-9(1)" {
		t.Errorf("cp-9.1: %+v", cp91)
	}
	if cp4, _ := f.Control("cp-4"); !strings.Contains(cp4.Statement, "Review the results") {
		t.Errorf("cp-4 statement %q", cp4.Statement)
	}
}

func TestImportOSCALErrors(t *testing.T) {
	cases := map[string]string{
		`{}`:                            "not an OSCAL catalog",
		`{"catalog": {"metadata": {}}}`: "metadata.title",
		`{"catalog": {"metadata": {"title": "x"}}}`:                                                                     "no controls",
		`{"catalog": {"metadata": {"title": "x"}, "controls": [{"id": "a"}]}}`:                                          "needs an id and a title",
		`{"catalog": {"metadata": {"title": "x"}, "controls": [{"id": "1a", "title": "t"}]}}`:                           "not an OSCAL token",
		`{"catalog": {"metadata": {"title": "x"}, "controls": [{"id": "a", "title": "t"}, {"id": "a", "title": "t"}]}}`: "duplicate control id",
		`[`: "unexpected EOF",
	}
	for doc, want := range cases {
		_, err := ImportOSCAL(strings.NewReader(doc), "X")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", doc, err, want)
		}
	}
}

func FuzzImportOSCAL(f *testing.F) {
	b, err := os.ReadFile("testdata/oscal/nist-800-53-excerpt.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"catalog": {"metadata": {"title": "x"}, "groups": [{"title": "g", "groups": [{"title": "h", "controls": [{"id": "a", "title": "t"}]}]}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ImportOSCAL(bytes.NewReader(b), "F") // must not panic
	})
}
