package review_test

import (
	"context"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/review"
	"ciiguard/internal/rules"
)

// reviewDuties are the catalog's duties checked on the review fact set.
var reviewDuties = []string{"CSR-CII-PROCUREMENT-FILING", "CSR-OUTCOME-COMPLIANCE", "CSR-FILING-MATERIALS", "CSR-LISTING-ABROAD-FILING",
	"CIIR-PROCUREMENT-SECURITY-REVIEW", "CSL-CII-PROCUREMENT-REVIEW"}

// TestCatalogReviewDuties loads the embedded catalog with the review fact set declared, as
// the obligations capability does: each review duty is a CEL check (no attestation), and its
// catalog test cases — at least one met and one gap — pass.
func TestCatalogReviewDuties(t *testing.T) {
	set := review.FactSet(&review.Service{Now: time.Now})
	c, err := catalog.Load(rules.WithFacts(set.Declare()))
	if err != nil {
		t.Fatal(err)
	}
	results := map[string][]catalog.TestResult{}
	for _, r := range c.RunTests(context.Background()) {
		results[r.ObligationID] = append(results[r.ObligationID], r)
	}
	for _, id := range reviewDuties {
		o, ok := c.Obligation(id)
		if !ok {
			t.Fatalf("%s missing from the catalog", id)
		}
		if o.Check == "" || o.Attestation != nil || o.Facts != "review" {
			t.Errorf("%s: check %q, attestation %v, facts %q; want a check on review", id, o.Check, o.Attestation != nil, o.Facts)
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

// TestCatalogWithoutReview: a tool that loads the catalog without the capability gets the
// same duties as attestations, and their cases (which need the set) are not run.
func TestCatalogWithoutReview(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range reviewDuties {
		o, _ := c.Obligation(id)
		if o.Check != "" || o.Attestation == nil {
			t.Errorf("%s without the fact set: check %q, attestation %v; want the attestation", id, o.Check, o.Attestation != nil)
		}
	}
	for _, r := range c.RunTests(context.Background()) {
		if !r.Passed() {
			t.Error(r.String())
		}
	}
}
