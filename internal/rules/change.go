package rules

import (
	"context"
	"errors"
	"reflect"
	"strconv"
)

// Change says what changed in an organisation's facts since its findings were last computed,
// so that EvaluateChanges evaluates only what the change can affect.
type Change struct {
	Org          map[string]bool // organisation fields (CEL names) whose value changed
	Sets         map[string]bool // registered fact sets whose value changed
	Systems      map[int64]bool  // systems added or changed: all their obligations are evaluated
	Attestations bool            // the attestations on file changed
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool {
	return len(c.Org) == 0 && len(c.Sets) == 0 && len(c.Systems) == 0 && !c.Attestations
}

// ChangedOrgFields lists the organisation fields, by CEL name, whose values differ.
func ChangedOrgFields(a, b Org) map[string]bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	out := map[string]bool{}
	for name, i := range orgFieldIndex {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out[name] = true
		}
	}
	return out
}

var orgFieldIndex = celFieldIndex(orgType)

// affectedBy reports whether the rule reads anything the change touched (for a subject whose
// own facts did not change).
func (c *compiled) affectedBy(ch Change) bool {
	for f := range ch.Org {
		if c.orgFields[f] {
			return true
		}
	}
	for s := range ch.Sets {
		if c.setsRead[s] {
			return true
		}
	}
	return ch.Attestations && c.Attestation != nil
}

// EvaluateChanges evaluates what a change can affect, using what each rule reads (found when
// it was compiled): every organisation obligation (they are few and may read anything), every
// obligation of the changed systems, and, for every other system, only the obligations that
// read a changed organisation field or fact set, or take attestations when those changed.
// The findings come in EvaluateAll's order; failures are reported as EvaluateAll does.
// Findings of systems that were removed are the caller's to drop.
func (e *Engine) EvaluateChanges(ctx context.Context, f Facts, ch Change) ([]Finding, error) {
	var some []*compiled
	for _, c := range e.sysRules {
		if c.affectedBy(ch) {
			some = append(some, c)
		}
	}
	n := len(e.orgRules) + len(ch.Systems)*len(e.sysRules)
	if len(some) > 0 {
		n += len(f.Systems) * len(some)
	}
	ctx, cancel := e.withTimeout(ctx, n)
	defer cancel()
	s := e.newScope(&f)
	out := make([]Finding, 0, n)
	var errs []error
	out, errs = e.evalOrg(ctx, s, out, errs)
	for _, i := range systemOrder(f.Systems) {
		sys := &f.Systems[i]
		switch {
		case ch.Systems[sys.ID]:
			out, errs = e.evalSystem(ctx, s, sys, e.sysRules, out, errs)
		case len(some) > 0:
			out, errs = e.evalSystem(ctx, s, sys, some, out, errs)
		}
	}
	return out, errors.Join(errs...)
}

// SubjectKey identifies a finding: the obligation and the subject (0 for the organisation,
// else the system id).
type SubjectKey struct {
	Obligation string
	System     int64
}

// Key returns the finding's key.
func (f *Finding) Key() SubjectKey {
	if f.SubjectKind != SubjectSystem {
		return SubjectKey{Obligation: f.ObligationID}
	}
	id, _ := strconv.ParseInt(f.SubjectID, 10, 64)
	return SubjectKey{Obligation: f.ObligationID, System: id}
}
