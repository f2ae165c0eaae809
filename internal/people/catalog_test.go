package people_test

import (
	"context"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/people"
	"ciiguard/internal/rules"
)

// peopleDuties are the catalog's organisation, vetting, certification and training duties,
// checked on the people fact set.
var peopleDuties = []string{"CIIR-SECURITY-ORGANISATION-VETTED", "CIIR-KEY-POST-VETTING", "CIIR-KEY-POST-CERTIFICATION", "CIIR-ANNUAL-TRAINING-DAYS",
	"CSL-CII-SECURITY-ORGANISATION", "CSL-CII-TRAINING", "CSL-SECURITY-RESPONSIBLE-PERSON", "NDSR-IMPORTANT-DATA-OFFICER-AND-UNIT", "MIIT14-M3-CORPORATE-RESPONSIBILITY"}

// TestCatalogPeopleDuties loads the embedded catalog with the people fact set declared, as
// the obligations capability does: each duty is a CEL check on people (the attestation only
// stands in without the set), and its catalog test cases — at least one met and one gap —
// pass.
func TestCatalogPeopleDuties(t *testing.T) {
	set := people.FactSet(&people.Service{Now: time.Now})
	c, err := catalog.Load(rules.WithFacts(set.Declare()))
	if err != nil {
		t.Fatal(err)
	}
	results := map[string][]catalog.TestResult{}
	for _, r := range c.RunTests(context.Background()) {
		results[r.ObligationID] = append(results[r.ObligationID], r)
	}
	for _, id := range peopleDuties {
		o, ok := c.Obligation(id)
		if !ok {
			t.Fatalf("%s missing from the catalog", id)
		}
		if o.Check == "" || o.Attestation != nil || o.Facts != "people" {
			t.Errorf("%s: check %q, attestation %v, facts %q; want a check on people", id, o.Check, o.Attestation != nil, o.Facts)
		}
		met, gap := 0, 0
		for _, r := range results[id] {
			if !r.Passed() {
				t.Error(r.String())
			}
			met += map[bool]int{true: 1}[r.Expect == "met"]
			gap += map[bool]int{true: 1}[r.Expect == "gap"]
		}
		if met == 0 || gap == 0 {
			t.Errorf("%s: %d met and %d gap cases; want at least one of each", id, met, gap)
		}
	}
}

// TestCatalogWithoutPeople: without the capability the same duties are attestations.
func TestCatalogWithoutPeople(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range peopleDuties {
		o, _ := c.Obligation(id)
		if o.Check != "" || o.Attestation == nil {
			t.Errorf("%s without the fact set: check %q, attestation %v; want the attestation", id, o.Check, o.Attestation != nil)
		}
	}
}
