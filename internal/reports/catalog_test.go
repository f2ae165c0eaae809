package reports_test

import (
	"testing"

	"ciiguard/internal/catalog/catalogtest"
	"ciiguard/internal/reports"
)

// reportDuties are the catalog's duties checked on the reports fact set: the annual test
// and risk assessment (CIIR 2021 Art. 17), its results reported to the department (CSL
// 2016 Art. 38 / 2025 Art. 40), and the assessment after a major change (CIIR 2017 draft
// Art. 28).
var reportDuties = catalogtest.On(reports.FactSetName, "CIIR-ANNUAL-RISK-ASSESSMENT", "CSL-CII-ANNUAL-ASSESSMENT", "CIIR-ASSESS-AFTER-MAJOR-CHANGE")

// TestCatalogReportDuties loads the embedded catalog with the reports fact set declared, as
// the obligations capability does: each duty is a CEL check on the set (no attestation),
// and its catalog cases — met and gap or overdue, the profile's typed date among the
// failing ones — pass.
func TestCatalogReportDuties(t *testing.T) {
	catalogtest.FactSetDuties(t, reportDuties, reports.FactSet(&reports.Service{}).Declare())
}

// TestCatalogWithoutReports: a tool that loads the catalog without the capability gets the
// same duties as attestations (the signed report, the letter to the department), and their
// cases, which need the set, are not run.
func TestCatalogWithoutReports(t *testing.T) {
	catalogtest.AttestedWithout(t, reportDuties)
}
