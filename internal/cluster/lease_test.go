package cluster

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// clock is a hand-moved clock shared by the nodes of a test.
type clock struct{ ms atomic.Int64 }

func (c *clock) now() time.Time      { return time.UnixMilli(c.ms.Load()) }
func (c *clock) add(d time.Duration) { c.ms.Add(d.Milliseconds()) }
func newClock() *clock               { c := &clock{}; c.ms.Store(1_800_000_000_000); return c }
func at(c *clock) func() time.Time   { return c.now }
func leasesOf(db *store.DB, node string, c *clock) *Leases {
	l := NewLeases(db, node)
	if c != nil {
		l.now = at(c)
	}
	return l
}

// openNodes opens n separate pools on one new store, as n processes would, migrated.
func openNodes(t testing.TB, d store.Dialect, n int) []*store.DB {
	t.Helper()
	dsn := storetest.DSN(t, d)
	var dbs []*store.DB
	for i := 0; i < n; i++ {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if i == 0 {
			if _, err := db.Migrate(Migrations); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SQL().Exec(`CREATE TABLE fenced_writes (writer TEXT NOT NULL, token BIGINT NOT NULL)`); err != nil {
				t.Fatal(err)
			}
		}
		dbs = append(dbs, db)
	}
	return dbs
}

// write is a durable write under le: the fencing check, then the row, in one transaction.
func write(ctx context.Context, l *Leases, db *store.DB, le Lease) error {
	return db.Write(ctx, func(tx *store.Tx) error {
		if err := l.Check(tx, le); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO fenced_writes (writer, token) VALUES ($1, $2)`, le.Holder, le.Token)
		return err
	})
}

func TestLeaseTwoContendersAndAnExpiredHolder(t *testing.T) {
	for _, d := range storetest.Engines {
		t.Run(string(d), func(t *testing.T) {
			storetest.Require(t, d)
			ctx := context.Background()
			dbs := openNodes(t, d, 2)
			c := newClock()
			a, b := leasesOf(dbs[0], "node-a", c), leasesOf(dbs[1], "node-b", c)
			ttl := 10 * time.Second

			la, err := a.Acquire(ctx, "vault:1", ttl)
			if err != nil {
				t.Fatal(err)
			}
			if la.Token != 1 {
				t.Fatalf("first acquisition: token %d, want 1", la.Token)
			}
			var held *HeldError
			if _, err := b.Acquire(ctx, "vault:1", ttl); !errors.As(err, &held) || held.Holder != "node-a" {
				t.Fatalf("second contender while a holds it: %v, want held by node-a", err)
			}
			if err := write(ctx, a, dbs[0], la); err != nil {
				t.Fatalf("holder's write: %v", err)
			}
			// a renews at 6 s; b still cannot take it at 12 s (renewed to 16 s).
			c.add(6 * time.Second)
			if la, err = a.Renew(ctx, la, ttl); err != nil {
				t.Fatal(err)
			}
			c.add(6 * time.Second)
			if _, err := b.Acquire(ctx, "vault:1", ttl); !errors.As(err, &held) {
				t.Fatalf("after a renewed: %v, want held", err)
			}
			// a pauses (no renewal) past expiry: before anyone takes over, its write is refused.
			c.add(5 * time.Second)
			if err := write(ctx, a, dbs[0], la); !errors.Is(err, ErrFenced) {
				t.Fatalf("expired holder's write: %v, want ErrFenced", err)
			}
			lb, err := b.Acquire(ctx, "vault:1", ttl)
			if err != nil {
				t.Fatalf("b after a's lease ran out: %v", err)
			}
			if lb.Token != 2 {
				t.Fatalf("takeover token %d, want 2", lb.Token)
			}
			// a wakes up: its write and its renewal are refused, b's write goes through.
			if err := write(ctx, a, dbs[0], la); !errors.Is(err, ErrFenced) {
				t.Fatalf("old holder's write after takeover: %v, want ErrFenced", err)
			}
			if _, err := a.Renew(ctx, la, ttl); !errors.Is(err, ErrFenced) {
				t.Fatalf("old holder's renewal after takeover: %v, want ErrFenced", err)
			}
			if err := a.Release(ctx, la); err != nil {
				t.Fatal(err)
			}
			if err := write(ctx, b, dbs[1], lb); err != nil {
				t.Fatalf("new holder's write after the old one released: %v", err)
			}
			// b releases: a takes it at once, with token 3.
			if err := b.Release(ctx, lb); err != nil {
				t.Fatal(err)
			}
			la2, err := a.Acquire(ctx, "vault:1", ttl)
			if err != nil || la2.Token != 3 {
				t.Fatalf("after release: %+v, %v; want token 3", la2, err)
			}
			var rows []string
			r, err := dbs[0].SQL().Query(`SELECT writer || ':' || CAST(token AS TEXT) FROM fenced_writes ORDER BY token`)
			if err != nil {
				t.Fatal(err)
			}
			for r.Next() {
				var s string
				_ = r.Scan(&s)
				rows = append(rows, s)
			}
			r.Close()
			if want := []string{"node-a:1", "node-b:2"}; len(rows) != 2 || rows[0] != want[0] || rows[1] != want[1] {
				t.Fatalf("durable writes %v, want %v", rows, want)
			}
		})
	}
}

// TestLeaseRace: many nodes (separate pools) acquire one free lease at the same instant;
// exactly one gets it.
func TestLeaseRace(t *testing.T) {
	for _, d := range storetest.Engines {
		t.Run(string(d), func(t *testing.T) {
			storetest.Require(t, d)
			const n = 6
			dbs := openNodes(t, d, n)
			for round := int64(1); round <= 3; round++ {
				var wg sync.WaitGroup
				var mu sync.Mutex
				var winners []Lease
				var winner *Leases
				for i := 0; i < n; i++ {
					wg.Add(1)
					go func(i int) {
						defer wg.Done()
						l := NewLeases(dbs[i], "node-"+string(rune('a'+i)))
						le, err := l.Acquire(context.Background(), "job:race", time.Minute)
						var held *HeldError
						switch {
						case err == nil:
							mu.Lock()
							winners, winner = append(winners, le), l
							mu.Unlock()
						case errors.As(err, &held), errors.Is(err, store.ErrBusy):
						default:
							t.Error(err)
						}
					}(i)
				}
				wg.Wait()
				if len(winners) != 1 || winners[0].Token != round {
					t.Fatalf("round %d: winners %+v, want exactly one with token %d", round, winners, round)
				}
				if err := winner.Release(context.Background(), winners[0]); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
