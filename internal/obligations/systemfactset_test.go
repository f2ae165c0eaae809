package obligations_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"ciiguard/internal/catalog"
	"ciiguard/internal/kernel"
	"ciiguard/internal/obligations"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// drillFacts is a per-system fact set as the emergency capability declares it.
type drillFacts struct {
	HasPlan bool `cel:"has_plan" label:"有应急预案|has an emergency plan"`
}

const drillPolicy = `instrument:
  id: DRL
  title: {zh: 预案制度, en: Plan policy}
  issuer: {zh: 示例, en: Example}
  versions:
    - {id: "2026", adopted: 2026-01-01, in_force: 2026-02-01}
obligations:
  - id: DRL-PLAN
    version: "2026"
    article: "1"
    title: {zh: 每个系统有预案, en: Every system has a plan}
    summary: {zh: 预案。, en: Plans.}
    binds: [operator]
    capability: incident
    subject: system
    check: "drills.has_plan"
    cadence: continuous
    source: brief
    tests:
      - {name: planned, facts: {system: {id: 1}, drills: {has_plan: true}}, expect: met}
      - {name: unplanned, facts: {system: {id: 1}, drills: {has_plan: false}}, expect: gap}
`

// twoSystems is an inventory with systems 1 and 2.
type twoSystems struct{}

func (twoSystems) Facts(context.Context) (rules.Org, []rules.System, error) {
	return rules.Org{Kind: "operator"}, []rules.System{{ID: 1, Name: "a"}, {ID: 2, Name: "b"}}, nil
}

// TestCapabilitySystemFactSet declares a per-system fact set (kernel.NewSystemFacts): each
// system's finding reads its own value, and when one system's value changes the
// re-evaluation rewrites that system's finding alone, though the capability's change
// named no system.
func TestCapabilitySystemFactSet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		var mu sync.Mutex
		values := map[int64]drillFacts{1: {HasPlan: true}} // system 2 has no plan
		set := kernel.NewSystemFacts("drills", "plans per system", func(context.Context) (map[int64]drillFacts, error) {
			mu.Lock()
			defer mu.Unlock()
			out := map[int64]drillFacts{}
			for k, v := range values {
				out[k] = v
			}
			return out, nil
		})
		cat, err := catalog.LoadCustom(strings.NewReader(drillPolicy), "t", rules.WithFacts(set.Declare()))
		if err != nil {
			t.Fatal(err)
		}
		db := storetest.Open(t, d, obligations.New().Migrations())
		svc := obligations.NewService(db, cat, twoSystems{})
		svc.AddFactSets(set)
		t.Cleanup(svc.Close)
		ctx := store.WithOrg(context.Background(), 1)
		statuses := func() map[string]string {
			t.Helper()
			if err := svc.WaitEvaluated(ctx); err != nil {
				t.Fatal(err)
			}
			fs, err := svc.Findings(ctx, obligations.Filter{Obligation: "ORG-T-DRL-PLAN"})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, f := range fs {
				out[f.SubjectID] = string(f.Status) + " " + f.Reason.En
			}
			return out
		}
		if _, err := svc.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		got := statuses()
		if !strings.HasPrefix(got["1"], "met") || !strings.HasSuffix(got["1"], "(has an emergency plan = yes)") ||
			!strings.HasPrefix(got["2"], "gap") || !strings.HasSuffix(got["2"], "(has an emergency plan = no)") {
			t.Fatalf("first evaluation: %v", got)
		}
		mu.Lock()
		values[2] = drillFacts{HasPlan: true}
		mu.Unlock()
		svc.Changed(1, 0)
		got = statuses()
		if !strings.HasPrefix(got["2"], "met") || !strings.HasPrefix(got["1"], "met") {
			t.Fatalf("after system 2 got a plan: %v", got)
		}
		es, err := svc.EvaluationState(ctx)
		if err != nil || es.Last == nil || es.Last.Full || es.Last.Written != 1 {
			t.Fatalf("the change should rewrite system 2's one finding: %+v %v", es.Last, err)
		}
	})
}
