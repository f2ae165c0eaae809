package catalog

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func loadFixture(t testing.TB) *Catalog {
	t.Helper()
	c, err := LoadFS(os.DirFS("testdata"), "good", withTestLogs)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runCases runs every test case of a catalog as its own subtest, named by obligation id and
// case name.
func runCases(t *testing.T, c *Catalog) {
	results := c.RunTests(context.Background())
	if len(results) == 0 {
		t.Fatal("no test cases")
	}
	for _, r := range results {
		t.Run(r.ObligationID+"/"+r.Case, func(t *testing.T) {
			if !r.Passed() {
				t.Error(r.String())
			}
		})
	}
}

func TestFixtureCatalog(t *testing.T) {
	c := loadFixture(t)
	if len(c.Obligations) != 5 || len(c.Instruments) != 2 || len(c.Penalties) != 1 {
		t.Fatalf("loaded %d obligations, %d instruments, %d penalties", len(c.Obligations), len(c.Instruments), len(c.Penalties))
	}
	runCases(t, c)
}

// TestEmbeddedCatalog loads the real catalog and runs every obligation's test cases through the
// rules engine.
func TestEmbeddedCatalog(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Obligations) == 0 {
		t.Fatal("embedded catalog has no obligations")
	}
	runCases(t, c)
}

// TestEmbeddedCatalogSpeaksPlainly checks that every rule of the real catalog has the
// plain-words texts its reasons are made of, so that no user is shown a bare CEL
// expression as the reason a duty applies or is met.
func TestEmbeddedCatalogSpeaksPlainly(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range c.Obligations {
		if o.Applies != "" && o.AppliesTo == nil {
			t.Errorf("%s (%s:%d): applies without applies_to", o.ID, o.File, o.Line)
		}
		if o.Check != "" && o.Requires == nil {
			t.Errorf("%s (%s:%d): check without requires", o.ID, o.File, o.Line)
		}
	}
}

