package suppliers

import (
	"context"
	"net/http"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
)

// An approval of a pre-use assessment may be withdrawn — a finding turns up after go-live, the
// approver erred — by anyone with suppliers.write, with a reason the record keeps beside who
// withdrew it and when. The product is then no longer cleared by that assessment and, unless
// another approved one clears it, counts again in suppliers.preuse_missing. A withdrawal is
// final: the assessment cannot be approved again (its findings are the past's); a new
// assessment is recorded and approved instead. Anyone with the right may withdraw, the
// approver and the assessor included: withdrawing only takes a clearance away.

// WithdrawalInput is the withdrawal of an assessment's approval.
type WithdrawalInput struct {
	Reason string `json:"reason"`
}

// Withdrawn says the approval was withdrawn.
func (a Assessment) Withdrawn() bool { return a.WithdrawnAt != nil }

// checkWithdrawal says whether a's approval may be withdrawn with in: a conflict on
// approved_at when it was never approved, on withdrawn_at when already withdrawn; the reason
// is required.
func checkWithdrawal(a Assessment, in WithdrawalInput) error {
	switch {
	case a.Withdrawn():
		return problem.Conflictf("withdrawn_at", "is set: %s withdrew this assessment's approval; record a new assessment", a.WithdrawnBy)
	case !a.Approved():
		return problem.Conflictf("approved_at", "is not set: only an approved assessment's approval can be withdrawn")
	}
	v := &problem.Invalid{}
	v.Text("reason", strings.TrimSpace(in.Reason), true, maxText)
	return v.Err()
}

// WithdrawApproval withdraws the approval of one of the organisation's pre-use assessments
// as the context's user; another organisation's is store.ErrNotFound.
func (s *Service) WithdrawApproval(ctx context.Context, id int64, in WithdrawalInput) (Assessment, error) {
	return s.decideAssessment(ctx, id, "withdraw_approval", func(a *Assessment, by audit.Actor, at time.Time) (string, error) {
		if err := checkWithdrawal(*a, in); err != nil {
			return "", err
		}
		a.WithdrawnBy, a.WithdrawnAt, a.WithdrawnReason = by.Label, &at, strings.TrimSpace(in.Reason)
		return a.WithdrawnReason, nil
	})
}

// withdrawApprovalPage withdraws an approval from the product's page; on a refusal the page
// comes back with that row's form marked and the reason typed kept.
func (m *Module) withdrawApprovalPage(w http.ResponseWriter, r *http.Request) error {
	in := WithdrawalInput{Reason: r.PostFormValue("reason")}
	return m.assessmentFormPage(w, r, "withdraw", func(ctx context.Context, aid int64) error {
		_, err := m.WithdrawApproval(ctx, aid, in)
		return err
	}, func(d *productData, aid int64) { d.WithdrawOf, d.WithdrawIn = aid, in }, "suppliers.approval_withdrawn")
}
