package frameworks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/catalog"
	"ciiguard/internal/frameworks"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// fixedCatalog is the embedded catalog for every organisation.
type fixedCatalog struct{ c *catalog.Catalog }

func (f fixedCatalog) Catalog(context.Context) (*catalog.Catalog, error) { return f.c, nil }

// fakeFindings holds findings per organisation.
type fakeFindings map[int64][]rules.Finding

func (f fakeFindings) CurrentFindings(ctx context.Context) ([]rules.Finding, error) {
	org, ok := store.OrgFrom(ctx)
	if !ok {
		return nil, store.ErrNoTenant
	}
	return f[org], nil
}

func finding(ob string, st rules.Status) rules.Finding {
	var f rules.Finding
	f.ObligationID, f.Status, f.SubjectKind, f.SubjectID = ob, st, rules.SubjectKind("org"), "1"
	return f
}

// oscal builds a small OSCAL catalog with the given control ids (the first nested under a
// group, an enhancement under the second when there are three or more).
func oscal(title, version string, ids ...string) []byte {
	type ctl struct {
		ID       string `json:"id"`
		Title    string `json:"title"`
		Controls []ctl  `json:"controls,omitempty"`
	}
	var top []ctl
	for i, id := range ids {
		c := ctl{ID: id, Title: "Control " + id}
		if i == 2 && len(top) > 1 {
			top[1].Controls = append(top[1].Controls, c)
			continue
		}
		top = append(top, c)
	}
	doc := map[string]any{"catalog": map[string]any{
		"uuid":     "00000000-0000-4000-8000-000000000000",
		"metadata": map[string]any{"title": title, "version": version, "oscal-version": "1.1.2", "last-modified": "2026-01-01T00:00:00Z"},
		"groups":   []any{map[string]any{"id": "g", "title": "Group", "controls": top}},
	}}
	b, _ := json.Marshal(doc)
	return b
}

type env struct {
	svc      *frameworks.Service
	db       *store.DB
	findings fakeFindings
	org1     context.Context
	org2     context.Context
}

func setup(t testing.TB, d store.Dialect) env {
	t.Helper()
	migs := append([]store.Migration{}, auth.Migrations...)
	migs = append(migs, audit.Migrations...)
	migs = append(migs, frameworks.New().Migrations()...)
	db := storetest.Open(t, d, migs)
	base, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	ff := fakeFindings{}
	ctx := audit.WithActor(context.Background(), audit.Actor{UserID: 7, Label: "tester"})
	return env{svc: frameworks.NewService(db, fixedCatalog{base}, ff), db: db, findings: ff,
		org1: store.WithOrg(ctx, 1), org2: store.WithOrg(ctx, 2)}
}

// fields returns the names of the invalid fields of err, or fails.
func fields(t *testing.T, err error) []string {
	t.Helper()
	inv, ok := problem.As[*problem.Invalid](err)
	if !ok {
		t.Fatalf("error %v is not a field problem", err)
	}
	var out []string
	for _, f := range inv.Fields {
		out = append(out, f.Field)
	}
	return out
}