func TestFind(t *testing.T) {
	c := loadFixture(t)
	ids := func(obs []*Obligation) string {
		var s []string
		for _, o := range obs {
			s = append(s, o.ID)
		}
		return strings.Join(s, " ")
	}
	cases := []struct {
		f    Filter
		want string
	}{
		{Filter{Instrument: "TWO"}, "TWO-MAINTENANCE-ABROAD"},
		{Filter{Binds: "cii_operator"}, "TST-RISK-ASSESSMENT TST-SECURITY-ORG TWO-MAINTENANCE-ABROAD"},
		{Filter{Capability: "vault"}, "TST-LOG-RETENTION"},
		{Filter{Subject: "system"}, "TST-MLPS-FILING TWO-MAINTENANCE-ABROAD"},
		{Filter{Text: "日志"}, "TST-LOG-RETENTION"},
		{Filter{Text: "ABROAD"}, "TWO-MAINTENANCE-ABROAD"},
		{Filter{Instrument: "TST", Binds: "supplier"}, ""},
	}
	for _, tc := range cases {
		if got := ids(c.Find(tc.f)); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestArticle(t *testing.T) {
	c := loadFixture(t)
	for _, q := range []struct{ inst, ver, art, want string }{
		{"TST", "2016", "21", "TST-LOG-RETENTION TST-MLPS-FILING TWO-MAINTENANCE-ABROAD"},
		{"TST", "2025", "23", "TST-LOG-RETENTION"},
		{"TST", "2025", "23(3)", "TST-LOG-RETENTION"},
		{"TST", "2016", "21(3)", "TST-LOG-RETENTION TWO-MAINTENANCE-ABROAD"}, // TWO cites TST:2016
		{"TWO", "2021", "9", "TWO-MAINTENANCE-ABROAD TST-LOG-RETENTION"},
		{"TST", "", "40", "TST-RISK-ASSESSMENT"},
		{"TST", "2025", "2", ""},
	} {
		var got []string
		for _, m := range c.Article(q.inst, q.ver, q.art) {
			got = append(got, m.Obligation.ID)
		}
		want := strings.Fields(q.want)
		if strings.Join(sortedCopy(got), " ") != strings.Join(sortedCopy(want), " ") {
			t.Errorf("%s %s Art. %s: got %v, want %v", q.inst, q.ver, q.art, got, want)
		}
	}
	m := c.Article("TST", "2016", "21(3)")[0]
	if len(m.Citations) != 3 || m.Citations[1].Article != "23(3)" {
		t.Errorf("citations %+v", m.Citations)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

const goodHead = `instrument:
  id: BAD
  title: {zh: 法, en: Act}
  issuer: {zh: 机关, en: Authority}
  versions: [{id: "2020", in_force: 2020-01-01}]
`

const goodOb = `  - id: BAD-ONE
    version: "2020"
    article: "1"
    title: {zh: 义务, en: Duty}
    summary: {zh: 摘要, en: Summary}
    binds: [operator]
    capability: vault
    subject: org
    check: "org.pi_subjects > 0"
    cadence: continuous
    source: brief
    tests:
      - {name: a, facts: {org: {pi_subjects: 1}}, expect: met}
      - {name: b, facts: {org: {pi_subjects: 0}}, expect: gap}
`

func TestValidationErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"valid", goodHead + "obligations:\n" + goodOb, ""},
		{"unknown key", goodHead + "obligations:\n" + strings.Replace(goodOb, "cadence:", "cadense:", 1), `BAD.yaml:16: line 16: field cadense not found`},
		{"missing en", goodHead + "obligations:\n" + strings.Replace(goodOb, "en: Duty", "en: ''", 1), `BAD.yaml:10: obligations[0] BAD-ONE: title.en: missing English text`},
		{"bad enum", goodHead + "obligations:\n" + strings.Replace(goodOb, "capability: vault", "capability: logs", 1), `BAD.yaml:13: obligations[0] BAD-ONE: capability: "logs" is not one of`},
		{"bad binds", goodHead + "obligations:\n" + strings.Replace(goodOb, "[operator]", "[operators]", 1), `BAD-ONE: binds[0]: "operators"`},
		{"bad version", goodHead + "obligations:\n" + strings.Replace(goodOb, `version: "2020"`, `version: "2021"`, 1), `BAD.yaml:8: obligations[0] BAD-ONE: version: version "2021" is not a version of BAD`},
		{"id prefix", goodHead + "obligations:\n" + strings.Replace(goodOb, "BAD-ONE", "CSL-ONE", 1), `must be UPPER-KEBAB and start with "BAD-"`},
		{"missing penalty", goodHead + "obligations:\n" + strings.Replace(goodOb, "source: brief", "source: brief\n    penalty: BAD-9", 1), `BAD-ONE: penalty: no penalty "BAD-9"`},
		{"no gap test", goodHead + "obligations:\n" + strings.Replace(goodOb, "expect: gap", "expect: met", 1), `a check needs at least one met case and one gap or overdue case`},
		{"both check and attestation", goodHead + "obligations:\n" + strings.Replace(goodOb, "cadence:", "attestation: {evidence: {zh: 证, en: proof}, validity_days: 1}\n    cadence:", 1), `give either check or attestation, not both`},
		{"neither", goodHead + "obligations:\n" + strings.Replace(goodOb, `check: "org.pi_subjects > 0"`, ``, 1), `give a check expression or an attestation`},
		{"cel type error", goodHead + "obligations:\n" + strings.Replace(goodOb, `org.pi_subjects > 0`, `org.pi_subjects`, 1), `BAD.yaml:15: BAD-ONE: check: "org.pi_subjects" returns int, want bool`},
		{"cel unknown field", goodHead + "obligations:\n" + strings.Replace(goodOb, `org.pi_subjects > 0"`, `org.pi_subject > 0"`, 1), `BAD-ONE: check:`},
		{"bad test fact", goodHead + "obligations:\n" + strings.Replace(goodOb, "{pi_subjects: 1}", "{pi_subject: 1}", 1), `BAD.yaml:19: BAD-ONE: tests[0] "a": facts: line 19: org has no field "pi_subject"`},
		{"bad expect", goodHead + "obligations:\n" + strings.Replace(goodOb, "expect: met", "expect: ok", 1), `tests[0].expect: "ok" is not one of`},
		{"duplicate id", goodHead + "obligations:\n" + goodOb + goodOb, `obligation BAD-ONE is also defined at c/BAD.yaml:7`},
		{"bad date", strings.Replace(goodHead, "2020-01-01", "2020-13-01", 1) + "obligations:\n" + goodOb, `in_force: "2020-13-01" is not a YYYY-MM-DD date`},
		{"requires without check", goodHead + "obligations:\n" + strings.Replace(goodOb, `check: "org.pi_subjects > 0"`, "attestation: {evidence: {zh: 证, en: proof}, validity_days: 1}\n    requires: {zh: 有来源, en: a source}", 1), `requires: describes a check; this obligation has none`},
		{"requires half", goodHead + "obligations:\n" + strings.Replace(goodOb, "cadence:", "requires: {zh: 有来源, en: ''}\n    cadence:", 1), `requires.en: missing English text`},
		{"applies_to half", goodHead + "obligations:\n" + strings.Replace(goodOb, "cadence:", "applies_to: {zh: '', en: operators}\n    cadence:", 1), `applies_to.zh: missing Chinese text`},
		{"not yaml", "instrument: [", "BAD.yaml"},
		{"empty", "", "want a mapping"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"c/BAD.yaml": {Data: []byte(tc.src)}}
			_, err := LoadFS(fsys, "c")
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
			var ce *Error
			if tc.name != "not yaml" && !errors.As(err, &ce) {
				t.Errorf("error is not a *catalog.Error: %T", err)
			}
		})
	}
}

