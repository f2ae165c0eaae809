package logs_test

import (
	"testing"

	"ciiguard/internal/catalog/catalogtest"
	"ciiguard/internal/logs"
)

// logDuties are the catalog's duties checked on the logs fact set.
var logDuties = catalogtest.On("logs", "CSL-LOG-RETENTION", "CIIR-MONITORING-LOG-RETENTION")

// TestCatalogLogDuties loads the embedded catalog with the logs fact set declared, as the
// obligations capability does: each log duty is a CEL check on `logs` (no attestation), and
// its catalog test cases — at least one met and one gap — pass.
func TestCatalogLogDuties(t *testing.T) {
	catalogtest.FactSetDuties(t, logDuties, logs.FactSet(&logs.Module{}).Declare())
}

// TestCatalogWithoutLogs: a tool that loads the catalog without the capability gets the
// same duties as attestations, and their cases (which need the set) are not run.
func TestCatalogWithoutLogs(t *testing.T) {
	catalogtest.AttestedWithout(t, logDuties)
}
