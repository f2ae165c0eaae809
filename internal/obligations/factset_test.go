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

// incidentFacts is a fact set as an incidents capability would declare it.
type incidentFacts struct {
	OpenMajor int64 `cel:"open_major" label:"未结重大事件数|open major incidents"`
	Reported  bool  `cel:"reported" label:"已按时报告|reported in time"`
}

const incidentPolicy = `instrument:
  id: INC
  title: {zh: 事件制度, en: Incident policy}
  issuer: {zh: 示例, en: Example}
  versions:
    - {id: "2026", adopted: 2026-01-01, in_force: 2026-02-01}
obligations:
  - id: INC-NONE-OPEN
    version: "2026"
    article: "1"
    title: {zh: 无未结重大事件, en: No open major incident}
    summary: {zh: 重大事件须结案。, en: Major incidents are closed.}
    binds: [operator]
    capability: incident
    subject: org
    check: "incidents.open_major == 0 && incidents.reported"
    cadence: continuous
    source: brief
    tests:
      - name: closed
        facts: {incidents: {open_major: 0, reported: true}}
        expect: met
      - name: open
        facts: {incidents: {open_major: 2, reported: true}}
        expect: gap
  - id: INC-PI
    version: "2026"
    article: "2"
    title: {zh: 个人信息, en: Personal information}
    summary: {zh: 个人信息。, en: Personal information.}
    binds: [operator]
    capability: vault
    subject: org
    check: "org.pi_subjects >= 180"
    cadence: continuous
    source: brief
    tests:
      - name: kept
        facts: {org: {pi_subjects: 180}}
        expect: met
      - name: short
        facts: {org: {pi_subjects: 1}}
        expect: gap
`

// orgOnly is an inventory without systems.
type orgOnly struct{}

func (orgOnly) Facts(context.Context) (rules.Org, []rules.System, error) {
	return rules.Org{Kind: "operator", PISubjects: 200}, nil, nil
}

// TestCapabilityFactSet declares a fact set the way a capability does (kernel.NewFacts),
// writes a rule that reads it, and evaluates two organisations: each gets its own values,
// the reason names the facts by their labels in both languages, and a change of one
// organisation's value re-evaluates that organisation's rule that reads the set.
func TestCapabilityFactSet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		var mu sync.Mutex
		values := map[int64]incidentFacts{1: {OpenMajor: 0, Reported: true}, 2: {OpenMajor: 3, Reported: true}}
		set := kernel.NewFacts("incidents", "open incidents", func(ctx context.Context) (incidentFacts, error) {
			org, _ := store.OrgFrom(ctx)
			mu.Lock()
			defer mu.Unlock()
			return values[org], nil
		})
		cat, err := catalog.LoadCustom(strings.NewReader(incidentPolicy), "t", rules.WithFacts(set.Declare()))
		if err != nil {
			t.Fatal(err)
		}
		db := storetest.Open(t, d, obligations.New().Migrations())
		svc := obligations.NewService(db, cat, orgOnly{})
		svc.AddFactSets(set)
		t.Cleanup(svc.Close)
		status := func(org int64) (rules.Status, rules.Text) {
			t.Helper()
			ctx := store.WithOrg(context.Background(), org)
			if err := svc.WaitEvaluated(ctx); err != nil {
				t.Fatal(err)
			}
			fs, err := svc.Findings(ctx, obligations.Filter{Obligation: "ORG-T-INC-NONE-OPEN"})
			if err != nil || len(fs) != 1 {
				t.Fatalf("org %d: %d findings, %v", org, len(fs), err)
			}
			return fs[0].Status, fs[0].Reason
		}
		for _, org := range []int64{1, 2} {
			if _, err := svc.Evaluate(store.WithOrg(context.Background(), org)); err != nil {
				t.Fatal(err)
			}
		}
		want := []struct {
			org    int64
			st     rules.Status
			en, zh string
		}{ // by hand from the values above
			{1, rules.StatusMet, "(open major incidents = 0, reported in time = yes)", "（未结重大事件数 = 0，已按时报告 = 是）"},
			{2, rules.StatusGap, "(open major incidents = 3, reported in time = yes)", "（未结重大事件数 = 3，已按时报告 = 是）"},
		}
		for _, w := range want {
			st, reason := status(w.org)
			if st != w.st || !strings.HasSuffix(reason.En, w.en) || !strings.Contains(reason.Zh, w.zh) {
				t.Errorf("org %d: %s %+v, want %s naming %s", w.org, st, reason, w.st, w.en)
			}
		}
		// Organisation 1 opens an incident: its capability reports a change.
		mu.Lock()
		values[1] = incidentFacts{OpenMajor: 1, Reported: false}
		mu.Unlock()
		svc.Changed(1, 0)
		st, reason := status(1)
		if st != rules.StatusGap || !strings.HasSuffix(reason.En, "(open major incidents = 1, reported in time = no)") {
			t.Fatalf("after the change: %s %s", st, reason.En)
		}
		es, err := svc.EvaluationState(store.WithOrg(context.Background(), 1))
		if err != nil || es.Last == nil || es.Last.Full || es.Last.Written != 1 {
			t.Fatalf("the change should write the one finding that reads the set: %+v %v", es.Last, err)
		}
		if st, _ := status(2); st != rules.StatusGap {
			t.Fatalf("organisation 2 changed with organisation 1: %s", st)
		}
	})
}

// TestFactSetNames: a fact set cannot take a name the rule language reserves.
func TestFactSetNames(t *testing.T) {
	for _, name := range []string{"org", "system", "now", ""} {
		err := kernel.RegisterFactSets(kernel.NewFacts(name, "", func(context.Context) (incidentFacts, error) { return incidentFacts{}, nil }))
		if err == nil {
			t.Errorf("fact set %q registered", name)
		}
	}
	if err := kernel.RegisterFactSets(kernel.NewFacts("n", "", func(context.Context) (int, error) { return 0, nil })); err == nil {
		t.Error("a fact set of a non-struct type registered")
	}
}
