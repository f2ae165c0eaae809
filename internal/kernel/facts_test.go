package kernel_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"ciiguard/internal/kernel"
)

type sysPlan struct {
	HasPlan bool `cel:"has_plan"`
}

// TestSystemFacts: a per-system set declares itself PerSystem with its struct type, and
// fills a map from system id to a pointer to each system's own value (not one shared
// variable); a failure names the set.
func TestSystemFacts(t *testing.T) {
	set := kernel.NewSystemFacts("plans", "plans", func(context.Context) (map[int64]sysPlan, error) {
		return map[int64]sysPlan{3: {HasPlan: true}, 5: {HasPlan: false}}, nil
	})
	d := set.Declare()
	if d.Name != "plans" || !d.PerSystem || d.Type != reflect.TypeOf(sysPlan{}) {
		t.Fatalf("declared %+v", d)
	}
	v, err := set.Fill(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(map[int64]any)
	if !ok || len(m) != 2 {
		t.Fatalf("filled %#v", v)
	}
	if p, ok := m[3].(*sysPlan); !ok || !p.HasPlan {
		t.Errorf("system 3: %#v", m[3])
	}
	if p, ok := m[5].(*sysPlan); !ok || p.HasPlan {
		t.Errorf("system 5: %#v", m[5])
	}
	if kernel.NewFacts("o", "", func(context.Context) (sysPlan, error) { return sysPlan{}, nil }).Declare().PerSystem {
		t.Error("an organisation set declared per system")
	}
	bad := kernel.NewSystemFacts("plans", "", func(context.Context) (map[int64]sysPlan, error) { return nil, errors.New("db down") })
	if _, err := bad.Fill(context.Background()); err == nil || err.Error() != "fact set plans: db down" {
		t.Errorf("failure: %v", err)
	}
}
