package appstore

import (
	"testing"
	"time"

	"ciiguard/internal/catalog/catalogtest"
)

// appstoreDuties are the catalog's app-store duties checked on the appstore fact set.
var appstoreDuties = catalogtest.On("appstore", "MIIT14-T6-DEVELOPER-IDENTITY", "MIIT14-T6-APP-SECURITY-REVIEW", "MIIT14-T6-MALICIOUS-APP-BLACKLIST",
	"MIIT14-T6-COMPLAINT-HANDLING", "NDSR-APP-DISTRIBUTION-CHECKS", "ATFL-APP-DISTRIBUTOR-VERIFY", "MIIT23APP-UNFILED-NOT-DISTRIBUTED", "CACAPP-PLATFORM-FILING")

// TestCatalogAppstoreDuties loads the catalog with the appstore fact set declared: each
// duty is a CEL check on appstore and its test cases — at least one met and one gap — pass;
// without the set each stands in as an attestation.
func TestCatalogAppstoreDuties(t *testing.T) {
	catalogtest.FactSetDuties(t, appstoreDuties, FactSet(&Service{Now: time.Now}).Declare())
	catalogtest.AttestedWithout(t, appstoreDuties)
}
