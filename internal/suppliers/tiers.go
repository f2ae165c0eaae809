package suppliers

import (
	"context"
	"fmt"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// A supplier's criticality tier says how closely it is watched: it follows from the systems
// its products and services are used on and the access they give, and sets how often the
// supplier is reassessed (its performance reviewed, CIIR 2021 Art. 20). No instrument sets
// tiers or intervals; these are ciiguard's, labelled as such on the pages, chosen so that a
// supplier of an identified CII system is looked at twice as often as the 12 months the
// agreement duty's check (suppliers.performance_unreviewed_12m) allows.

// Tier is a criticality tier and its reassessment interval.
type Tier struct {
	Code           string `json:"code"`
	Zh             string `json:"zh"`
	En             string `json:"en"`
	ReassessMonths int    `json:"reassess_months"`
}

// Tiers, most critical first.
var Tiers = []Tier{
	{Code: "critical", Zh: "关键", En: "critical", ReassessMonths: 6},
	{Code: "important", Zh: "重要", En: "important", ReassessMonths: 12},
	{Code: "general", Zh: "一般", En: "general", ReassessMonths: 24},
}

// TierReason is why a supplier is in its tier: the system (0 for none) and what about it.
type TierReason struct {
	SystemID int64  `json:"system_id,omitempty"`
	System   string `json:"system,omitempty"`
	Code     string `json:"code"` // cii, mlps3, mlps2, data, data_access
}

// SupplierTier is a supplier's tier, why, and when it is next due for reassessment.
type SupplierTier struct {
	Tier    Tier         `json:"tier"`
	Reasons []TierReason `json:"reasons"`
	// LastReview is the last performance review (nil: never); Due the day the next one is
	// due (China time); Overdue says Due has passed.
	LastReview *time.Time `json:"last_review"`
	Due        time.Time  `json:"reassess_due"`
	Overdue    bool       `json:"reassess_overdue"`
}

// dataAccessTypes are the kinds of product or service that reach the systems' data by their
// nature: cloud services, maintenance and outsourced development.
var dataAccessTypes = map[string]bool{"cloud": true, "maintenance": true, "outsourced_development": true}

// TierOf is the tier of a supplier with products ps over the organisation's systems: critical
// when a product is used on an identified CII system or one of MLPS level 3 or above;
// important when one is used on a level 2 system or a system holding personal information or
// important data, or the supplier provides a cloud, maintenance or outsourced development
// service used on any system; general otherwise (including a supplier whose products are used
// on no system).
func TierOf(ps []Product, systems map[int64]rules.System) (Tier, []TierReason) {
	tier := 2
	var reasons []TierReason
	add := func(level int, r TierReason) {
		if level < tier {
			tier, reasons = level, nil
		}
		if level == tier {
			for _, x := range reasons {
				if x == r {
					return
				}
			}
			reasons = append(reasons, r)
		}
	}
	for _, p := range ps {
		for _, id := range p.Systems {
			s, ok := systems[id]
			if !ok {
				continue
			}
			at := func(code string) TierReason { return TierReason{SystemID: id, System: s.Name, Code: code} }
			switch {
			case s.CIIStatus == "identified":
				add(0, at("cii"))
			case s.MLPSLevel >= 3:
				add(0, at("mlps3"))
			case s.MLPSLevel == 2:
				add(1, at("mlps2"))
			case s.HoldsPersonalInfo || s.HoldsImportantData:
				add(1, at("data"))
			case dataAccessTypes[p.Type]:
				add(1, at("data_access"))
			}
		}
	}
	return Tiers[tier], reasons
}

// tierOf is the supplier's tier with its reassessment due from its last review (latest
// first in reviews), at now.
func tierOf(ps []Product, systems map[int64]rules.System, reviews []PerformanceReview, now time.Time) SupplierTier {
	t, reasons := TierOf(ps, systems)
	if reasons == nil {
		reasons = []TierReason{}
	}
	st := SupplierTier{Tier: t, Reasons: reasons}
	today := chinaDay(now)
	if len(reviews) == 0 {
		st.Due, st.Overdue = today, true
		return st
	}
	last := reviews[0].ReviewedOn.In(calendar.Shanghai)
	for _, r := range reviews[1:] {
		if r.ReviewedOn.After(last) {
			last = r.ReviewedOn.In(calendar.Shanghai)
		}
	}
	st.LastReview = &last
	st.Due = addMonths(chinaDay(last), t.ReassessMonths)
	st.Overdue = st.Due.Before(today)
	return st
}

// addMonths is d plus n calendar months, kept in the last day of a shorter month (31 May
// plus six months is 30 November, where time.AddDate would give 1 December).
func addMonths(d time.Time, n int) time.Time {
	first := time.Date(d.Year(), d.Month()+time.Month(n), 1, 0, 0, 0, 0, d.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d.Day(), last), 0, 0, 0, 0, d.Location())
}

// Tiers is the tier of every supplier of the context organisation that has a product in ps
// (the organisation's products, or one supplier's), and of each supplier with none among
// them as general, by supplier id.
func (s *Service) Tiers(ctx context.Context, ps []Product) (map[int64]SupplierTier, error) {
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the inventory: %w", err)
	}
	bySystem := make(map[int64]rules.System, len(systems))
	for _, x := range systems {
		bySystem[x.ID] = x
	}
	var sups []Supplier
	var reviews []PerformanceReview
	if err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if sups, err = allSuppliers(t); err != nil {
			return err
		}
		if reviews, err = reviewsOf(t, 0); err != nil {
			return err
		}
		// An accepted security questionnaire reassesses the supplier as a performance
		// review does.
		qs, err := questionnairesOf(t, 0)
		for _, q := range qs {
			if q.State == QAccepted && q.DecidedAt != nil {
				reviews = append(reviews, PerformanceReview{SupplierID: q.SupplierID, ReviewedOn: chinaDay(*q.DecidedAt)})
			}
		}
		return err
	}); err != nil {
		return nil, err
	}
	prods, revs := map[int64][]Product{}, map[int64][]PerformanceReview{}
	for _, p := range ps {
		prods[p.SupplierID] = append(prods[p.SupplierID], p)
	}
	for _, r := range reviews {
		revs[r.SupplierID] = append(revs[r.SupplierID], r)
	}
	now := s.Now()
	out := make(map[int64]SupplierTier, len(sups))
	for _, x := range sups {
		out[x.ID] = tierOf(prods[x.ID], bySystem, revs[x.ID], now)
	}
	return out, nil
}
