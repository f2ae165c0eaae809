// Package catalogtest holds the checks every capability runs on its catalog duties: with
// the capability's fact set declared each duty is a CEL check on that set whose catalog
// test cases (at least one met and one gap) pass, and without it the same duty falls
// back to an attestation. One helper keeps the seven capabilities' tests saying the same
// thing the same way.
package catalogtest

import (
	"context"
	"testing"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
)

// On names ids as duties checked on the fact set facts, the form FactSetDuties takes.
func On(facts string, ids ...string) map[string]string {
	m := make(map[string]string, len(ids))
	for _, id := range ids {
		m[id] = facts
	}
	return m
}

// FactSetDuties loads the embedded catalog with sets declared, as the obligations
// capability does, and requires each duty (obligation id → the fact set it reads) to be a
// check on that set, with no attestation, whose catalog test cases pass: at least one
// expecting "met" and one expecting a gap or an overdue finding. It returns the catalog
// for checks of the capability's own.
func FactSetDuties(t *testing.T, duties map[string]string, sets ...rules.FactSet) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load(rules.WithFacts(sets...))
	if err != nil {
		t.Fatal(err)
	}
	results := map[string][]catalog.TestResult{}
	for _, r := range c.RunTests(context.Background()) {
		results[r.ObligationID] = append(results[r.ObligationID], r)
	}
	for id, facts := range duties {
		o, ok := c.Obligation(id)
		if !ok {
			t.Errorf("%s missing from the catalog", id)
			continue
		}
		if o.Check == "" || o.Attestation != nil || o.Facts != facts {
			t.Errorf("%s: check %q, attestation %v, facts %q; want a check on %s", id, o.Check, o.Attestation != nil, o.Facts, facts)
		}
		met, notMet := 0, 0
		for _, r := range results[id] {
			if !r.Passed() {
				t.Error(r.String())
			}
			switch r.Expect {
			case "met":
				met++
			case "gap", "overdue":
				notMet++
			}
		}
		if met == 0 || notMet == 0 {
			t.Errorf("%s: %d met and %d gap or overdue cases; want at least one of each", id, met, notMet)
		}
	}
	return c
}

// AttestedWithout loads the catalog with no capability's fact set: each duty must then be
// an attestation, so an installation without the capability still asks for it, and the
// catalog's own test cases (those needing the set are not run) still pass.
func AttestedWithout(t *testing.T, duties map[string]string) {
	t.Helper()
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for id := range duties {
		o, ok := c.Obligation(id)
		if !ok {
			t.Errorf("%s missing from the catalog", id)
			continue
		}
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
