package oversight

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"time"
)

// After (or while) reading, the department records what the inspection found, orders the
// operator to correct with a deadline, and records a refusal or obstruction (CIIR 2021
// Art. 42: an operator that refuses or obstructs an inspection is ordered to correct and,
// refusing, fined RMB 50,000–500,000; the penalty case cites it). The operator answers
// with its response. Each is an action in the inspection's record, kept in the
// department's tenant, seen by both sides and audited in both trails; none is edited or
// removed.

// Kinds of action and the side that records each.
const (
	ActionFinding     = "finding"     // the department: what the inspection found
	ActionOrder       = "order"       // the department: an order to correct, with a deadline
	ActionRefusal     = "refusal"     // the department: the operator refused the inspection (Art. 42)
	ActionObstruction = "obstruction" // the department: the operator obstructed it (Art. 42)
	ActionResponse    = "response"    // the operator: its response
)

// RegulatorActions are the kinds the department records, in the form's order.
var RegulatorActions = []string{ActionFinding, ActionOrder, ActionRefusal, ActionObstruction}

// maxActionText is the longest text of an action.
const maxActionText = 5000

// Action is one finding, order, refusal, obstruction or response.
type Action struct {
	ID    int64     `json:"id"`
	Kind  string    `json:"kind"`
	Text  string    `json:"text"`
	DueOn string    `json:"due_on,omitempty"` // an order's deadline, YYYY-MM-DD Beijing
	Side  string    `json:"side"`             // regulator or operator
	By    string    `json:"by"`
	At    time.Time `json:"at"`
}

// NewAction is an action as recorded.
type NewAction struct {
	Kind  string `json:"kind"`
	Text  string `json:"text"`
	DueOn string `json:"due_on"`
}

func (a *NewAction) validate(kinds []string, today string) error {
	a.Kind, a.Text, a.DueOn = strings.TrimSpace(a.Kind), strings.TrimSpace(a.Text), strings.TrimSpace(a.DueOn)
	v := &problem.Invalid{}
	if !slices.Contains(kinds, a.Kind) {
		v.Add("kind", "must be one of %s", strings.Join(kinds, ", "))
	}
	v.Text("text", a.Text, true, maxActionText)
	switch {
	case a.Kind == ActionOrder && a.DueOn == "":
		v.Add("due_on", "is required: the deadline to correct")
	case a.DueOn != "" && a.Kind != ActionOrder:
		v.Add("due_on", "is only for an order to correct")
	case a.DueOn != "":
		if _, ok := parseDay(a.DueOn); !ok {
			v.Add("due_on", "must be a date such as 2026-12-01")
		} else if a.DueOn < today {
			v.Add("due_on", "must not be before today (%s, Beijing time)", today)
		}
	}
	return v.Err()
}

// addAction writes a to inspection x (in the department's tenant, t) and audits it in
// both trails.
func (s *Service) addAction(ctx context.Context, t *store.Tenant, x *Inspection, a NewAction, side string) (Action, error) {
	out := Action{Kind: a.Kind, Text: a.Text, DueOn: a.DueOn, Side: side, By: audit.ActorFrom(ctx).Label, At: s.now()}
	if err := t.QueryRow(`INSERT INTO oversight_inspection_actions (org_id, inspection_id, kind, text, due_on, side, by_user, by_label, at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, x.ID, out.Kind, out.Text, out.DueOn, out.Side, audit.ActorFrom(ctx).UserID, out.By, out.At).Scan(&out.ID); err != nil {
		return out, fmt.Errorf("record the inspection's %s: %w", a.Kind, err)
	}
	detail := fmt.Sprintf("inspection %s: %s: %s", x.Ref, out.Kind, clip(out.Text, 200))
	if out.DueOn != "" {
		detail += " (due " + out.DueOn + ")"
	}
	if err := audit.Record(t.Tx(), x.OperatorID, "oversight_inspection", idStr(x.ID), "inspection_"+out.Kind, nil, out, detail); err != nil {
		return out, err
	}
	if err := audit.Record(t.Tx(), x.RegulatorID, "oversight_inspection", idStr(x.ID), "inspection_"+out.Kind, nil, out, detail); err != nil {
		return out, err
	}
	return out, nil
}

// RecordAction records the context department's finding, order, refusal or
// obstruction on its inspection id (open or ended).
func (s *Service) RecordAction(ctx context.Context, id int64, a NewAction) (Action, error) {
	if err := a.validate(RegulatorActions, bjDay(s.now())); err != nil {
		return Action{}, err
	}
	x, err := s.Inspection(ctx, id)
	if err != nil {
		return Action{}, err
	}
	var out Action
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = s.addAction(ctx, t, x, a, "regulator")
		return err
	})
	return out, err
}

// Respond records the context operator's response to its inspection id.
func (s *Service) Respond(ctx context.Context, id int64, text string) (Action, error) {
	a := NewAction{Kind: ActionResponse, Text: text}
	if err := a.validate([]string{ActionResponse}, bjDay(s.now())); err != nil {
		return Action{}, err
	}
	x, err := s.ReceivedInspection(ctx, id)
	if err != nil {
		return Action{}, err
	}
	var out Action
	err = s.db.WriteTenant(store.WithOrg(ctx, x.RegulatorID), func(t *store.Tenant) error {
		var err error
		out, err = s.addAction(ctx, t, x, a, "operator")
		return err
	})
	return out, err
}
