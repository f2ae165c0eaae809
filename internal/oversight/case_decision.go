package oversight

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// CaseDecision is what the regulator records after opening a case: the decision's text
// and whether it is published (行政处罚决定公开). The amount and its range stay as the
// case was opened: a different fine is a different case.
type CaseDecision struct {
	Decision  string `json:"decision"`
	Published bool   `json:"published"`
}

const caseCols = `id, operator_id, penalty_id, subject, tier, base_amount, amount, range_min, range_max, outside_basis, decision, published, created_by,
state, end_reason, end_basis, ended_by, ended_at`

func scanCase(sc func(...any) error) (Case, error) {
	var c Case
	var ended sql.NullTime
	err := sc(&c.ID, &c.OperatorID, &c.PenaltyID, &c.Subject, &c.Tier, &c.BaseAmount, &c.Amount, &c.RangeMin, &c.RangeMax, &c.OutsideBasis, &c.Decision, &c.Published, &c.CreatedBy,
		&c.State, &c.EndReason, &c.EndBasis, &c.EndedBy, &ended)
	if ended.Valid {
		at := ended.Time.UTC()
		c.EndedAt = &at
	}
	return c, err
}

// Case is one of the context regulator's penalty cases.
func (s *Service) Case(ctx context.Context, id int64) (Case, error) {
	var c Case
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if c, err = scanCase(t.QueryRow(`SELECT `+caseCols+` FROM oversight_cases WHERE org_id = $1 AND id = $2`, id).Scan); err != nil {
			return fmt.Errorf("case %d: %w", id, err)
		}
		return nil
	})
	return c, err
}

// Decide records the decision of one of the context regulator's cases, audited.
func (s *Service) Decide(ctx context.Context, id int64, in CaseDecision) (Case, error) {
	in.Decision = strings.TrimSpace(in.Decision)
	v := &problem.Invalid{}
	v.Text("decision", in.Decision, true, 4000)
	if err := v.Err(); err != nil {
		return Case{}, err
	}
	var out Case
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := scanCase(t.QueryRow(`SELECT `+caseCols+` FROM oversight_cases WHERE org_id = $1 AND id = $2`, id).Scan)
		if err != nil {
			return fmt.Errorf("case %d: %w", id, err)
		}
		if before.State != CaseOpen {
			return problem.Conflictf("state", "the case is closed or withdrawn: it takes no further decision")
		}
		if _, err := t.Exec(`UPDATE oversight_cases SET decision = $3, published = $4 WHERE org_id = $1 AND id = $2`, id, in.Decision, in.Published); err != nil {
			return fmt.Errorf("decide case %d: %w", id, err)
		}
		out = before
		out.Decision, out.Published = in.Decision, in.Published
		return audit.InTenant(t, "oversight_case", idStr(id), "update", before, out, fmt.Sprintf("decision recorded, published %v", in.Published))
	})
	return out, err
}
