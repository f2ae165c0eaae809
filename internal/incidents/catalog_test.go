package incidents_test

import (
	"testing"
	"time"

	"ciiguard/internal/catalog/catalogtest"
	"ciiguard/internal/incidents"
)

// incidentDuties are the catalog's duties checked on the incidents fact set.
var incidentDuties = catalogtest.On("incidents", "IRM-CII-1-HOUR-REPORT", "IRM-CENTRAL-ORGAN-2-HOUR-REPORT", "IRM-OTHER-OPERATOR-4-HOUR-REPORT",
	"IRM-REPORT-CONTENT-AND-UPDATES", "IRM-SUMMARY-REPORT-30-DAYS", "CIIR-INCIDENT-THREAT-REPORT")

// TestCatalogIncidentDuties loads the embedded catalog with the incidents fact set declared,
// as the obligations capability does: each incident duty is a CEL check (no attestation),
// and its catalog test cases — at least one met and one gap — pass.
func TestCatalogIncidentDuties(t *testing.T) {
	catalogtest.FactSetDuties(t, incidentDuties, incidents.FactSet(&incidents.Service{Now: time.Now}).Declare())
}

// TestCatalogWithoutIncidents: a tool that loads the catalog without the capability gets the
// same duties as attestations, and their cases (which need the set) are not run.
func TestCatalogWithoutIncidents(t *testing.T) {
	catalogtest.AttestedWithout(t, incidentDuties)
}
