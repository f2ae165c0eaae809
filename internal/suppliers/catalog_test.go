package suppliers_test

import (
	"testing"
	"time"

	"ciiguard/internal/catalog/catalogtest"
	"ciiguard/internal/suppliers"
)

// supplierDuties are the catalog's duties checked on the suppliers fact set.
var supplierDuties = map[string]string{"CIIR-CERTIFIED-EQUIPMENT": "suppliers", "CIIR-SUPPLIER-SECURITY-AGREEMENT": "suppliers",
	"CSL-CII-SUPPLIER-AGREEMENT": "suppliers", "CIIR-OUTSOURCED-DONATED-TESTING": "suppliers", "CIIR-DOMESTIC-MAINTENANCE": "supply",
	"PIPL-REMOTE-MAINTENANCE-EXPORT": "suppliers"}

// TestCatalogSupplierDuties loads the embedded catalog with the suppliers fact set declared,
// as the obligations capability does: each supply-chain duty is a CEL check (no
// attestation), and its catalog test cases — at least one met and one gap — pass.
func TestCatalogSupplierDuties(t *testing.T) {
	svc := &suppliers.Service{Now: time.Now}
	catalogtest.FactSetDuties(t, supplierDuties, suppliers.FactSet(svc).Declare(), suppliers.SystemFactSet(svc).Declare())
}

// TestCatalogWithoutSuppliers: a tool that loads the catalog without the capability gets the
// same duties as attestations, and their cases (which need the set) are not run.
func TestCatalogWithoutSuppliers(t *testing.T) {
	catalogtest.AttestedWithout(t, supplierDuties)
}
