package people_test

import (
	"testing"
	"time"

	"ciiguard/internal/catalog/catalogtest"
	"ciiguard/internal/people"
)

// peopleDuties are the catalog's organisation, vetting, certification and training duties,
// checked on the people fact set.
var peopleDuties = catalogtest.On("people", "CIIR-SECURITY-ORGANISATION-VETTED", "CIIR-KEY-POST-VETTING", "CIIR-KEY-POST-CERTIFICATION", "CIIR-ANNUAL-TRAINING-DAYS",
	"CSL-CII-SECURITY-ORGANISATION", "CSL-CII-TRAINING", "CSL-SECURITY-RESPONSIBLE-PERSON", "NDSR-IMPORTANT-DATA-OFFICER-AND-UNIT", "MIIT14-M3-CORPORATE-RESPONSIBILITY")

// TestCatalogPeopleDuties loads the embedded catalog with the people fact set declared, as
// the obligations capability does: each duty is a CEL check on people (the attestation only
// stands in without the set), and its catalog test cases — at least one met and one gap —
// pass.
func TestCatalogPeopleDuties(t *testing.T) {
	catalogtest.FactSetDuties(t, peopleDuties, people.FactSet(&people.Service{Now: time.Now}).Declare())
}

// TestCatalogWithoutPeople: without the capability the same duties are attestations.
func TestCatalogWithoutPeople(t *testing.T) {
	catalogtest.AttestedWithout(t, peopleDuties)
}
