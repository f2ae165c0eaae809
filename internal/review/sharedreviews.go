package review

import (
	"context"
	"fmt"

	"ciiguard/internal/kernel"
)

// Suppliers share the outcomes of cybersecurity reviews they went through (docs/suppliers.md,
// "The supplier's side"). Such an outcome is information for the operator's purchase, never
// its clearance: under the Cybersecurity Review Measures the CII operator itself foresees the
// national-security risk of putting the product it buys into use and applies for the review of
// its own purchase (CSR 2022 Art. 5), as the platform operator applies for its own listing
// (Art. 7), with its own materials — its declaration, its impact analysis, its purchase
// documents, agreements and draft contract (Art. 8); the review decides on that purchase.
// Another party's clearance was given on another application and other materials, so the gate
// keeps to the operator's own case. An outcome "not cleared" for the same product, however,
// means the review office found that the product affects or may affect national security: the
// operator's assessment presumes that risk (Assessment.SupplierNotCleared), so a purchase for a
// CII system requires the review.

// SharedReviewsOf lists the review outcomes suppliers shared for p's registered product, the
// newest first; none for a product typed by hand or without the suppliers capability.
func (s *Service) SharedReviewsOf(ctx context.Context, p Procurement) ([]kernel.SharedReview, error) {
	return s.sharedReviews(ctx, p.ProductID)
}

func (s *Service) sharedReviews(ctx context.Context, product int64) ([]kernel.SharedReview, error) {
	if product == 0 || s.shared == nil {
		return []kernel.SharedReview{}, nil
	}
	rs, err := s.shared.SharedReviews(ctx, product)
	if err != nil {
		return nil, fmt.Errorf("read the review outcomes shared for product %d: %w", product, err)
	}
	return rs, nil
}

// presumed says whether a supplier shared an outcome "not cleared" for the product, and names
// the newest such: the supplier, the decision's reference and day.
func (s *Service) presumed(ctx context.Context, product int64) (bool, string, error) {
	rs, err := s.sharedReviews(ctx, product)
	if err != nil {
		return false, "", err
	}
	for _, r := range rs {
		if r.NotCleared() {
			return true, fmt.Sprintf("%s %s %s", r.SupplierZh, r.Reference, r.DatedDay()), nil
		}
	}
	return false, "", nil
}
