package obligations

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// editableInventory is an inventory that can also read some systems alone, as the scope
// capability does, and counts how it was read.
type editableInventory struct {
	mu      sync.Mutex
	org     rules.Org
	systems map[int64]rules.System
	full    int     // whole-inventory reads
	partial [][]int // ids of each partial read
}

func (v *editableInventory) Facts(context.Context) (rules.Org, []rules.System, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.full++
	var out []rules.System
	for _, s := range v.systems {
		out = append(out, s)
	}
	return v.org, out, nil
}

func (v *editableInventory) SystemFacts(_ context.Context, ids []int64) (rules.Org, []rules.System, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var read []int
	var out []rules.System
	for _, id := range ids {
		read = append(read, int(id))
		if s, ok := v.systems[id]; ok {
			out = append(out, s)
		}
	}
	v.partial = append(v.partial, read)
	return v.org, out, nil
}

// randomSystem is a system with every field the embedded catalog's rules read drawn at random.
func randomSystem(r *rand.Rand, id int64) rules.System {
	date := func() time.Time {
		if r.IntN(4) == 0 {
			return time.Time{}
		}
		return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -r.IntN(1200))
	}
	st := []string{"none", "candidate", "identified", "deidentified"}[r.IntN(4)]
	s := rules.System{ID: id, Name: fmt.Sprint("系统", id), Owner: "信息中心", Sector: "energy", MLPSLevel: int64(r.IntN(5)),
		GradedOn: date(), GoLive: date(), FiledOn: date(), LastMLPSTest: date(), LastSelfInspection: date(), CIIStatus: st,
		HoldsPersonalInfo: r.IntN(2) == 0, HoldsImportantData: r.IntN(3) == 0, DataStoredAbroad: r.IntN(5) == 0,
		MaintenanceAbroad: r.IntN(5) == 0}
	if r.IntN(2) == 0 {
		s.FilingNumber = "11010099999-00001"
	}
	if st == "identified" {
		s.IdentifiedOn = date()
	}
	return s
}

// TestIncrementalSummaryMatchesRecount makes 30 random changes to an organisation evaluated
// against the embedded catalog (systems edited, added and removed, reading only those
// systems; organisation facts changed): after each, the summary kept up to date from the
// differences equals the stored findings recounted from the records (counts and fine
// exposure), and at the end a fresh process's full evaluation finds nothing to write — the
// incremental path stored exactly what a from-scratch evaluation computes.
func TestIncrementalSummaryMatchesRecount(t *testing.T) {
	base, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		r := rand.New(rand.NewPCG(9, 9))
		db := storetest.Open(t, d, New().Migrations())
		inv := &editableInventory{org: rules.Org{Kind: "operator", Sectors: []string{"energy"}, IsCIIOperator: true}, systems: map[int64]rules.System{}}
		for id := int64(1); id <= 12; id++ {
			inv.systems[id] = randomSystem(r, id)
		}
		now := time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC)
		svc := NewService(db, base, inv)
		svc.now = func() time.Time { return now }
		t.Cleanup(svc.Close)
		ctx := store.WithOrg(context.Background(), 1)
		if _, err := svc.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		next := int64(13)
		for round := 0; round < 30; round++ {
			var sys int64 // the system the change names, 0 for the organisation
			inv.mu.Lock()
			switch op := r.IntN(5); {
			case op <= 1: // edit a system
				for id := range inv.systems {
					sys = id
					break
				}
				inv.systems[sys] = randomSystem(r, sys)
			case op == 2: // add one
				sys = next
				next++
				inv.systems[sys] = randomSystem(r, sys)
			case op == 3: // remove one
				for id := range inv.systems {
					sys = id
					break
				}
				delete(inv.systems, sys)
			default: // the organisation
				inv.org.IsCIIOperator = r.IntN(2) == 0
				inv.org.HasCoreData = r.IntN(2) == 0
				inv.org.HasImportantData = r.IntN(2) == 0
				inv.org.LastRiskAssessment = now.AddDate(0, 0, -r.IntN(800))
			}
			inv.mu.Unlock()
			svc.Changed(1, sys)
			if err := svc.WaitEvaluated(ctx); err != nil {
				t.Fatal(err)
			}
			if err := svc.ev.lastError(1); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			got, ok := svc.Summary(ctx)
			stored, err := svc.Findings(ctx, Filter{})
			if err != nil || !ok {
				t.Fatalf("round %d: %v %v", round, ok, err)
			}
			want := summarise(base, stored)
			got.At, want.At = time.Time{}, time.Time{}
			if got != want {
				t.Fatalf("round %d (system %d): summary kept up to date %+v, recounted from the records %+v", round, sys, got, want)
			}
		}
		inv.mu.Lock()
		if len(inv.partial) == 0 {
			t.Fatal("no change was read as its systems alone")
		}
		for _, ids := range inv.partial {
			if len(ids) != 1 {
				t.Fatalf("a partial read of %v, want the one system each change named", ids)
			}
		}
		inv.mu.Unlock()
		fresh := NewService(db, base, inv)
		fresh.now = svc.now
		t.Cleanup(fresh.Close)
		if _, err := fresh.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		if st, _ := fresh.EvaluationState(ctx); st.Last == nil || st.Last.Written != 0 || st.Last.Removed != 0 {
			t.Fatalf("a fresh full evaluation differs from what the changes stored: %+v", st.Last)
		}
	})
}
