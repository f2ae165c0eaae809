package suppliers

import (
	"context"
	"fmt"

	"ciiguard/internal/store"
)

// Glance is a supplier at a glance, as the list shows it: its questionnaires' open findings
// and latest state, and where the cybersecurity review of its products stands.
type Glance struct {
	FindingsOpen    int `json:"findings_open"`
	FindingsOverdue int `json:"findings_overdue"`
	// Questionnaire is the state of the latest questionnaire ("" when none was sent).
	Questionnaire string `json:"questionnaire"`
	// ReviewsFailed, ReviewsPending and ReviewsPassed count the supplier's products whose
	// purchase required the review, by where it stands: not cleared or revoked; under way;
	// cleared or found not required.
	ReviewsFailed  int `json:"reviews_failed"`
	ReviewsPending int `json:"reviews_pending"`
	ReviewsPassed  int `json:"reviews_passed"`
	// SubsAbroad counts the supplier's recorded sub-suppliers outside the mainland.
	SubsAbroad int `json:"sub_suppliers_abroad"`
}

// Glances is every supplier's glance over the products ps, by supplier id.
func (s *Service) Glances(ctx context.Context, ps []Product) (map[int64]Glance, error) {
	out := map[int64]Glance{}
	now := s.Now()
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		fs, err := findingsOf(t, 0)
		if err != nil {
			return err
		}
		for _, f := range fs {
			g := out[f.SupplierID]
			g.FindingsOpen += int(b2i(f.Open()))
			g.FindingsOverdue += int(b2i(f.Overdue(now)))
			out[f.SupplierID] = g
		}
		subs, err := subsOf(t, 0)
		if err != nil {
			return err
		}
		for _, x := range subs {
			g := out[x.SupplierID]
			g.SubsAbroad += int(b2i(x.Abroad()))
			out[x.SupplierID] = g
		}
		qs, err := questionnairesOf(t, 0) // newest first
		for _, q := range qs {
			if g := out[q.SupplierID]; g.Questionnaire == "" {
				g.Questionnaire = q.State
				out[q.SupplierID] = g
			}
		}
		return err
	})
	if err != nil || s.reviews == nil {
		return out, err
	}
	rs, err := s.reviews.ProductReviews(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the reviews: %w", err)
	}
	for _, p := range ps {
		r, ok := rs[p.ID]
		if !ok {
			continue
		}
		g := out[p.SupplierID]
		switch {
		case r.Failed():
			g.ReviewsFailed++
		case r.Passed():
			g.ReviewsPassed++
		default:
			g.ReviewsPending++
		}
		out[p.SupplierID] = g
	}
	return out, nil
}
