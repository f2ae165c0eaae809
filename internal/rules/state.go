package rules

import (
	"context"
	"errors"
	"reflect"
	"sort"
)

// State keeps the findings of one organisation between changes so that a change costs only
// what it touches: a changed system re-evaluates that system's obligations; a changed
// organisation re-evaluates the organisation's obligations plus the system obligations whose
// expressions read an organisation field that actually changed (found by walking each
// expression once at load). A State is not safe for concurrent use; the caller serialises
// updates per organisation.
type State struct {
	e       *Engine
	facts   Facts // Systems is not kept here; see systems
	org     []Finding
	systems map[int64]System
	bySys   map[int64][]Finding
}

// NewState evaluates everything once and keeps the result.
func (e *Engine) NewState(ctx context.Context, f Facts) (*State, error) {
	st := &State{e: e, systems: map[int64]System{}, bySys: map[int64][]Finding{}}
	st.facts = f
	st.facts.Systems = nil
	for _, s := range f.Systems {
		st.systems[s.ID] = s
	}
	all, err := e.EvaluateAll(ctx, f)
	n := len(e.orgRules)
	st.org = all[:n:n]
	// EvaluateAll emits systems in ascending id order (stable for equal ids), one block of
	// len(sysRules) findings each; a later duplicate id replaces an earlier one, as in the map.
	ids := make([]int64, len(f.Systems))
	for i, s := range f.Systems {
		ids[i] = s.ID
	}
	sort.SliceStable(ids, func(i, j int) bool { return ids[i] < ids[j] })
	k := len(e.sysRules)
	for j, id := range ids {
		st.bySys[id] = all[n+j*k : n+(j+1)*k : n+(j+1)*k]
	}
	return st, err
}

// Findings returns all current findings in EvaluateAll's order.
func (st *State) Findings() []Finding {
	ids := make([]int64, 0, len(st.bySys))
	for id := range st.bySys {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]Finding, 0, len(st.org)+len(ids)*len(st.e.sysRules))
	out = append(out, st.org...)
	for _, id := range ids {
		out = append(out, st.bySys[id]...)
	}
	return out
}

// UpdateSystem adds or replaces one system and returns its new findings.
func (st *State) UpdateSystem(ctx context.Context, sys System) ([]Finding, error) {
	st.systems[sys.ID] = sys
	fs, err := st.e.EvaluateSystem(ctx, st.facts, sys)
	st.bySys[sys.ID] = fs
	return fs, err
}

// RemoveSystem drops a system and its findings.
func (st *State) RemoveSystem(id int64) {
	delete(st.systems, id)
	delete(st.bySys, id)
}

// UpdateOrg replaces the organisation's facts and re-evaluates what depends on the fields
// that changed. It returns how many findings were recomputed.
func (st *State) UpdateOrg(ctx context.Context, org Org) (int, error) {
	changed := changedFields(st.facts.Org, org, st.e.fieldIdx[orgType])
	st.facts.Org = org
	if len(changed) == 0 {
		return 0, nil
	}
	var errs []error
	org2, err := st.e.EvaluateOrg(ctx, st.facts)
	st.org = org2
	if err != nil {
		errs = append(errs, err)
	}
	n := len(org2)
	// System rules that read a changed org field.
	var idx []int
	for i, c := range st.e.sysRules {
		for f := range changed {
			if c.orgFields[f] {
				idx = append(idx, i)
				break
			}
		}
	}
	if len(idx) == 0 {
		return n, errors.Join(errs...)
	}
	ctx, cancel := st.e.withTimeout(ctx)
	defer cancel()
	scope := st.e.newScope(&st.facts)
	subset := make([]*compiled, len(idx))
	for j, i := range idx {
		subset[j] = st.e.sysRules[i]
	}
	for id, sys := range st.systems {
		fs, es := st.e.evalSystem(ctx, scope, &sys, subset, nil, nil)
		errs = append(errs, es...)
		cur := st.bySys[id]
		for j, i := range idx {
			cur[i] = fs[j]
		}
		n += len(fs)
	}
	return n, errors.Join(errs...)
}

// UpdateAttestations replaces the attestations on file and re-evaluates every attestation duty.
func (st *State) UpdateAttestations(ctx context.Context, atts []Attestation) error {
	st.facts.Attestations = atts
	org, err := st.e.EvaluateOrg(ctx, st.facts)
	st.org = org
	errs := []error{err}
	for id, sys := range st.systems {
		fs, err := st.e.EvaluateSystem(ctx, st.facts, sys)
		st.bySys[id] = fs
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func changedFields(a, b Org, idx map[string]int) map[string]bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	out := map[string]bool{}
	for name, i := range idx {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out[name] = true
		}
	}
	return out
}
