package vulns_test

import (
	"testing"
	"time"

	"ciiguard/internal/catalog/catalogtest"
	"ciiguard/internal/vulns"
)

// vulnDuties are the catalog's duties checked on the vulns fact set.
var vulnDuties = catalogtest.On("vulns", "CIIR-VULNERABILITY-REMEDIATION", "NDSR-VULNERABILITY-24H-REPORT", "PVP-PROVIDER-REPORT-2-DAYS")

// TestCatalogVulnDuties loads the embedded catalog with the vulns fact set declared, as the
// obligations capability does: each vulnerability duty is a CEL check on the set (no
// attestation), and its catalog test cases — at least one met and one gap — pass.
func TestCatalogVulnDuties(t *testing.T) {
	catalogtest.FactSetDuties(t, vulnDuties, vulns.FactSet(&vulns.Service{Now: time.Now}).Declare())
}

// TestCatalogWithoutVulns: a tool that loads the catalog without the capability gets the
// same duties as attestations, and their cases (which need the set) are not run.
func TestCatalogWithoutVulns(t *testing.T) {
	catalogtest.AttestedWithout(t, vulnDuties)
}
