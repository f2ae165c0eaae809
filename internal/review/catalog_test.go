package review_test

import (
	"testing"
	"time"

	"ciiguard/internal/catalog/catalogtest"
	"ciiguard/internal/review"
)

// reviewDuties are the catalog's duties checked on the review fact set.
var reviewDuties = catalogtest.On("review", "CSR-CII-PROCUREMENT-FILING", "CSR-OUTCOME-COMPLIANCE", "CSR-FILING-MATERIALS", "CSR-LISTING-ABROAD-FILING",
	"CIIR-PROCUREMENT-SECURITY-REVIEW", "CSL-CII-PROCUREMENT-REVIEW")

// TestCatalogReviewDuties loads the embedded catalog with the review fact set declared, as
// the obligations capability does: each review duty is a CEL check (no attestation), and its
// catalog test cases — at least one met and one gap — pass.
func TestCatalogReviewDuties(t *testing.T) {
	catalogtest.FactSetDuties(t, reviewDuties, review.FactSet(&review.Service{Now: time.Now}).Declare())
}

// TestCatalogWithoutReview: a tool that loads the catalog without the capability gets the
// same duties as attestations, and their cases (which need the set) are not run.
func TestCatalogWithoutReview(t *testing.T) {
	catalogtest.AttestedWithout(t, reviewDuties)
}
