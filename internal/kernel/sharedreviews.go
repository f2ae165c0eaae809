package kernel

import (
	"context"
	"time"
)

// SharedReviews tells the review capability which cybersecurity review outcomes suppliers
// shared with the operator for one of its registered products. The suppliers capability
// implements it (a supplier organisation shares the outcome through its credentials); the
// review capability shows them on the purchase of that product and presumes a national-
// security risk where one says not cleared, without importing suppliers. A supplier's outcome
// never clears the operator's own purchase: the operator applies for its own (CSR 2022 Arts.
// 5 and 8; docs/review.md).
type SharedReviews interface {
	// SharedReviews lists the outcomes shared with the context operator, in force, that
	// concern its product id, the newest decision first; none for another organisation's id.
	SharedReviews(ctx context.Context, productID int64) ([]SharedReview, error)
}

// SharedReview is one review outcome a supplier shared, as the operator sees it.
type SharedReview struct {
	// ReceiptID is the operator's number of the shared record
	// (GET /api/v1/shared-credentials/{id}).
	ReceiptID  int64  `json:"shared_credential_id"`
	SupplierZh string `json:"supplier_name_zh"`
	SupplierEn string `json:"supplier_name_en"`
	// Outcome is cleared or not_cleared; Dated the China-time day it was decided;
	// Reference the decision's reference; Body the office that decided it.
	Outcome   string    `json:"outcome"`
	Dated     time.Time `json:"dated"`
	Reference string    `json:"reference"`
	Body      string    `json:"body"`
	// Linked says the operator linked it to the product itself; otherwise it names the
	// product by name and version only (可能适用).
	Linked bool `json:"linked"`
}

// NotCleared says the review found the product affects national security.
func (r SharedReview) NotCleared() bool { return r.Outcome == "not_cleared" }

// DatedDay is the decision's day, YYYY-MM-DD, for the pages.
func (r SharedReview) DatedDay() string { return r.Dated.Format(time.DateOnly) }
