package emergency_test

import (
	"testing"
	"time"

	"ciiguard/internal/catalog/catalogtest"
	"ciiguard/internal/emergency"
)

// emergencyDuties are the catalog's duties checked on the emergency fact set: the plan,
// drill and backup duties that read the inventory's checkboxes before.
var emergencyDuties = catalogtest.On("emergency", "CSL-INCIDENT-RESPONSE-PLAN", "CSL-CII-DR-BACKUP", "CSL-CII-EMERGENCY-DRILL", "CIIR-DR-BACKUP",
	"CIIR-EMERGENCY-PLAN-DRILL", "MIIT14-T2-EMERGENCY-PLAN", "NDSR-INCIDENT-PLAN-AND-NOTICE", "TELSEC10-DISASTER-BACKUP")

// TestCatalogEmergencyDuties loads the embedded catalog with the emergency fact set
// declared, as the obligations capability does: each duty is a per-system CEL check on
// `emergency` (no attestation), and its test cases — at least one met and one not met —
// pass.
func TestCatalogEmergencyDuties(t *testing.T) {
	c := catalogtest.FactSetDuties(t, emergencyDuties, emergency.FactSet(&emergency.Service{Now: time.Now}).Declare())
	for id := range emergencyDuties {
		if o, ok := c.Obligation(id); ok && o.Subject != "system" {
			t.Errorf("%s: subject %s; want a per-system check", id, o.Subject)
		}
	}
}

// TestCatalogWithoutEmergency: a tool that loads the catalog without the capability gets
// the same duties as attestations, and no rule reads the inventory's former checkboxes.
func TestCatalogWithoutEmergency(t *testing.T) {
	catalogtest.AttestedWithout(t, emergencyDuties)
}
