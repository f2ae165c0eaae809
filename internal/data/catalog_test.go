package data_test

import (
	"context"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/data"
	"ciiguard/internal/rules"
)

// dataDuties are the catalog's data-export duties, checked on the data fact set.
var dataDuties = []string{"CBDF-CII-EXPORT-SECURITY-ASSESSMENT", "CBDF-IMPORTANT-DATA-SECURITY-ASSESSMENT", "CBDF-VOLUME-SECURITY-ASSESSMENT",
	"CBDF-STANDARD-CONTRACT-OR-CERTIFICATION", "CBDF-ASSESSMENT-RENEWAL", "CBDF-EXEMPTION-BELOW-100K",
	"PIPL-EXPORT-LAWFUL-ROUTE", "PIPL-EXPORT-SEPARATE-CONSENT", "PIPL-EXPORT-IMPACT-ASSESSMENT", "DSL-IMPORTANT-DATA-EXPORT"}

// TestCatalogDataDuties loads the embedded catalog with the data fact set declared, as the
// obligations capability does: each duty is a CEL check on data (the attestation only stands
// in without the set), and its catalog test cases — at least one met and one gap or overdue —
// pass.
func TestCatalogDataDuties(t *testing.T) {
	set := data.FactSet(&data.Service{Now: time.Now})
	c, err := catalog.Load(rules.WithFacts(set.Declare()))
	if err != nil {
		t.Fatal(err)
	}
	results := map[string][]catalog.TestResult{}
	for _, r := range c.RunTests(context.Background()) {
		results[r.ObligationID] = append(results[r.ObligationID], r)
	}
	for _, id := range dataDuties {
		o, ok := c.Obligation(id)
		if !ok {
			t.Fatalf("%s missing from the catalog", id)
		}
		if o.Check == "" || o.Attestation != nil || o.Facts != "data" {
			t.Errorf("%s: check %q, attestation %v, facts %q; want a check on data", id, o.Check, o.Attestation != nil, o.Facts)
		}
		met, failing := 0, 0
		for _, r := range results[id] {
			if !r.Passed() {
				t.Error(r.String())
			}
			met += map[bool]int{true: 1}[r.Expect == "met"]
			failing += map[bool]int{true: 1}[r.Expect == "gap" || r.Expect == "overdue"]
		}
		if met == 0 || failing == 0 {
			t.Errorf("%s: %d met and %d failing cases; want at least one of each", id, met, failing)
		}
	}
}

// TestCatalogWithoutData: without the capability the same duties are attestations.
func TestCatalogWithoutData(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range dataDuties {
		o, _ := c.Obligation(id)
		if o.Check != "" || o.Attestation == nil {
			t.Errorf("%s without the fact set: check %q, attestation %v; want the attestation", id, o.Check, o.Attestation != nil)
		}
	}
}
