package suppliers

import (
	"errors"
	"testing"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
)

// TestCheckApproval holds the four-eyes approval of a pre-use assessment to a hand-written
// table: someone other than the assessor approves a passed assessment; unresolved high
// findings need a reason to be accepted; a failed or already approved assessment is a
// conflict. Each refusal names its field.
func TestCheckApproval(t *testing.T) {
	approved := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	assessor := audit.Actor{UserID: 7, Label: "security@grid.demo (security_manager)"}
	other := audit.Actor{UserID: 8, Label: "admin@grid.demo (admin)"}
	a := Assessment{ID: 1, Result: AssessPassed, CreatedBy: assessor.Label, AssessorID: assessor.UserID}
	cases := []struct {
		name     string
		a        func(Assessment) Assessment
		by       audit.Actor
		reason   string
		field    string // "" when approved
		conflict bool
	}{
		{"another person approves a clean pass", nil, other, "", "", false},
		{"the assessor approves", nil, assessor, "", "approved_by", false},
		{"the assessor's label, recorded before user ids were kept", func(x Assessment) Assessment { x.AssessorID = 0; return x }, audit.Actor{UserID: 9, Label: assessor.Label}, "", "approved_by", false},
		{"high findings, no reason", func(x Assessment) Assessment { x.HighFindings = 2; return x }, other, "", "accept_reason", false},
		{"high findings, only spaces", func(x Assessment) Assessment { x.HighFindings = 1; return x }, other, "   ", "accept_reason", false},
		{"high findings accepted with a reason", func(x Assessment) Assessment { x.HighFindings = 1; return x }, other, "隔离部署，补丁下月上线", "", false},
		{"a failed assessment", func(x Assessment) Assessment { x.Result = AssessFailed; return x }, other, "", "result", true},
		{"already approved", func(x Assessment) Assessment { x.ApprovedAt = &approved; x.ApprovedBy = other.Label; return x }, other, "", "approved_at", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := a
			if c.a != nil {
				x = c.a(x)
			}
			err := checkApproval(x, c.by, ApprovalInput{AcceptReason: c.reason})
			var inv *problem.Invalid
			var cf *problem.Conflict
			switch {
			case c.field == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.field == "":
			case c.conflict && (!errors.As(err, &cf) || cf.Field != c.field):
				t.Errorf("got %v, want a conflict on %s", err, c.field)
			case !c.conflict && (!errors.As(err, &inv) || len(inv.Fields) != 1 || inv.Fields[0].Field != c.field):
				t.Errorf("got %v, want a refusal of %s", err, c.field)
			}
		})
	}
}

// TestPreUseNeedsApproval: a product built outside or donated and in use is cleared only by
// a passed assessment that someone approved; one awaiting approval, or a failed one
// approved by nobody, leaves it counted.
func TestPreUseNeedsApproval(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, calendar.Shanghai)
	at := now.AddDate(0, 0, -3)
	p := Product{ID: 1, Type: "outsourced_development", Systems: []int64{4}}
	cases := []struct {
		name string
		as   []Assessment
		want int64
	}{
		{"none", nil, 1},
		{"passed, awaiting approval", []Assessment{{ProductID: 1, Result: AssessPassed}}, 1},
		{"passed and approved", []Assessment{{ProductID: 1, Result: AssessPassed, ApprovedAt: &at}}, 0},
		{"failed, then passed awaiting approval", []Assessment{{ProductID: 1, Result: AssessFailed}, {ProductID: 1, Result: AssessPassed}}, 1},
		{"another product's approval", []Assessment{{ProductID: 2, Result: AssessPassed, ApprovedAt: &at}}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := ComputeFacts(records{prods: []Product{p}, assessments: c.as}, nil, now)
			if f.PreUseMissing != c.want {
				t.Errorf("preuse_missing %d, want %d", f.PreUseMissing, c.want)
			}
		})
	}
}
