package data_test

import (
	"testing"
	"time"

	"ciiguard/internal/catalog/catalogtest"
	"ciiguard/internal/data"
)

// dataDuties are the catalog's data-export and personal-information lifecycle duties,
// checked on the data fact set.
var dataDuties = catalogtest.On("data", "CBDF-CII-EXPORT-SECURITY-ASSESSMENT", "CBDF-IMPORTANT-DATA-SECURITY-ASSESSMENT", "CBDF-VOLUME-SECURITY-ASSESSMENT",
	"CBDF-STANDARD-CONTRACT-OR-CERTIFICATION", "CBDF-ASSESSMENT-RENEWAL", "CBDF-EXEMPTION-BELOW-100K",
	"PIPL-EXPORT-LAWFUL-ROUTE", "PIPL-EXPORT-SEPARATE-CONSENT", "PIPL-EXPORT-IMPACT-ASSESSMENT", "DSL-IMPORTANT-DATA-EXPORT",
	// The personal-information lifecycle: deletion at the end of retention.
	"PIPL-DELETE-AT-RETENTION-END", "MIIT14-T5-PI-LIFECYCLE",
	// The yearly self-inspection and risk report.
	"PI13-YEARLY-SELF-INSPECTION", "NDSR-ANNUAL-DATA-RISK-ASSESSMENT", "DSL-IMPORTANT-DATA-RISK-ASSESSMENT")

// TestCatalogDataDuties loads the embedded catalog with the data fact set declared, as the
// obligations capability does: each duty is a CEL check on data (the attestation only stands
// in without the set), and its catalog test cases — at least one met and one gap or overdue —
// pass.
func TestCatalogDataDuties(t *testing.T) {
	catalogtest.FactSetDuties(t, dataDuties, data.FactSet(&data.Service{Now: time.Now}).Declare())
}

// TestCatalogWithoutData: without the capability the same duties are attestations.
func TestCatalogWithoutData(t *testing.T) {
	catalogtest.AttestedWithout(t, dataDuties)
}
