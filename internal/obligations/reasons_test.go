package obligations

import (
	"context"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestReasonsStoredOnce evaluates 40 random systems against the embedded catalog on each
// engine and checks the stored rows against the rules engine's own findings for the same
// facts (the oracle): every distinct reason is one row of finding_reasons, no finding row
// holds reason text, and the list shows each finding with the engine's reason. A finding
// stored before reasons moved (text inline, reason_id 0) is still listed with its text.
// After the organisation stops being a telecom operator, an evaluation of everything
// leaves exactly the reasons the new findings name.
func TestReasonsStoredOnce(t *testing.T) {
	base, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		db := storetest.Open(t, d, New().Migrations())
		r := rand.New(rand.NewPCG(9, 9))
		inv := &editableInventory{org: rules.Org{Kind: "operator", Sectors: []string{"energy"}, IsCIIOperator: true, IsTelecomOperator: true},
			systems: map[int64]rules.System{}}
		for id := int64(1); id <= 40; id++ {
			inv.systems[id] = randomSystem(r, id)
		}
		now := time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC)
		svc := NewService(db, base, inv)
		svc.now = func() time.Time { return now }
		t.Cleanup(svc.Close)
		ctx := store.WithOrg(context.Background(), 1)

		// oracle evaluates the inventory with the engine alone: the reason of each finding.
		oracle := func() map[rules.SubjectKey]rules.Text {
			org, systems, _ := inv.Facts(ctx)
			fs, err := base.Engine().EvaluateAll(ctx, rules.Facts{Org: org, Systems: systems, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			out := map[rules.SubjectKey]rules.Text{}
			for i := range fs {
				out[fs[i].Key()] = fs[i].Reason
			}
			return out
		}
		distinct := func(m map[rules.SubjectKey]rules.Text) int {
			seen := map[rules.Text]bool{}
			for _, r := range m {
				seen[r] = true
			}
			return len(seen)
		}
		count := func(q string) int {
			var n int
			if err := db.ReadTenant(ctx, func(t *store.Tenant) error { return t.QueryRow(q).Scan(&n) }); err != nil {
				t.Fatal(err)
			}
			return n
		}
		listed := func() map[rules.SubjectKey]rules.Text {
			fs, err := svc.Findings(ctx, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[rules.SubjectKey]rules.Text{}
			for i := range fs {
				out[fs[i].Key()] = fs[i].Reason
			}
			return out
		}
		same := func(step string, got, want map[rules.SubjectKey]rules.Text) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("%s: %d findings listed, the engine has %d", step, len(got), len(want))
			}
			var bad []string
			for k, w := range want {
				if got[k] != w {
					bad = append(bad, k.Obligation)
				}
			}
			sort.Strings(bad)
			if len(bad) > 0 {
				t.Fatalf("%s: %d findings listed with another reason than the engine's, first %s: %q, want %q", step, len(bad), bad[0], got[rules.SubjectKey{Obligation: bad[0]}], want[rules.SubjectKey{Obligation: bad[0]}])
			}
		}

		if _, err := svc.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		want := oracle()
		if n, w := count(`SELECT COUNT(*) FROM finding_reasons WHERE org_id = $1`), distinct(want); n != w {
			t.Errorf("%d reasons stored, want the %d distinct reasons of %d findings", n, w, len(want))
		}
		if n := count(`SELECT COUNT(*) FROM findings WHERE org_id = $1 AND (reason_zh <> '' OR reason_en <> '' OR reason_id = 0)`); n != 0 {
			t.Errorf("%d finding rows hold their reason's text or no reason id, want none", n)
		}
		same("first evaluation", listed(), want)

		// A finding stored before reasons moved keeps its text inline.
		if err := db.WriteTenant(ctx, func(t *store.Tenant) error {
			_, err := t.Exec(`UPDATE findings SET reason_id = 0, reason_zh = '旧的理由', reason_en = 'the old reason' WHERE org_id = $1 AND subject_kind = 'org' AND obligation_id = $2`, base.Obligations[0].ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		k0, inline := rules.SubjectKey{Obligation: base.Obligations[0].ID}, rules.Text{Zh: "旧的理由", En: "the old reason"}
		if base.Obligations[0].Subject != string(rules.SubjectOrg) {
			t.Fatalf("the catalog's first obligation %s is not an organisation duty", k0.Obligation)
		}
		first := want[k0]
		want[k0] = inline
		same("with a finding stored before", listed(), want)

		// Ten system duties bind telecom operators only: their reasons change for every system.
		inv.mu.Lock()
		inv.org.IsTelecomOperator = false
		inv.mu.Unlock()
		svc.Changed(1, 0)
		if err := svc.WaitEvaluated(ctx); err != nil {
			t.Fatal(err)
		}
		if err := svc.ev.lastError(1); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		want = oracle()
		if n, w := count(`SELECT COUNT(*) FROM finding_reasons WHERE org_id = $1`), distinct(want); n != w {
			t.Errorf("after the profile change and an evaluation of everything: %d reasons stored, want the %d the findings name", n, w)
		}
		if want[k0] == first {
			want[k0] = inline // unchanged, so not rewritten
		}
		same("after the profile change", listed(), want)
	})
}
