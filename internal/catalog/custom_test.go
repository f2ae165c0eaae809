package catalog

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"ciiguard/internal/rules"
)

func TestCustomPrefix(t *testing.T) {
	for in, want := range map[string]string{"acme": "ORG-ACME-", "42": "ORG-42-", "Acme Ltd.": "ORG-ACME-LTD-", "中": "ORG--"} {
		if got := CustomPrefix(in); got != want {
			t.Errorf("CustomPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoadCustom(t *testing.T) {
	b, err := os.ReadFile("testdata/custom-policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pol, err := LoadCustom(bytes.NewReader(b), "acme", withTestLogs)
	if err != nil {
		t.Fatal(err)
	}
	o, ok := pol.Obligation("ORG-ACME-POL-LOG-SOURCES")
	if !ok || o.Penalty != "ORG-ACME-POL-WARNING" || !pol.instruments["ORG-ACME-POL"].Custom {
		t.Fatalf("prefixing: %+v", pol.Obligations)
	}
	runCases(t, pol)

	law := loadFixture(t)
	all, err := Merge(law, pol)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Obligations) != len(law.Obligations)+2 {
		t.Errorf("merged %d obligations", len(all.Obligations))
	}
	fs, err := all.Engine().EvaluateAll(context.Background(), rules.Facts{Now: rules.DefaultTestNow,
		Org: rules.Org{Kind: "operator"}, Extra: map[string]any{"logs": &testLogs{Sources: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range fs {
		found = found || f.ObligationID == "ORG-ACME-POL-LOG-SOURCES" && f.Status == rules.StatusGap
	}
	if !found {
		t.Error("custom obligation not evaluated in the merged catalog")
	}
	if _, err := Merge(all, pol); err == nil {
		t.Error("merging the same policy twice succeeded")
	}
	// Two organisations' policies with the same local ids do not clash.
	other, err := LoadCustom(bytes.NewReader(b), "globex", withTestLogs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(law, pol, other); err != nil {
		t.Error(err)
	}
}

func TestLoadCustomErrors(t *testing.T) {
	cases := map[string]string{
		"instrument: {id: POL}\nobligations: []": "instrument.title.zh",
		"instrument: [":                          "policy:ORG-ACME",
		strings.Repeat("#", maxFileSize+2):       "larger than",
		"instrument: {id: POL, title: {zh: a, en: b}, issuer: {zh: a, en: b}, versions: [{id: v, adopted: 2025-01-01}]}\nobligations:\n  - {id: POL-A, version: v, title: {zh: a, en: b}, binds: [operator], capability: vault, check: 'org.nope', cadence: once}": "ORG-ACME-POL-A: tests",
	}
	for src, want := range cases {
		_, err := LoadCustom(strings.NewReader(src), "acme")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
	}
	if _, err := LoadCustom(strings.NewReader(""), "!!"); err == nil {
		t.Error("empty org id accepted")
	}
}

// FuzzLoadCustom is FuzzLoadFile for an organisation's policy file (same advice on
// -fuzzminimizetime).
func FuzzLoadCustom(f *testing.F) {
	b, err := os.ReadFile("testdata/custom-policy.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("instrument: {id: X}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		// As in FuzzLoadFile: parse and validate, the part that meets outside input.
		d, errs := parseFile("policy", b, true)
		if len(errs) > 0 {
			return
		}
		(&validator{d: d}).validate()
	})
}