func auditTrail(t *testing.T, e env, ctx context.Context) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	if err := e.db.ReadTenant(ctx, func(tn *store.Tenant) error {
		var err error
		out, err = audit.List(tn, 0, 100)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		res, err := e.svc.Import(e.org1, "NIST-800-53", "file", oscal("Test catalog", "5.1", "ac-1", "ac-2", "ac-2.1", "au-11"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Replaced || res.Framework.Controls != 4 || res.Framework.Title != "Test catalog" || res.Framework.Version != "5.1" || len(res.Framework.SHA256) != 64 {
			t.Fatalf("import result %+v", res)
		}
		cs, err := e.svc.Controls(e.org1, "NIST-800-53")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cs {
			got = append(got, c.ID+"<"+c.Parent+">"+c.Group)
		}
		if want := "ac-1<>Group ac-2<>Group ac-2.1<ac-2>Group au-11<>Group"; strings.Join(got, " ") != want {
			t.Fatalf("controls %q, want %q", strings.Join(got, " "), want)
		}
		list, err := e.svc.List(e.org1)
		if err != nil || len(list) != 1 || list[0].ID != "NIST-800-53" || list[0].Controls != 4 {
			t.Fatalf("list %+v %v", list, err)
		}

		cases := []struct {
			name, id string
			doc      []byte
			field    string
		}{
			{"id not a token", "1-bad", oscal("T", "1", "a-1"), "id"},
			{"id empty", "", oscal("T", "1", "a-1"), "id"},
			{"id too long", strings.Repeat("x", 65), oscal("T", "1", "a-1"), "id"},
			{"not JSON", "X", []byte("not json"), "file"},
			{"no catalog member", "X", []byte(`{"profile":{}}`), "file"},
			{"no title", "X", []byte(`{"catalog":{"metadata":{},"controls":[{"id":"a","title":"A"}]}}`), "file"},
			{"no controls", "X", []byte(`{"catalog":{"metadata":{"title":"T"}}}`), "file"},
			{"duplicate control", "X", oscal("T", "1", "a-1", "a-1"), "file"},
			{"control id not a token", "X", oscal("T", "1", "1a"), "file"},
			{"too large", "X", make([]byte, frameworks.MaxUploadSize+1), "file"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.Import(e.org1, c.id, "file", c.doc)
				if f := fields(t, err); len(f) != 1 || f[0] != c.field {
					t.Fatalf("fields %v, want [%s] (%v)", f, c.field, err)
				}
			})
		}
		if list, _ := e.svc.List(e.org1); len(list) != 1 {
			t.Fatalf("a refused upload left a framework behind: %+v", list)
		}
	})
}

func TestReplaceKeepsAndDropsMappings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		if _, err := e.svc.Import(e.org1, "FW", "file", oscal("V1", "1", "a", "b", "c")); err != nil {
			t.Fatal(err)
		}
		for _, m := range []frameworks.NewMapping{
			{ControlID: "a", ObligationID: "CSL-LOG-RETENTION", Relation: catalog.RelEquivalent},
			{ControlID: "b", ObligationID: "CSL-TECHNICAL-DEFENCES", Relation: catalog.RelSubset},
			{ControlID: "c", ObligationID: "CSL-INCIDENT-RESPONSE-PLAN", Relation: catalog.RelRelated, Note: "partly"},
		} {
			if _, err := e.svc.AddMapping(e.org1, "FW", m); err != nil {
				t.Fatal(err)
			}
		}
		// Version 2 drops control b (c becomes an enhancement of d) and adds d.
		res, err := e.svc.Import(e.org1, "FW", "file", oscal("V2", "2", "a", "d", "c"))
		if err != nil {
			t.Fatal(err)
		}
		if !res.Replaced || res.MappingsKept != 2 || res.MappingsDropped != 1 || len(res.Dropped) != 1 || res.Dropped[0].ControlID != "b" || res.Framework.Title != "V2" {
			t.Fatalf("replace result %+v", res)
		}
		ms, err := e.svc.Mappings(e.org1, "FW")
		if err != nil || len(ms) != 2 || ms[0].ControlID != "a" || ms[1].ControlID != "c" || ms[1].Note != "partly" {
			t.Fatalf("mappings after replace %+v %v", ms, err)
		}
		f, err := e.svc.Get(e.org1, "FW")
		if err != nil || f.Controls != 3 || f.Mappings != 2 || f.Version != "2" {
			t.Fatalf("framework after replace %+v %v", f, err)
		}
		// The trail holds the dropped mapping's deletion and the framework's update.
		tr := auditTrail(t, e, e.org1)
		if tr[0].Entity != "framework" || tr[0].Action != audit.Update || tr[0].BeforeSHA256 == "" || tr[0].AfterSHA256 == "" ||
			tr[1].Entity != "framework_mapping" || tr[1].Action != audit.Delete || !strings.Contains(tr[1].EntityID, "/b→") {
			t.Fatalf("trail after replace: %+v %+v", tr[0], tr[1])
		}
		// A refused re-upload changes nothing.
		if _, err := e.svc.Import(e.org1, "FW", "file", []byte("{")); err == nil {
			t.Fatal("a broken document replaced the framework")
		}
		if ms, _ := e.svc.Mappings(e.org1, "FW"); len(ms) != 2 {
			t.Fatalf("mappings after a refused upload: %+v", ms)
		}
	})
}

func TestMappingValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		if _, err := e.svc.Import(e.org1, "FW", "file", oscal("T", "1", "a", "b")); err != nil {
			t.Fatal(err)
		}
		good := frameworks.NewMapping{ControlID: "a", ObligationID: "CSL-LOG-RETENTION", Relation: catalog.RelSubset}
		cases := []struct {
			name, framework string
			edit            func(m *frameworks.NewMapping)
			field           string
		}{
			{"unknown framework", "NOPE", func(*frameworks.NewMapping) {}, "framework"},
			{"unknown control", "FW", func(m *frameworks.NewMapping) { m.ControlID = "zz" }, "control_id"},
			{"no control", "FW", func(m *frameworks.NewMapping) { m.ControlID = "" }, "control_id"},
			{"unknown obligation", "FW", func(m *frameworks.NewMapping) { m.ObligationID = "CSL-NO-SUCH-DUTY" }, "obligation_id"},
			{"no obligation", "FW", func(m *frameworks.NewMapping) { m.ObligationID = "" }, "obligation_id"},
			{"unknown relation", "FW", func(m *frameworks.NewMapping) { m.Relation = "identical" }, "relation"},
			{"no relation", "FW", func(m *frameworks.NewMapping) { m.Relation = "" }, "relation"},
			{"note too long", "FW", func(m *frameworks.NewMapping) { m.Note = strings.Repeat("n", frameworks.MaxNote+1) }, "note"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				m := good
				c.edit(&m)
				_, err := e.svc.AddMapping(e.org1, c.framework, m)
				if f := fields(t, err); len(f) != 1 || f[0] != c.field {
					t.Fatalf("fields %v, want [%s] (%v)", f, c.field, err)
				}
			})
		}
		if ms, _ := e.svc.Mappings(e.org1, "FW"); len(ms) != 0 {
			t.Fatalf("refused mappings were stored: %+v", ms)
		}
		// Every bad field is named at once.
		_, err := e.svc.AddMapping(e.org1, "FW", frameworks.NewMapping{ControlID: "zz", ObligationID: "X", Relation: "y"})
		if f := fields(t, err); strings.Join(f, ",") != "obligation_id,relation,control_id" {
			t.Fatalf("fields %v", f)
		}

		m, err := e.svc.AddMapping(e.org1, "FW", good)
		if err != nil || m.CreatedBy != "tester" {
			t.Fatalf("add: %+v %v", m, err)
		}
		again := good
		again.Relation, again.Note = catalog.RelEquivalent, "on reflection"
		if _, err := e.svc.AddMapping(e.org1, "FW", again); err != nil {
			t.Fatal(err)
		}
		ms, _ := e.svc.Mappings(e.org1, "FW")
		if len(ms) != 1 || ms[0].Relation != catalog.RelEquivalent || ms[0].Note != "on reflection" {
			t.Fatalf("mapping the same pair again: %+v", ms)
		}
		for _, c := range []struct{ framework, control, ob string }{{"FW", "b", good.ObligationID}, {"FW", "a", "CSL-TECHNICAL-DEFENCES"}, {"NOPE", "a", good.ObligationID}, {"FW", "", ""}} {
			if err := e.svc.RemoveMapping(e.org1, c.framework, c.control, c.ob); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("remove %v: %v, want not found", c, err)
			}
		}
		if err := e.svc.RemoveMapping(e.org1, "FW", "a", good.ObligationID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RemoveMapping(e.org1, "FW", "a", good.ObligationID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second remove: %v", err)
		}
		tr := auditTrail(t, e, e.org1)
		var got []string
		for _, en := range tr[:4] {
			got = append(got, en.Entity+":"+en.Action)
		}
		if want := "framework_mapping:delete framework_mapping:update framework_mapping:create framework:create"; strings.Join(got, " ") != want {
			t.Fatalf("trail %q, want %q", strings.Join(got, " "), want)
		}
		if tr[0].EntityID != "FW/a→CSL-LOG-RETENTION" || tr[0].Actor != "tester" || tr[0].BeforeSHA256 == "" || tr[0].AfterSHA256 != "" {
			t.Fatalf("removal entry %+v", tr[0])
		}
	})
}

