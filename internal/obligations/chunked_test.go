package obligations_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/obligations"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// gradingPolicy has one organisation duty and two system duties whose findings are easy to
// work out by hand.
const gradingPolicy = `instrument:
  id: G
  title: {zh: 定级制度, en: Grading policy}
  issuer: {zh: 示例, en: Example}
  versions:
    - {id: "2026", adopted: 2026-01-01, in_force: 2026-02-01}
obligations:
  - id: G-ORG-SEC
    version: "2026"
    title: {zh: 安全机构, en: Security organisation}
    binds: [operator]
    capability: scope
    subject: org
    check: "org.has_core_data"
    cadence: continuous
    tests:
      - {name: set up, facts: {org: {has_core_data: true}}, expect: met}
      - {name: not set up, facts: {org: {has_core_data: false}}, expect: gap}
  - id: G-GRADED
    version: "2026"
    title: {zh: 已定级, en: Graded}
    binds: [operator]
    capability: scope
    subject: system
    check: "system.mlps_level >= 1"
    cadence: continuous
    tests:
      - {name: graded, facts: {system: {mlps_level: 2}}, expect: met}
      - {name: not graded, facts: {system: {mlps_level: 0}}, expect: gap}
  - id: G-PI-LEVEL
    version: "2026"
    title: {zh: 个人信息系统三级, en: PI systems at level 3}
    binds: [operator]
    capability: scope
    subject: system
    applies: "system.holds_personal_info"
    applies_to: {zh: 存有个人信息的系统, en: systems holding personal information}
    check: "system.mlps_level >= 3"
    cadence: continuous
    tests:
      - {name: level 3, facts: {system: {holds_personal_info: true, mlps_level: 3}}, expect: met}
      - {name: level 2, facts: {system: {holds_personal_info: true, mlps_level: 2}}, expect: gap}
      - {name: no PI, facts: {system: {holds_personal_info: false}}, expect: not_applicable}
`

// inventory is a FactSource the test edits.
type inventory struct {
	mu      sync.Mutex
	org     rules.Org
	systems []rules.System
}

func (v *inventory) Facts(context.Context) (rules.Org, []rules.System, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.org, append([]rules.System(nil), v.systems...), nil
}

func (v *inventory) edit(f func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	f()
}

func gradingCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.LoadCustom(strings.NewReader(gradingPolicy), "t")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// storedFindings lists the stored findings as "obligation subject status", sorted.
func storedFindings(t *testing.T, svc *obligations.Service, ctx context.Context) []string {
	t.Helper()
	fs, err := svc.Findings(ctx, obligations.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s:%s %s", strings.TrimPrefix(f.ObligationID, "ORG-T-G-"), f.SubjectKind, f.SubjectID, f.Status))
	}
	sort.Strings(out)
	return out
}

