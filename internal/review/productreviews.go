package review

import (
	"context"
	"fmt"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

var _ kernel.ProductReviews = (*Service)(nil) // the compiler checks the contract

// ProductReviews implements kernel.ProductReviews: for each registered product of the
// context organisation's purchases that required the review, the state of the latest such
// purchase's case.
func (s *Service) ProductReviews(ctx context.Context) (map[int64]kernel.ProductReview, error) {
	out := map[int64]kernel.ProductReview{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT p.product_id, p.id, c.id, c.state FROM review_procurements p JOIN review_cases c ON c.org_id = p.org_id AND c.id = p.case_id
WHERE p.org_id = $1 AND p.product_id > 0 AND p.required = $2 ORDER BY p.id`, true)
		if err != nil {
			return fmt.Errorf("read the reviews of products: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var product int64
			var r kernel.ProductReview
			if err := rows.Scan(&product, &r.ProcurementID, &r.CaseID, &r.State); err != nil {
				return fmt.Errorf("read a product's review: %w", err)
			}
			out[product] = r // later purchases override earlier ones
		}
		return rows.Err()
	})
	return out, err
}
