package obligations

import (
	"context"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestBulkPathStoresWhatUpsertsStore evaluates the same inventory (the embedded catalog, 60
// random systems) from scratch for two organisations of one store: the first has no stored
// finding, so its findings take the bulk path (COPY on PostgreSQL); the second holds a stale
// finding, so its findings are written by INSERT … ON CONFLICT and the stale one removed.
// The upsert path is the oracle: both organisations' stored findings are identical field by
// field (the organisation's own id aside), and a restarted process finds nothing to write
// for the bulk-loaded one (its fingerprints were stored too).
func TestBulkPathStoresWhatUpsertsStore(t *testing.T) {
	base, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	defer SetTxRows(500)() // several transactions, the last one short
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		db := storetest.Open(t, d, New().Migrations())
		r := rand.New(rand.NewPCG(4, 2))
		inv := &editableInventory{org: rules.Org{Kind: "operator", Sectors: []string{"energy"}, IsCIIOperator: true},
			systems: map[int64]rules.System{}}
		for id := int64(1); id <= 60; id++ {
			inv.systems[id] = randomSystem(r, id)
		}
		now := time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC)
		process := func() *Service {
			svc := NewService(db, base, inv)
			svc.now = func() time.Time { return now }
			t.Cleanup(svc.Close)
			return svc
		}
		bulk, upsert := store.WithOrg(context.Background(), 1), store.WithOrg(context.Background(), 2)
		if err := db.WriteTenant(upsert, func(t *store.Tenant) error {
			_, err := t.Exec(`INSERT INTO findings (org_id, obligation_id, subject_kind, subject_id, status, reason_zh, reason_en, penalty_id, fine_min, fine_max, evidence, attested_by, evaluated_at)
				VALUES ($1, 'STALE', 'system', '1', 'gap', '', '', '', 0, 0, '', '', $2)`, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		svc := process()
		stats := map[int64]Stats{}
		for org, ctx := range map[int64]context.Context{1: bulk, 2: upsert} {
			if _, err := svc.Evaluate(ctx); err != nil {
				t.Fatal(err)
			}
			st, _ := svc.EvaluationState(ctx)
			stats[org] = *st.Last
		}
		if want := d == store.Postgres; stats[1].Bulk != want || stats[2].Bulk {
			t.Fatalf("bulk path taken: empty organisation %v (want %v), organisation with a stored finding %v (want false)", stats[1].Bulk, want, stats[2].Bulk)
		}
		if stats[1].Written != stats[1].Evaluated || stats[1].Written < 60*30 || stats[1].Transactions < 4 {
			t.Fatalf("bulk evaluation %+v, want every finding written in several transactions", stats[1])
		}
		if stats[2].Removed != 1 {
			t.Fatalf("upsert evaluation %+v, want the stale finding removed", stats[2])
		}
		read := func(ctx context.Context, org string) []Finding {
			fs, err := svc.Findings(ctx, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			for i := range fs {
				if fs[i].SubjectKind == rules.SubjectOrg {
					if fs[i].SubjectID != org {
						t.Fatalf("organisation finding %s has subject %q, want %q", fs[i].ObligationID, fs[i].SubjectID, org)
					}
					fs[i].SubjectID = "org"
				}
			}
			sort.Slice(fs, func(i, j int) bool {
				if fs[i].ObligationID != fs[j].ObligationID {
					return fs[i].ObligationID < fs[j].ObligationID
				}
				return fs[i].SubjectID < fs[j].SubjectID
			})
			return fs
		}
		got, want := read(bulk, "1"), read(upsert, "2")
		if len(got) != stats[1].Evaluated || len(want) != len(got) {
			t.Fatalf("stored %d findings by the bulk path, %d by upserts, %d evaluated", len(got), len(want), stats[1].Evaluated)
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("finding %d differs:\nbulk   %+v\nupsert %+v", i, got[i], want[i])
			}
		}
		svc.Close()
		again := process()
		if _, err := again.Evaluate(bulk); err != nil {
			t.Fatal(err)
		}
		if st, _ := again.EvaluationState(bulk); st.Last == nil || st.Last.Written != 0 || st.Last.Removed != 0 || st.Last.Bulk {
			t.Fatalf("restart after the bulk path: %+v, want nothing written", st.Last)
		}
	})
}
