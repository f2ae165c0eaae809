package kernel

import (
	"context"
	"time"
)

// Products is the organisation's record of the products and services it uses and who
// supplies them. The suppliers capability implements it; the review capability reads it
// (a procurement names a registered product) without importing suppliers.
type Products interface {
	// Product is one of the context organisation's products; store.ErrNotFound (or the
	// store's not-found error) when it is not theirs.
	Product(ctx context.Context, id int64) (ProductRef, error)
	// Products lists the context organisation's products, by name.
	Products(ctx context.Context) ([]ProductRef, error)
}

// ProductRef is what another capability sees of a product.
type ProductRef struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Version      string `json:"version"`
	Type         string `json:"type"` // critical_network_equipment, security_product, software, cloud, maintenance, outsourced_development, other
	SupplierID   int64  `json:"supplier_id"`
	SupplierName string `json:"supplier_name"`
	// SupplierOrgID is the supplier's organisation on this installation when the operator
	// linked its supplier record to one (SupplierCustomers), 0 otherwise.
	SupplierOrgID int64  `json:"supplier_org_id,omitempty"`
	Country       string `json:"country"` // ISO 3166-1 alpha-2 of the supplier
	// NeedsCert says the catalogue of critical network equipment and dedicated network
	// security products puts the product under the certification duty of CSL 2016 Art. 23
	// (2025 Art. 25); CertBasis says why (listed, threshold_reached, threshold_unknown,
	// below_threshold, not_listed, type_default, no_duty); CategoryZh/En name its entry.
	NeedsCert  bool   `json:"needs_certificate"`
	CertBasis  string `json:"certificate_basis"`
	CategoryZh string `json:"catalogue_category_zh,omitempty"`
	CategoryEn string `json:"catalogue_category_en,omitempty"`
	// Certified says a certificate is valid today: the operator's own (CertSource "own") or
	// one its supplier shared with it ("shared").
	Certified   bool      `json:"certified"`
	CertSource  string    `json:"certificate_source,omitempty"`
	CertExpires time.Time `json:"cert_expires"` // zero when there is no certificate
	Systems     []int64   `json:"systems"`      // inventory systems where it is used
}

// ProductReviews tells where the cybersecurity review stands for the registered products of
// the organisation's purchases. The review capability implements it; the suppliers
// capability shows it per supplier without importing review.
type ProductReviews interface {
	// ProductReviews gives, by product id, the review of the latest purchase of each of the
	// context organisation's registered products that required one.
	ProductReviews(ctx context.Context) (map[int64]ProductReview, error)
}

// ProductReview is where the review of a product's purchase stands.
type ProductReview struct {
	ProcurementID int64 `json:"procurement_id"`
	CaseID        int64 `json:"case_id"`
	// State is the case's state: preparing, submitted, not_required, initial_review,
	// members_opinions, special_procedure, cleared, not_cleared or revoked.
	State string `json:"state"`
}

// Passed says the review lets the product be used: cleared, or found not required.
func (r ProductReview) Passed() bool { return r.State == "cleared" || r.State == "not_required" }

// Failed says the review forbids the product: not cleared, or the clearance revoked.
func (r ProductReview) Failed() bool { return r.State == "not_cleared" || r.State == "revoked" }
