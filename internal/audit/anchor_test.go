package audit

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// memLog keeps anchors in memory: the audit package's side of the contract is tested here,
// the vault's in internal/logs and the whole path in cmd/ciiguard.
type memLog struct {
	mu      sync.Mutex
	anchors []Anchor
}

func (l *memLog) AppendAnchors(_ context.Context, as []Anchor) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.anchors = append(l.anchors, as...)
	return nil
}

func (l *memLog) Anchors(context.Context) ([]Anchor, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Anchor(nil), l.anchors...), nil
}

// rewrite changes the stored entries with edit and, like an attacker who knows the
// format, recomputes every link and hash after them and moves the head.
func rewrite(t *testing.T, db *store.DB, edit func(e *Entry)) {
	t.Helper()
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT ` + entryColumns + ` FROM audit_log ORDER BY seq`)
		if err != nil {
			return err
		}
		var es []Entry
		for rows.Next() {
			e, err := scanEntry(rows.Scan)
			if err != nil {
				return err
			}
			es = append(es, e)
		}
		rows.Close()
		prev := ""
		for i := range es {
			e := &es[i]
			edit(e)
			e.PrevHash = prev
			e.Hash = chainHash(e)
			prev = e.Hash
			if _, err := tx.Exec(`UPDATE audit_log SET org_id = $1, detail = $2, prev_hash = $3, hash = $4 WHERE seq = $5`, e.OrgID, e.Detail, e.PrevHash, e.Hash, e.Seq); err != nil {
				return err
			}
		}
		_, err = tx.Exec(`UPDATE audit_head SET hash = $1 WHERE id = 1`, prev)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func exec(t *testing.T, db *store.DB, sql ...string) {
	t.Helper()
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		for _, s := range sql {
			if _, err := tx.Exec(s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAnchorsNameTruncationAndRewriting: six entries of two organisations, anchored after
// the fourth and the sixth; each attack on the database is named by VerifyAnchored, with
// the entry a reader should look at, while the chain-only Verify passes the attacks that
// re-chain consistently.
func TestAnchorsNameTruncationAndRewriting(t *testing.T) {
	cases := []struct {
		name      string
		attack    func(t *testing.T, db *store.DB)
		chainOnly bool   // whether Verify (the chain alone) still passes
		wantSeq   int64  // 0: intact
		wantIn    string // in the reason
	}{
		{"intact", func(*testing.T, *store.DB) {}, true, 0, ""},
		{"newest three deleted, head rewound", func(t *testing.T, db *store.DB) {
			exec(t, db, `DELETE FROM audit_log WHERE seq > 4`, `UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4) WHERE id = 1`)
		}, true, 5, "the trail ends at entry 4, but the vault anchored entry 6"},
		{"cut back before the first anchors", func(t *testing.T, db *store.DB) {
			exec(t, db, `DELETE FROM audit_log WHERE seq > 2`, `UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2) WHERE id = 1`)
		}, true, 3, "the trail ends at entry 2, but the vault anchored entry 6"},
		{"entry 2 rewritten and re-chained", func(t *testing.T, db *store.DB) {
			rewrite(t, db, func(e *Entry) {
				if e.Seq == 2 {
					e.Detail = "nothing happened"
				}
			})
		}, true, 3, "differs from the one anchored"},
		{"newest entry moved to another organisation and re-chained", func(t *testing.T, db *store.DB) {
			rewrite(t, db, func(e *Entry) {
				if e.Seq == 6 {
					e.OrgID = 2
				}
			})
		}, true, 6, "differs from the one anchored"},
		{"entry 5 edited in place", func(t *testing.T, db *store.DB) {
			exec(t, db, `UPDATE audit_log SET detail = 'x' WHERE seq = 5`)
		}, false, 5, "edited"},
	}
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ctx := WithActor(context.Background(), Actor{Label: "test"})
				db := storetest.Open(t, d, Migrations)
				log := &memLog{}
				clock := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
				an := NewAnchorer(db, log, func() time.Time { return clock })
				record := func(org int64) {
					if err := db.Write(ctx, func(tx *store.Tx) error {
						return Record(tx, org, "thing", "1", Update, nil, nil, "change")
					}); err != nil {
						t.Fatal(err)
					}
				}
				anchor := func(want int) {
					if n, err := an.Once(ctx); err != nil || n != want {
						t.Fatalf("anchor: %d anchors, %v; want %d", n, err, want)
					}
				}
				anchor(0) // empty trail: nothing to anchor
				for _, org := range []int64{1, 2, 1, 2} {
					record(org)
				}
				anchor(2) // organisation 1 at entry 3, organisation 2 at entry 4
				anchor(0) // unchanged
				record(1)
				record(1)
				clock = clock.Add(time.Minute)
				anchor(1) // organisation 1 at entry 6
				record(0) // no organisation: nothing to anchor it in
				anchor(0)
				as, _ := log.Anchors(ctx)
				if len(as) != 3 {
					t.Fatalf("anchors: %+v", as)
				}
				if got := [3][2]int64{{as[0].OrgID, as[0].Seq}, {as[1].OrgID, as[1].Seq}, {as[2].OrgID, as[2].Seq}}; got != [3][2]int64{{1, 3}, {2, 4}, {1, 6}} {
					t.Fatalf("anchors: %v", got)
				}

				c.attack(t, db)
				_, chainErr := Verify(ctx, db)
				if (chainErr == nil) != c.chainOnly {
					t.Errorf("chain-only verify: %v, want passing %v", chainErr, c.chainOnly)
				}
				_, err := VerifyAnchored(ctx, db, as)
				if c.wantSeq == 0 {
					if err != nil {
						t.Fatalf("intact trail: %v", err)
					}
					return
				}
				b, ok := err.(*Break)
				if !ok || b.Seq != c.wantSeq || !strings.Contains(b.Reason, c.wantIn) {
					t.Fatalf("got %v, want a break at entry %d saying %q", err, c.wantSeq, c.wantIn)
				}
			})
		}
	})
}
