package oversight

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// A penalty case ends in one of two ways, each the department's decision with a reason
// and the legal basis it relies on, audited in both trails: closed (结案) once its
// decision is carried out, or withdrawn (撤销) — the facts do not hold, the
// clause does not apply, the matter goes to another authority. An ended case takes no
// further decision; it stays as history. The operator reads each of its cases through its
// copy (oversight_case_copies), as it reads inspections.

// Case states.
const (
	CaseOpen      = "open"
	CaseClosed    = "closed"
	CaseWithdrawn = "withdrawn"
)

// CaseEnd is how the department ends a case.
type CaseEnd struct {
	Reason string `json:"reason"`
	Basis  string `json:"basis"` // the legal basis relied on, as written
}

// CloseCase closes one of the context department's open cases.
func (s *Service) CloseCase(ctx context.Context, id int64, in CaseEnd) (Case, error) {
	return s.endCase(ctx, id, CaseClosed, in)
}

// WithdrawCase withdraws one of the context department's open cases.
func (s *Service) WithdrawCase(ctx context.Context, id int64, in CaseEnd) (Case, error) {
	return s.endCase(ctx, id, CaseWithdrawn, in)
}

func (s *Service) endCase(ctx context.Context, id int64, state string, in CaseEnd) (Case, error) {
	// The case first: another department's is a 404 before the input is judged.
	if _, err := s.Case(ctx, id); err != nil {
		return Case{}, err
	}
	in.Reason, in.Basis = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Basis)
	v := &problem.Invalid{}
	v.Text("reason", in.Reason, true, 2000)
	v.Text("basis", in.Basis, true, 500)
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
			return problem.Conflictf("state", "the case is closed or withdrawn already")
		}
		now := s.now()
		out = before
		out.State, out.EndReason, out.EndBasis, out.EndedBy, out.EndedAt = state, in.Reason, in.Basis, audit.ActorFrom(ctx).Label, &now
		if _, err := t.Exec(`UPDATE oversight_cases SET state = $3, end_reason = $4, end_basis = $5, ended_by = $6, ended_at = $7 WHERE org_id = $1 AND id = $2 AND state = 'open'`,
			id, state, in.Reason, in.Basis, out.EndedBy, now); err != nil {
			return fmt.Errorf("end case %d: %w", id, err)
		}
		detail := fmt.Sprintf("case %d %s: %s (%s)", id, state, clip(in.Reason, 200), clip(in.Basis, 200))
		if err := audit.Record(t.Tx(), before.OperatorID, "oversight_case", idStr(id), "case_"+state, before, out, detail); err != nil {
			return err
		}
		return audit.InTenant(t, "oversight_case", idStr(id), "case_"+state, before, out, detail)
	})
	return out, err
}

// ReceivedCases lists the context operator's penalty cases (id != 0: that one), newest
// first, each with the regulator's names.
func (s *Service) ReceivedCases(ctx context.Context, id int64) ([]ReceivedCase, error) {
	operatorID, err := orgOf(ctx)
	if err != nil {
		return nil, err
	}
	copies := map[int64][]int64{}
	err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		return query(t, "case copies", `SELECT regulator_id, case_id FROM oversight_case_copies WHERE org_id = $1 AND ($2 = 0 OR case_id = $2)`,
			func(sc func(...any) error) error {
				var reg, cid int64
				if err := sc(&reg, &cid); err != nil {
					return err
				}
				copies[reg] = append(copies[reg], cid)
				return nil
			}, id)
	})
	if err != nil {
		return nil, err
	}
	out := []ReceivedCase{}
	for reg, ids := range copies {
		ref, err := s.regulatorRef(ctx, reg)
		if err != nil {
			return nil, err
		}
		err = s.db.ReadTenant(store.WithOrg(ctx, reg), func(t *store.Tenant) error {
			for _, cid := range ids {
				c, err := scanCase(t.QueryRow(`SELECT `+caseCols+` FROM oversight_cases WHERE org_id = $1 AND id = $2 AND operator_id = $3`, cid, operatorID).Scan)
				if err != nil {
					return fmt.Errorf("case %d: %w", cid, err)
				}
				out = append(out, ReceivedCase{Case: c, RegulatorZH: ref.NameZH, RegulatorEN: ref.NameEN})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b ReceivedCase) int { return int(b.ID - a.ID) })
	return out, nil
}

// ReceivedCase is a penalty case as its operator reads it.
type ReceivedCase struct {
	Case
	RegulatorZH string `json:"regulator_name_zh"`
	RegulatorEN string `json:"regulator_name_en"`
}

// EndedText is when the case ended, Beijing time ("" while open).
func (c Case) EndedText() string {
	if c.EndedAt == nil {
		return ""
	}
	return bjTime(*c.EndedAt)
}
