package rules

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// planFacts is a per-system fact set as an emergency capability would declare it.
type planFacts struct {
	HasPlan   bool  `cel:"has_plan" label:"有应急预案|has an emergency plan"`
	DrillDays int64 `cel:"days_since_drill" label:"距上次演练天数|days since the last drill"`
}

var planSet = FactSet{Name: "plans", Type: reflect.TypeOf(planFacts{}), PerSystem: true}

// TestPerSystemFacts: a per-system set gives each system its own value (a system with none
// reads the zero value), reasons name that system's values, a catalog case's value is its
// system's, and an organisation rule that reads the set is refused at load.
func TestPerSystemFacts(t *testing.T) {
	e, err := NewEngine([]Rule{{ID: "S", Subject: SubjectSystem, Check: "plans.has_plan && plans.days_since_drill <= 365"}}, WithFacts(planSet))
	if err != nil {
		t.Fatal(err)
	}
	f := Facts{OrgID: "1", Now: now, Systems: []System{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}},
		SystemExtra: map[string]map[int64]any{"plans": {
			1: &planFacts{HasPlan: true, DrillDays: 30},
			2: &planFacts{HasPlan: true, DrillDays: 400},
			4: planFacts{HasPlan: false, DrillDays: 10}, // a value, not a pointer
		}}}
	fs, err := e.EvaluateAll(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct { // by hand from the values above
		id     string
		status Status
		en     string
	}{
		{"1", StatusMet, "(has an emergency plan = yes, days since the last drill = 30)"},
		{"2", StatusGap, "(has an emergency plan = yes, days since the last drill = 400)"},
		{"3", StatusGap, "(has an emergency plan = no, days since the last drill = 0)"},
		{"4", StatusGap, "(has an emergency plan = no, days since the last drill = 10)"},
	}
	if len(fs) != len(want) {
		t.Fatalf("%d findings, want %d", len(fs), len(want))
	}
	for i, w := range want {
		if fs[i].SubjectID != w.id || fs[i].Status != w.status || !strings.HasSuffix(fs[i].Reason.En, w.en) {
			t.Errorf("system %s: %s %q, want %s ending %q", fs[i].SubjectID, fs[i].Status, fs[i].Reason.En, w.status, w.en)
		}
	}
	// The incremental path binds the one system's value too.
	one, err := e.EvaluateSystem(context.Background(), f, f.Systems[1])
	if err != nil || len(one) != 1 || one[0].Status != StatusGap {
		t.Fatalf("EvaluateSystem: %+v %v", one, err)
	}
	// A catalog case: the set's values are the case's system's.
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("system: {id: 9}\nplans: {has_plan: true, days_since_drill: 3}\n"), &n); err != nil {
		t.Fatal(err)
	}
	cf, err := DecodeCaseFacts(n.Content[0], e.FactSets())
	if err != nil {
		t.Fatal(err)
	}
	fd, err := e.EvaluateRule(context.Background(), "S", cf.Facts(), cf.System)
	if err != nil || fd.Status != StatusMet {
		t.Errorf("decoded case: %s %v", fd.Status, err)
	}
	// An organisation rule cannot read a per-system set: there is no system to read it for.
	_, err = NewEngine([]Rule{{ID: "O", Subject: SubjectOrg, Check: "plans.has_plan"}}, WithFacts(planSet))
	var ce *CompileError
	if !errors.As(err, &ce) || ce.RuleID != "O" || !strings.Contains(err.Error(), "plans") {
		t.Fatalf("organisation rule reading a per-system set: %v", err)
	}
}
