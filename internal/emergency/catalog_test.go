package emergency_test

import (
	"context"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/emergency"
	"ciiguard/internal/rules"
)

// emergencyDuties are the catalog's duties checked on the emergency fact set: the plan,
// drill and backup duties that read the inventory's checkboxes before.
var emergencyDuties = []string{"CSL-INCIDENT-RESPONSE-PLAN", "CSL-CII-DR-BACKUP", "CSL-CII-EMERGENCY-DRILL", "CIIR-DR-BACKUP",
	"CIIR-EMERGENCY-PLAN-DRILL", "MIIT14-T2-EMERGENCY-PLAN", "NDSR-INCIDENT-PLAN-AND-NOTICE", "TELSEC10-DISASTER-BACKUP"}

// TestCatalogEmergencyDuties loads the embedded catalog with the emergency fact set
// declared, as the obligations capability does: each duty is a per-system CEL check on
// `emergency` (no attestation), and its test cases — at least one met and one not met —
// pass.
func TestCatalogEmergencyDuties(t *testing.T) {
	set := emergency.FactSet(&emergency.Service{Now: time.Now})
	c, err := catalog.Load(rules.WithFacts(set.Declare()))
	if err != nil {
		t.Fatal(err)
	}
	results := map[string][]catalog.TestResult{}
	for _, r := range c.RunTests(context.Background()) {
		results[r.ObligationID] = append(results[r.ObligationID], r)
	}
	for _, id := range emergencyDuties {
		o, ok := c.Obligation(id)
		if !ok {
			t.Fatalf("%s missing from the catalog", id)
		}
		if o.Check == "" || o.Attestation != nil || o.Facts != "emergency" || o.Subject != "system" {
			t.Errorf("%s: check %q, attestation %v, facts %q, subject %s; want a per-system check on emergency", id, o.Check, o.Attestation != nil, o.Facts, o.Subject)
		}
		met, notMet := 0, 0
		for _, r := range results[id] {
			if !r.Passed() {
				t.Error(r.String())
			}
			met += map[bool]int{true: 1}[r.Expect == "met"]
			notMet += map[bool]int{true: 1}[r.Expect == "gap" || r.Expect == "overdue"]
		}
		if met == 0 || notMet == 0 {
			t.Errorf("%s: %d met and %d gap or overdue cases; want at least one of each", id, met, notMet)
		}
	}
}

// TestCatalogWithoutEmergency: a tool that loads the catalog without the capability gets
// the same duties as attestations, and no rule reads the inventory's former checkboxes.
func TestCatalogWithoutEmergency(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range emergencyDuties {
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
