package threat

import (
	"context"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
)

// threatDuties are the catalog's duties checked on the threat fact set.
var threatDuties = []string{"CIIR-THREAT-INFO-SHARING", "MIIT14-T3-HITS-TRIAGED"}

// TestCatalogThreatDuties loads the catalog with the threat fact set declared: each duty is
// a CEL check on threat whose test cases — at least one met and one gap — pass; without the
// set each stands in as an attestation.
func TestCatalogThreatDuties(t *testing.T) {
	set := FactSet(&Service{Now: time.Now})
	c, err := catalog.Load(rules.WithFacts(set.Declare()))
	if err != nil {
		t.Fatal(err)
	}
	results := map[string][]catalog.TestResult{}
	for _, r := range c.RunTests(context.Background()) {
		results[r.ObligationID] = append(results[r.ObligationID], r)
	}
	for _, id := range threatDuties {
		o, ok := c.Obligation(id)
		if !ok {
			t.Fatalf("%s missing from the catalog", id)
		}
		if o.Check == "" || o.Attestation != nil || o.Facts != "threat" {
			t.Errorf("%s: check %q, attestation %v, facts %q; want a check on threat", id, o.Check, o.Attestation != nil, o.Facts)
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
	for _, id := range threatDuties {
		if o, _ := plain.Obligation(id); o.Check != "" || o.Attestation == nil {
			t.Errorf("%s without the fact set: check %q; want the attestation", id, o.Check)
		}
	}
}
