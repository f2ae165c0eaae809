package suppliers_test

import (
	"context"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
	"ciiguard/internal/suppliers"
)

// supplierDuties are the catalog's duties checked on the suppliers fact set.
var supplierDuties = map[string]string{"CIIR-CERTIFIED-EQUIPMENT": "suppliers", "CIIR-SUPPLIER-SECURITY-AGREEMENT": "suppliers",
	"CSL-CII-SUPPLIER-AGREEMENT": "suppliers", "CIIR-OUTSOURCED-DONATED-TESTING": "suppliers", "CIIR-DOMESTIC-MAINTENANCE": "supply"}

// TestCatalogSupplierDuties loads the embedded catalog with the suppliers fact set declared,
// as the obligations capability does: each supply-chain duty is a CEL check (no
// attestation), and its catalog test cases — at least one met and one gap — pass.
func TestCatalogSupplierDuties(t *testing.T) {
	svc := &suppliers.Service{Now: time.Now}
	c, err := catalog.Load(rules.WithFacts(suppliers.FactSet(svc).Declare(), suppliers.SystemFactSet(svc).Declare()))
	if err != nil {
		t.Fatal(err)
	}
	results := map[string][]catalog.TestResult{}
	for _, r := range c.RunTests(context.Background()) {
		results[r.ObligationID] = append(results[r.ObligationID], r)
	}
	for id, set := range supplierDuties {
		o, ok := c.Obligation(id)
		if !ok {
			t.Fatalf("%s missing from the catalog", id)
		}
		if o.Check == "" || o.Attestation != nil || o.Facts != set {
			t.Errorf("%s: check %q, attestation %v, facts %q; want a check on %s", id, o.Check, o.Attestation != nil, o.Facts, set)
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

// TestCatalogWithoutSuppliers: a tool that loads the catalog without the capability gets the
// same duties as attestations, and their cases (which need the set) are not run.
func TestCatalogWithoutSuppliers(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for id := range supplierDuties {
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
