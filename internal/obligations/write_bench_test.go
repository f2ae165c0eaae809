package obligations

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// BenchmarkEvaluationWrites10k measures the evaluation service alone (no HTTP, no other
// capability) on each engine with 10,000 generated systems: a from-scratch evaluation into
// an empty findings table and a profile change that flips whether the organisation is a
// telecom operator (which decides whether ten system duties apply to every system). Each
// run logs the evaluation's phases. It shares BenchmarkScale10k's switch:
//
//	CIIGUARD_BENCH_10K=1 scripts/with-postgres.sh go test ./internal/obligations/ -run '^$' -bench EvaluationWrites10k -benchtime 3x
func BenchmarkEvaluationWrites10k(b *testing.B) {
	if os.Getenv("CIIGUARD_BENCH_10K") == "" {
		b.Skip("set CIIGUARD_BENCH_10K=1 to run the 10,000-system benchmarks (minutes)")
	}
	// The product's limit, which grows with the organisation (EvaluationTimeout).
	base, err := catalog.Load(rules.WithTimeout(EvaluationTimeout))
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range storetest.Engines {
		b.Run(string(d), func(b *testing.B) {
			storetest.Require(b, d)
			db := storetest.Open(b, d, New().Migrations())
			r := rand.New(rand.NewPCG(10, 10))
			inv := &editableInventory{org: rules.Org{Kind: "operator", Sectors: []string{"energy"}, IsCIIOperator: true}, systems: map[int64]rules.System{}}
			for id := int64(1); id <= 10_000; id++ {
				inv.systems[id] = randomSystem(r, id)
			}
			now := time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC)
			ctx := store.WithOrg(context.Background(), 1)
			fresh := func() *Service {
				svc := NewService(db, base, inv)
				svc.now = func() time.Time { return now }
				b.Cleanup(svc.Close)
				return svc
			}
			last := func(svc *Service) Stats {
				st, err := svc.EvaluationState(ctx)
				if err != nil || st.Last == nil {
					b.Fatalf("state: %v %+v", err, st)
				}
				return *st.Last
			}
			b.Run("FromScratchEmpty", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					if err := db.WriteTenant(ctx, func(t *store.Tenant) error {
						// Nothing stored: no finding, no reason.
						if _, err := t.Exec(`DELETE FROM findings WHERE org_id = $1`); err != nil {
							return err
						}
						_, err := t.Exec(`DELETE FROM finding_reasons WHERE org_id = $1`)
						return err
					}); err != nil {
						b.Fatal(err)
					}
					svc := fresh()
					c0, w0 := processCPU(), writtenBytes(b, db)
					b.StartTimer()
					if _, err := svc.Evaluate(ctx); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					b.Logf("from scratch %d: process CPU %v, written %s; %+v", i, processCPU()-c0, mib(writtenBytes(b, db)-w0), last(svc))
					svc.Close()
					b.StartTimer()
				}
			})
			b.Run("ProfileChange", func(b *testing.B) {
				b.StopTimer()
				svc := fresh()
				if _, err := svc.Evaluate(ctx); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for i := 0; i < b.N; i++ {
					c0, w0 := processCPU(), writtenBytes(b, db)
					inv.mu.Lock()
					inv.org.IsTelecomOperator = !inv.org.IsTelecomOperator
					inv.mu.Unlock()
					svc.Changed(1, 0)
					if err := svc.WaitEvaluated(ctx); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					if err := svc.ev.lastError(1); err != nil {
						b.Fatal(err)
					}
					b.Logf("profile %d: process CPU %v, written %s; %+v", i, processCPU()-c0, mib(writtenBytes(b, db)-w0), last(svc))
					b.StartTimer()
				}
			})
		})
	}
}

// processCPU is the CPU time the test process has used (user and system): on the shared
// machine it moves far less with the load than wall time does. PostgreSQL's own work is in
// the server's processes, not here.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writtenBytes is how much the store has written so far, a measure of the write's I/O that
// the load does not change: for SQLite the bytes this process has caused to be written to
// storage (write_bytes of /proc/self/io: WAL frames and checkpoints), for PostgreSQL the
// WAL the server has generated (pg_stat_wal, PostgreSQL 14 and later).
func writtenBytes(b *testing.B, db *store.DB) int64 {
	if db.Dialect() == store.Postgres {
		var n int64
		if err := db.Read(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT wal_bytes::bigint FROM pg_stat_wal`).Scan(&n)
		}); err != nil {
			b.Fatal(err)
		}
		return n
	}
	f, err := os.Open("/proc/self/io")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "write_bytes: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