func sameList(t *testing.T, step string, got, want []string) {
	t.Helper()
	want = append([]string(nil), want...)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s: stored findings\n%s\nwant\n%s", step, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestChunkedEvaluationStoresExactFindings evaluates a hand-built organisation of seven
// systems with transactions of four findings: the stored findings and the summary are
// exactly those worked out by hand, in ceil(15/4) = 4 transactions. A restarted process
// (a new service on the same records) compares with the stored fingerprints and writes
// nothing; another, after a system was removed, an obligation dropped from the records'
// catalog and the organisation fact changed, removes exactly the stale findings and writes
// the changed one.
func TestChunkedEvaluationStoresExactFindings(t *testing.T) {
	defer obligations.SetTxRows(4)()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		db := storetest.Open(t, d, obligations.New().Migrations())
		cat := gradingCatalog(t)
		ctx := store.WithOrg(context.Background(), 1)
		inv := &inventory{org: rules.Org{Kind: "operator"}}
		for i, s := range []struct {
			level int64
			pi    bool
		}{{3, true}, {0, true}, {2, false}, {4, false}, {1, true}, {0, false}, {3, true}} {
			inv.systems = append(inv.systems, rules.System{ID: int64(i + 1), Name: fmt.Sprint("系统", i+1), MLPSLevel: s.level, HoldsPersonalInfo: s.pi})
		}
		process := func() *obligations.Service {
			svc := obligations.NewService(db, cat, inv)
			t.Cleanup(svc.Close)
			return svc
		}
		svc := process()
		run, err := svc.Evaluate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// By hand: level ≥ 1 is graded; a PI system needs level 3; without PI, not applicable.
		want := []string{
			"ORG-SEC org:1 gap",
			"GRADED system:1 met", "PI-LEVEL system:1 met",
			"GRADED system:2 gap", "PI-LEVEL system:2 gap",
			"GRADED system:3 met", "PI-LEVEL system:3 not_applicable",
			"GRADED system:4 met", "PI-LEVEL system:4 not_applicable",
			"GRADED system:5 met", "PI-LEVEL system:5 gap",
			"GRADED system:6 gap", "PI-LEVEL system:6 not_applicable",
			"GRADED system:7 met", "PI-LEVEL system:7 met",
		}
		sameList(t, "first evaluation", storedFindings(t, svc, ctx), want)
		if run.Met != 7 || run.Gap != 5 || run.NotApplicable != 3 {
			t.Fatalf("summary %+v, want 7 met, 5 gaps, 3 not applicable", run)
		}
		st, _ := svc.EvaluationState(ctx)
		if st.Last == nil || st.Last.Written != 15 || st.Last.Transactions != 4 {
			t.Fatalf("first evaluation %+v, want 15 findings written in 4 transactions", st.Last)
		}

		// An edit in the running process: system 2 reaches level 3.
		inv.edit(func() { inv.systems[1].MLPSLevel = 3 })
		svc.Changed(1, 2)
		if err := svc.WaitEvaluated(ctx); err != nil {
			t.Fatal(err)
		}
		want[3], want[4] = "GRADED system:2 met", "PI-LEVEL system:2 met"
		sameList(t, "after the edit", storedFindings(t, svc, ctx), want)

		// A restarted process with the same facts writes nothing.
		svc.Close()
		svc = process()
		if run, err = svc.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		st, _ = svc.EvaluationState(ctx)
		if st.Last == nil || !st.Last.Full || st.Last.Written != 0 || st.Last.Removed != 0 {
			t.Fatalf("restart with the same facts: %+v, want a full evaluation that writes and removes nothing", st.Last)
		}
		if run.Met != 9 || run.Gap != 3 || run.NotApplicable != 3 {
			t.Fatalf("summary after the restart %+v, want 9 met, 3 gaps, 3 not applicable", run)
		}
		sameList(t, "after the restart", storedFindings(t, svc, ctx), want)

		// While no process runs: system 7 is removed, the organisation now declares core
		// data, and the records hold a finding of an obligation the catalog dropped.
		svc.Close()
		inv.edit(func() {
			inv.systems = inv.systems[:6]
			inv.org.HasCoreData = true
		})
		err = db.WriteTenant(ctx, func(t *store.Tenant) error {
			_, err := t.Exec(`INSERT INTO findings (org_id, obligation_id, subject_kind, subject_id, status, reason_zh, reason_en, penalty_id, fine_min, fine_max, evidence, attested_by, evaluated_at)
				VALUES ($1, 'ORG-T-G-DROPPED', 'system', '1', 'gap', '', '', '', 0, 0, '', '', $2)`, time.Now().UTC())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		svc = process()
		if run, err = svc.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		st, _ = svc.EvaluationState(ctx)
		if st.Last == nil || st.Last.Written != 1 || st.Last.Removed != 2 {
			t.Fatalf("restart after the changes: %+v, want the organisation finding written, system 7 and the dropped obligation removed", st.Last)
		}
		want = append(want[:len(want)-2], "ORG-SEC org:1 met")[1:]
		sameList(t, "after the second restart", storedFindings(t, svc, ctx), want)
		if run.Met != 8 || run.Gap != 2 || run.NotApplicable != 3 {
			t.Fatalf("summary after the second restart %+v, want 8 met, 2 gaps, 3 not applicable", run)
		}
	})
}

// TestLongEvaluationLetsOthersWrite runs a from-scratch evaluation of 3,000 systems (6,001
// findings) in transactions of 200 findings while another organisation writes all along:
// the other writer never waits for more than a fraction of the evaluation's write, and gets
// its turn between the batches. Stored in one transaction (as before), the other writer waited
// for the whole write (SQLite has one writer).
func TestLongEvaluationLetsOthersWrite(t *testing.T) {
	defer obligations.SetTxRows(200)()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		db := storetest.Open(t, d, obligations.New().Migrations())
		inv := &inventory{org: rules.Org{Kind: "operator"}}
		for i := 1; i <= 3000; i++ {
			inv.systems = append(inv.systems, rules.System{ID: int64(i), Name: fmt.Sprint("系统", i), MLPSLevel: int64(i % 5), HoldsPersonalInfo: i%2 == 0})
		}
		svc := obligations.NewService(db, gradingCatalog(t), inv)
		t.Cleanup(svc.Close)

		type write struct{ start, end time.Time }
		var (
			writes []write
			stop   = make(chan struct{})
			done   = make(chan error, 1)
		)
		other := store.WithOrg(context.Background(), 2)
		insert := func(t0 time.Time) error {
			return db.WriteTenant(other, func(t *store.Tenant) error {
				_, err := t.Exec(`INSERT INTO finding_runs (org_id, at, met, gap, overdue, not_applicable, needs_attestation, fine_min, fine_max) VALUES ($1, $2, 0, 0, 0, 0, 0, 0, 0)`, t0.UTC())
				return err
			})
		}
		// One write before the evaluation, so the writer's first (a new connection: 116 ms
		// on a loaded machine, against a 75 ms write phase) is not taken for a wait.
		if err := insert(time.Now()); err != nil {
			t.Fatal(err)
		}
		go func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					done <- nil
					return
				default:
				}
				t0 := time.Now()
				if err := insert(t0); err != nil {
					done <- err
					return
				}
				writes = append(writes, write{t0, time.Now()})
				time.Sleep(2 * time.Millisecond)
			}
		}()
		ctx := store.WithOrg(context.Background(), 1)
		if _, err := svc.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		end := time.Now()
		close(stop)
		if err := <-done; err != nil {
			t.Fatalf("the other organisation's write failed: %v", err)
		}
		st, _ := svc.EvaluationState(ctx)
		if st.Last == nil || st.Last.Written != 6001 || st.Last.Transactions != 31 {
			t.Fatalf("evaluation %+v, want 6,001 findings in 31 transactions", st.Last)
		}
		w := time.Duration(st.Last.WriteMS * float64(time.Millisecond))
		from := end.Add(-w)
		var longest time.Duration
		during := 0
		for _, x := range writes {
			if x.end.Sub(x.start) > longest {
				longest = x.end.Sub(x.start)
			}
			if x.end.After(from) && x.end.Before(end) {
				during++
			}
		}
		t.Logf("%s: write phase %v in %d transactions; the other writer: %d writes, %d during the phase, longest wait %v", d, w, st.Last.Transactions, len(writes), during, longest)
		// A writer held for the whole phase was blocked by it; a wait shorter than the phase
		// is a commit under load (30 ms on PostgreSQL against a 58 ms phase, once).
		if longest >= w || longest > 2*time.Second {
			t.Fatalf("the other organisation's write waited %v during an evaluation whose write took %v", longest, w)
		}
		if during < 2 {
			t.Fatalf("only %d of the other organisation's writes committed during the evaluation's write (%v)", during, w)
		}
	})
}