func TestTenancy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		if _, err := e.svc.Import(e.org1, "FW", "file", oscal("Org 1's", "1", "a")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddMapping(e.org1, "FW", frameworks.NewMapping{ControlID: "a", ObligationID: "CSL-LOG-RETENTION", Relation: catalog.RelSubset}); err != nil {
			t.Fatal(err)
		}
		o2 := e.org2
		if list, err := e.svc.List(o2); err != nil || len(list) != 0 {
			t.Fatalf("org 2 lists %+v %v", list, err)
		}
		notFound := map[string]error{}
		_, notFound["get"] = e.svc.Get(o2, "FW")
		_, notFound["controls"] = e.svc.Controls(o2, "FW")
		_, notFound["mappings"] = e.svc.Mappings(o2, "FW")
		_, notFound["coverage"] = e.svc.Coverage(o2, "FW", frameworks.Page{})
		notFound["remove mapping"] = e.svc.RemoveMapping(o2, "FW", "a", "CSL-LOG-RETENTION")
		notFound["delete"] = e.svc.Delete(o2, "FW")
		for op, err := range notFound {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("org 2 %s of org 1's framework: %v, want not found", op, err)
			}
		}
		_, err := e.svc.AddMapping(o2, "FW", frameworks.NewMapping{ControlID: "a", ObligationID: "CSL-TECHNICAL-DEFENCES", Relation: catalog.RelSubset})
		if f := fields(t, err); len(f) != 1 || f[0] != "framework" {
			t.Fatalf("org 2 mapping org 1's framework: %v", err)
		}
		// The same id is another record in another organisation.
		if res, err := e.svc.Import(o2, "FW", "file", oscal("Org 2's", "1", "x")); err != nil || res.Replaced {
			t.Fatalf("org 2 importing its own FW: %+v %v", res, err)
		}
		if err := e.svc.Delete(o2, "FW"); err != nil {
			t.Fatal(err)
		}
		f, err := e.svc.Get(e.org1, "FW")
		ms, _ := e.svc.Mappings(e.org1, "FW")
		if err != nil || f.Title != "Org 1's" || len(ms) != 1 {
			t.Fatalf("org 1's framework after org 2's changes: %+v %+v %v", f, ms, err)
		}
		if tr := auditTrail(t, e, o2); len(tr) != 2 || tr[0].Action != audit.Delete || tr[1].Action != audit.Create {
			t.Fatalf("org 2's trail %+v", tr)
		}
		if _, err := e.svc.List(context.Background()); !errors.Is(err, store.ErrNoTenant) {
			t.Fatalf("no organisation in the context: %v", err)
		}
	})
}

