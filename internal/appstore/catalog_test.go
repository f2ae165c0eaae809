package appstore

import (
	"context"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
)

// appstoreDuties are the catalog's app-store duties checked on the appstore fact set.
var appstoreDuties = []string{"MIIT14-T6-DEVELOPER-IDENTITY", "MIIT14-T6-APP-SECURITY-REVIEW", "MIIT14-T6-MALICIOUS-APP-BLACKLIST",
	"MIIT14-T6-COMPLAINT-HANDLING", "NDSR-APP-DISTRIBUTION-CHECKS"}

// TestCatalogAppstoreDuties loads the catalog with the appstore fact set declared: each
// duty is a CEL check on appstore and its test cases — at least one met and one gap — pass;
// without the set each stands in as an attestation.
func TestCatalogAppstoreDuties(t *testing.T) {
	set := FactSet(&Service{Now: time.Now})
	c, err := catalog.Load(rules.WithFacts(set.Declare()))
	if err != nil {
		t.Fatal(err)
	}
	results := map[string][]catalog.TestResult{}
	for _, r := range c.RunTests(context.Background()) {
		results[r.ObligationID] = append(results[r.ObligationID], r)
	}
	for _, id := range appstoreDuties {
		o, ok := c.Obligation(id)
		if !ok {
			t.Fatalf("%s missing from the catalog", id)
		}
		if o.Check == "" || o.Attestation != nil || o.Facts != "appstore" {
			t.Errorf("%s: check %q, attestation %v, facts %q; want a check on appstore", id, o.Check, o.Attestation != nil, o.Facts)
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
	plain, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range appstoreDuties {
		if o, _ := plain.Obligation(id); o.Check != "" || o.Attestation == nil {
			t.Errorf("%s without the fact set: check %q; want the attestation", id, o.Check)
		}
	}
}
