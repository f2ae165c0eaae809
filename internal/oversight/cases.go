package oversight

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/catalog"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// NewCase is a penalty case the regulator decides against an operator that filed with it.
type NewCase struct {
	OperatorID int64  `json:"operator_id"`
	PenaltyID  string `json:"penalty_id"` // a penalty clause of the catalog (CIIR-2021-39 …)
	Subject    string `json:"subject"`    // organisation or person (directly responsible persons)
	Tier       string `json:"tier"`       // one of the clause's tiers (catalog.TierWhenValues)
	BaseAmount int64  `json:"base_amount"`
	Amount     int64  `json:"amount"` // RMB
	// OutsideBasis is the legal basis for a fine outside the tier's range (a mitigating or
	// aggravating provision); without it such an amount is refused.
	OutsideBasis string `json:"outside_basis"`
	Decision     string `json:"decision"`
	Published    bool   `json:"published"`
}

// Case is a stored penalty case.
type Case struct {
	ID int64 `json:"id"`
	NewCase
	RangeMin  int64  `json:"range_min"`
	RangeMax  int64  `json:"range_max"`
	CreatedBy string `json:"created_by"`
	// State is open, closed or withdrawn (case_end.go), with the reason, the legal basis,
	// who ended it and when.
	State     string     `json:"state"`
	EndReason string     `json:"end_reason,omitempty"`
	EndBasis  string     `json:"end_basis,omitempty"`
	EndedBy   string     `json:"ended_by,omitempty"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
}

var loadCatalog = sync.OnceValues(func() (*catalog.Catalog, error) { return catalog.Load() })

// caseRange is the fine range of the case's clause, tier and subject, or a problem naming
// the field that does not fit the catalog.
func caseRange(c *catalog.Catalog, in NewCase, v *problem.Invalid) (lo, hi int64, ok bool) {
	p, found := c.Penalty(in.PenaltyID)
	if !found || p.Draft {
		v.Add("penalty_id", "is not a penalty clause in force in the catalog")
		return 0, 0, false
	}
	if in.Subject != "organisation" && in.Subject != "person" {
		v.Add("subject", "must be one of %s", "organisation, person")
		return 0, 0, false
	}
	var tier *catalog.Tier
	var names []string
	for _, t := range p.AllTiers() {
		names = append(names, t.When)
		if t.When == in.Tier {
			tier = &t
		}
	}
	if tier == nil {
		v.Add("tier", "must be one of %s", strings.Join(names, ", "))
		return 0, 0, false
	}
	r := tier.Fine
	if in.Subject == "person" {
		if tier.Persons == nil {
			v.Add("subject", "the clause's tier fines no person")
			return 0, 0, false
		}
		r = *tier.Persons
	} else if p.MultipleOf != "" {
		if in.BaseAmount <= 0 {
			v.Add("base_amount", "is required: the clause fines a multiple of it")
			return 0, 0, false
		}
		r = catalog.Range{Min: r.Min * in.BaseAmount, Max: r.Max * in.BaseAmount}
	}
	return r.Min, r.Max, true
}

// OpenCase validates and stores a penalty case of the context regulator, audited.
func (s *Service) OpenCase(ctx context.Context, in NewCase) (Case, error) {
	cat, err := loadCatalog()
	if err != nil {
		return Case{}, fmt.Errorf("load the catalog: %w", err)
	}
	v := &problem.Invalid{}
	in.Decision, in.OutsideBasis = strings.TrimSpace(in.Decision), strings.TrimSpace(in.OutsideBasis)
	v.Text("decision", in.Decision, true, 4000)
	v.Text("outside_basis", in.OutsideBasis, false, 2000)
	lo, hi, ok := caseRange(cat, in, v)
	if in.Amount < 0 {
		v.Add("amount", "must not be negative")
	} else if ok && (in.Amount < lo || in.Amount > hi) && in.OutsideBasis == "" {
		v.Add("amount", "is outside the tier's range %d–%d: give the legal basis for going outside it in outside_basis", lo, hi)
	}
	// The regulator cases only operators that filed with it: its own records.
	items, err := s.Inbox(ctx, Filter{Operator: in.OperatorID})
	if err != nil {
		return Case{}, err
	}
	if in.OperatorID <= 0 || len(items) == 0 {
		v.Add("operator_id", "is not an operator that filed with this regulator")
	}
	if err := v.Err(); err != nil {
		return Case{}, err
	}
	regulatorID, err := orgOf(ctx)
	if err != nil {
		return Case{}, err
	}
	c := Case{NewCase: in, RangeMin: lo, RangeMax: hi, CreatedBy: audit.ActorFrom(ctx).Label, State: CaseOpen}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO oversight_cases (org_id, operator_id, penalty_id, subject, tier, base_amount, amount, range_min, range_max, outside_basis, decision, published, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`, in.OperatorID, in.PenaltyID, in.Subject, in.Tier, in.BaseAmount, in.Amount,
			lo, hi, in.OutsideBasis, in.Decision, in.Published, c.CreatedBy, s.now()).Scan(&c.ID); err != nil {
			return fmt.Errorf("store the case: %w", err)
		}
		// The operator's copy: it reads the case, and how it ends, through it.
		if _, err := t.Tx().Exec(`INSERT INTO oversight_case_copies (org_id, case_id, regulator_id, received_at) VALUES ($1, $2, $3, $4)`,
			in.OperatorID, c.ID, regulatorID, s.now()); err != nil {
			return fmt.Errorf("send the case to the operator: %w", err)
		}
		if err := audit.Record(t.Tx(), in.OperatorID, "oversight_case", idStr(c.ID), "case_received", nil, c, in.PenaltyID); err != nil {
			return err
		}
		return audit.InTenant(t, "oversight_case", idStr(c.ID), "create", nil, c, in.PenaltyID)
	})
	return c, err
}

// Cases lists the context regulator's penalty cases, newest first.
func (s *Service) Cases(ctx context.Context) ([]Case, error) {
	out := []Case{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		return query(t, "cases", `SELECT `+caseCols+` FROM oversight_cases WHERE org_id = $1 ORDER BY id DESC`, func(sc func(...any) error) error {
			c, err := scanCase(sc)
			out = append(out, c)
			return err
		})
	})
	return out, err
}
