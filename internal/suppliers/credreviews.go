package suppliers

import (
	"context"
	"sort"

	"ciiguard/internal/kernel"
)

// A supplier's review outcome shared with the operator is information for the operator's
// purchase of that product, not its clearance: the operator applies for the review of its own
// purchase (CSR 2022 Arts. 5 and 8), so the review capability shows the outcomes and, for one
// that says not cleared, presumes a national-security risk (docs/review.md).

var _ kernel.SharedReviews = (*Service)(nil) // the compiler checks the contract

// SharedReviews implements kernel.SharedReviews: the review outcomes shared with the context
// operator, in force, that concern its product id, the newest decision first.
func (s *Service) SharedReviews(ctx context.Context, productID int64) ([]kernel.SharedReview, error) {
	out := []kernel.SharedReview{}
	if s.orgs == nil {
		return out, nil // an installation without organisations has no supplier to share
	}
	cs, err := s.SharedCredentials(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.Credential.Kind != CredReview {
			continue
		}
		for _, p := range c.Products {
			if p.ID == productID {
				out = append(out, kernel.SharedReview{ReceiptID: c.ID, SupplierZh: c.SupplierZH, SupplierEn: c.SupplierEN, Outcome: c.Credential.Outcome,
					Dated: c.Credential.Dated, Reference: c.Credential.Number, Body: c.Credential.Body, Linked: p.Linked})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Dated.After(out[j].Dated) })
	return out, nil
}