func TestCrossFile(t *testing.T) {
	two := strings.Replace(goodHead, "id: BAD", "id: TWO", 1) + "obligations:\n" +
		strings.NewReplacer("BAD-ONE", "TWO-ONE", `article: "1"`, "article: \"1\"\n    equivalents: [{version: \"BAD:1999\", article: \"2\"}]").Replace(goodOb)
	fsys := fstest.MapFS{
		"c/BAD.yaml": {Data: []byte(goodHead + "obligations:\n" + goodOb)},
		"c/TWO.yaml": {Data: []byte(two)},
	}
	_, err := LoadFS(fsys, "c")
	if err == nil || !strings.Contains(err.Error(), `BAD has no version "1999"`) {
		t.Fatalf("got %v", err)
	}
}

// FuzzLoadFile feeds mutated catalog files to the parser and validator. Interesting YAML
// inputs are kilobytes long and the fuzzer's default minimisation of each one takes minutes,
// during which no new inputs run; use -fuzzminimizetime 1s:
//
//	go test ./internal/catalog/ -run '^$' -fuzz '^FuzzLoadFile$' -fuzzminimizetime 1s
func FuzzLoadFile(f *testing.F) {
	for _, name := range []string{"testdata/good/TST.yaml", "testdata/good/TWO.yaml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(goodHead + "obligations:\n" + goodOb))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Parsing and schema validation are what meet outside input; they must never panic.
		// Building the CEL engine is left out of the loop because it dominates each run and
		// is exercised by the table tests.
		d, errs := parseFile("X.yaml", b, false)
		if len(errs) > 0 {
			return
		}
		v := &validator{d: d}
		v.validate()
		c := &Catalog{instruments: map[string]*Instrument{}, obligations: map[string]*Obligation{}, penalties: map[string]*Penalty{}}
		_ = c.crossCheck([]*fileDoc{d})
	})
}

// BenchmarkLoad measures loading, validating and compiling the embedded catalog, which the
// server does once at start.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
