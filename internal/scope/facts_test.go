package scope

import (
	"reflect"
	"testing"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestSystemFactsReadsOnlyTheNamedSystems: reading two systems of the demo inventory (and one
// that does not exist, and one of another organisation) gives the same organisation facts as
// reading the whole inventory — including is_cii_operator, is_cii_candidate and the earliest
// identification date, which come from systems that were not named — and exactly the two
// systems as the whole read gives them.
func TestSystemFactsReadsOnlyTheNamedSystems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		if err := SeedDemo(f.ctx, f.svc, f.op, testNow); err != nil {
			t.Fatal(err)
		}
		peer, err := f.svc.CreateSystem(f.peerCtx, SystemInput{Name: "别家系统", Sector: "finance"})
		if err != nil {
			t.Fatal(err)
		}
		org, all, err := f.svc.Facts(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Two systems that are neither identified nor candidates, so that the organisation
		// facts derived from the systems can only come from the others.
		var named []int64
		for _, s := range all {
			if s.CIIStatus != CIIIdentified && s.CIIStatus != CIICandidate && len(named) < 2 {
				named = append(named, s.ID)
			}
		}
		if len(named) != 2 || !org.IsCIIOperator || !org.IsCIICandidate || org.CIIIdentifiedOn.IsZero() {
			t.Fatalf("the demo inventory lacks what the test needs: %v %+v", named, org)
		}
		porg, some, err := f.svc.SystemFacts(f.ctx, append(named, 999999, peer.ID))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(porg, org) {
			t.Fatalf("organisation facts of a partial read\n%+v\nwant those of the whole read\n%+v", porg, org)
		}
		if len(some) != 2 {
			t.Fatalf("%d systems read, want the 2 named ones of this organisation", len(some))
		}
		for _, s := range some {
			found := false
			for _, w := range all {
				if w.ID == s.ID {
					found = reflect.DeepEqual(w, s)
				}
			}
			if !found || (s.ID != named[0] && s.ID != named[1]) {
				t.Fatalf("system %d read as %+v, not as the whole read gives it", s.ID, s)
			}
		}
	})
}