func TestCoverage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		e.findings[1] = []rules.Finding{
			finding("CSL-LOG-RETENTION", rules.StatusMet),
			finding("CSL-TECHNICAL-DEFENCES", rules.StatusGap),
			finding("CSL-INCIDENT-RESPONSE-PLAN", rules.StatusNotApplicable),
			finding("CSL-CII-DR-BACKUP", rules.StatusNotApplicable),
			finding("CSL-CII-DR-BACKUP", rules.StatusOverdue),
			finding("CSL-CII-DR-BACKUP", rules.StatusMet),
		}
		if _, err := e.svc.Import(e.org1, "FW", "file", oscal("T", "1", "a", "b", "c")); err != nil {
			t.Fatal(err)
		}
		for _, m := range []frameworks.NewMapping{
			{ControlID: "a", ObligationID: "CSL-LOG-RETENTION", Relation: catalog.RelEquivalent},
			{ControlID: "b", ObligationID: "CSL-LOG-RETENTION", Relation: catalog.RelSubset},
			{ControlID: "b", ObligationID: "CSL-INCIDENT-RESPONSE-PLAN", Relation: catalog.RelRelated},
		} {
			if _, err := e.svc.AddMapping(e.org1, "FW", m); err != nil {
				t.Fatal(err)
			}
		}
		cv, err := e.svc.Coverage(e.org1, "FW", frameworks.Page{})
		if err != nil {
			t.Fatal(err)
		}
		summary := func(os []frameworks.ObligationCoverage) string {
			var s []string
			for _, o := range os {
				s = append(s, fmt.Sprintf("%s:%s:%d", o.ObligationID, o.Status, len(o.Controls)))
			}
			return strings.Join(s, " ")
		}
		if cv.Applicable != 3 || cv.Covered != 1 {
			t.Errorf("applicable %d covered %d, want 3 and 1", cv.Applicable, cv.Covered)
		}
		if got, want := summary(cv.Unmapped), "CSL-CII-DR-BACKUP:overdue:0 CSL-TECHNICAL-DEFENCES:gap:0"; got != want {
			t.Errorf("unmapped %q, want %q", got, want)
		}
		if got, want := summary(cv.Obligations), "CSL-CII-DR-BACKUP:overdue:0 CSL-LOG-RETENTION:met:2 CSL-TECHNICAL-DEFENCES:gap:0"; got != want {
			t.Errorf("obligations %q, want %q", got, want)
		}
		if cv.Obligations[1].Title.En == "" {
			t.Errorf("obligation without its title: %+v", cv.Obligations[1])
		}
		var ctl []string
		for _, c := range cv.Controls {
			ctl = append(ctl, fmt.Sprintf("%s:%d", c.ID, len(c.Obligations)))
		}
		if got, want := strings.Join(ctl, " "), "a:1 b:2 c:0"; got != want {
			t.Errorf("controls %q, want %q", got, want)
		}
		// With no findings nothing applies, and nothing is reported unmapped.
		e.findings[1] = nil
		if cv, err := e.svc.Coverage(e.org1, "FW", frameworks.Page{}); err != nil || cv.Applicable != 0 || len(cv.Unmapped) != 0 || len(cv.Controls) != 3 {
			t.Fatalf("coverage without findings: %+v %v", cv, err)
		}
	})
}

func TestDeleteRemovesEverything(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		if _, err := e.svc.Import(e.org1, "FW", "file", oscal("T", "1", "a")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddMapping(e.org1, "FW", frameworks.NewMapping{ControlID: "a", ObligationID: "CSL-LOG-RETENTION", Relation: catalog.RelSubset}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Delete(e.org1, "FW"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(e.org1, "FW"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("get after delete: %v", err)
		}
		// Importing the id again starts empty: no mapping survives its framework.
		if res, err := e.svc.Import(e.org1, "FW", "file", oscal("T", "1", "a")); err != nil || res.Replaced {
			t.Fatalf("re-import after delete: %+v %v", res, err)
		}
		if ms, _ := e.svc.Mappings(e.org1, "FW"); len(ms) != 0 {
			t.Fatalf("mappings survived the delete: %+v", ms)
		}
		if tr := auditTrail(t, e, e.org1); tr[1].Entity != "framework" || tr[1].Action != audit.Delete || tr[1].AfterSHA256 != "" {
			t.Fatalf("delete entry %+v", tr[1])
		}
	})
}

// TestDemoDataIsValid keeps the demo's framework and mappings in step with the catalog:
// a renamed obligation would otherwise be skipped silently by the demo.
func TestDemoDataIsValid(t *testing.T) {
	doc, err := os.ReadFile("demo-baseline.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := catalog.ImportOSCAL(strings.NewReader(string(doc)), frameworks.DemoFramework)
	if err != nil {
		t.Fatal(err)
	}
	base, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Controls) < 10 || len(frameworks.DemoMappings) < 10 {
		t.Fatalf("demo has %d controls and %d mappings", len(f.Controls), len(frameworks.DemoMappings))
	}
	for _, m := range frameworks.DemoMappings {
		if _, ok := f.Control(m.ControlID); !ok {
			t.Errorf("demo mapping names control %s, not in the demo framework", m.ControlID)
		}
		if _, ok := base.Obligation(m.ObligationID); !ok {
			t.Errorf("demo mapping names obligation %s, not in the catalog", m.ObligationID)
		}
	}
}
