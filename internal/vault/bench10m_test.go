package vault_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/vault"
	"ciiguard/internal/vault/ingest"
	"ciiguard/internal/vault/loggen"
)

// The 10M-event data set is built once under bigDir and reused by later
// runs; the benchmarks skip unless CIIGUARD_BENCH_10M=1.
const (
	bigEvents = 10_000_000
	bigOrg    = 1
	needle    = "needle7f3a9c" // appears once per million events
)

func bigDir() string {
	if d := os.Getenv("CIIGUARD_BENCH_DIR"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "ciiguard-vault-bench-10m")
}

var (
	bigOnce  sync.Once
	bigVault *vault.Vault
	bigErr   error
)

func openBig(b *testing.B) *vault.Vault {
	if os.Getenv("CIIGUARD_BENCH_10M") == "" {
		b.Skip("set CIIGUARD_BENCH_10M=1 to run the 10M-event benchmarks (first run builds the data set, a few minutes)")
	}
	bigOnce.Do(func() {
		dir := bigDir()
		marker := filepath.Join(dir, "complete")
		if _, err := os.Stat(marker); err != nil {
			os.RemoveAll(dir)
			if bigErr = buildBig(b, dir); bigErr != nil {
				return
			}
			if bigErr = os.WriteFile(marker, []byte(strconv.Itoa(bigEvents)), 0o644); bigErr != nil {
				return
			}
		}
		bigVault, bigErr = vault.Open(dir, vault.Options{})
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigVault
}

func buildBig(b *testing.B, dir string) error {
	v, err := vault.Open(dir, vault.Options{})
	if err != nil {
		return err
	}
	defer v.Close()
	type batch struct {
		lines [][]byte
		times []time.Time
	}
	ch := make(chan batch, 8)
	go func() {
		g := loggen.New(10, benchStart, 116)
		for i := 0; i < bigEvents; {
			n := min(512, bigEvents-i)
			bt := batch{make([][]byte, n), make([]time.Time, n)}
			for j := range n {
				bt.lines[j], bt.times[j] = g.Next()
				if (i+j)%1_000_000 == 500_000 {
					bt.lines[j] = fmt.Appendf(nil, "<38>%s bastion-02 audit: command %s run by ops", bt.times[j].Format(time.Stamp), needle)
				}
			}
			ch <- bt
			i += n
		}
		close(ch)
	}()
	c0, t0 := cpuTime(), time.Now()
	var wg sync.WaitGroup
	var appendErr error
	var mu sync.Mutex
	var done int
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for bt := range ch {
				evs := make([]vault.Event, len(bt.lines))
				for j := range bt.lines {
					evs[j] = ingest.Parse(bt.lines[j], bt.times[j])
					evs[j].SourceID = int64(1 + j%20)
				}
				if _, err := v.Append(context.Background(), bigOrg, evs); err != nil {
					mu.Lock()
					appendErr = err
					mu.Unlock()
					return
				}
				mu.Lock()
				done += len(evs)
				if done%1_000_000 < len(evs) {
					mu.Unlock()
					if _, err := v.Checkpoint(context.Background(), bigOrg); err != nil {
						mu.Lock()
						appendErr = err
						mu.Unlock()
						return
					}
					continue
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if appendErr != nil {
		return appendErr
	}
	if _, err := v.Checkpoint(context.Background(), bigOrg); err != nil {
		return err
	}
	b.Logf("built %d events in %v wall, %v CPU (%.0f events/cpu-s incl. generation)", bigEvents, time.Since(t0), cpuTime()-c0,
		float64(bigEvents)/(cpuTime()-c0).Seconds())
	return nil
}

func BenchmarkDisk10M(b *testing.B) {
	openBig(b)
	total := dirSize(b, bigDir())
	idx, _ := filepath.Glob(filepath.Join(bigDir(), "org", "1", "seg-*.idx"))
	var idxBytes int64
	for _, f := range idx {
		fi, _ := os.Stat(f)
		idxBytes += fi.Size()
	}
	ri, _ := os.Stat(filepath.Join(bigDir(), "org", "1", "roots"))
	cps := dirSize(b, filepath.Join(bigDir(), "org", "1", "cp"))
	for range b.N {
	}
	b.ReportMetric(float64(total)/bigEvents, "bytes/event")
	b.ReportMetric(float64(idxBytes)/bigEvents, "index-bytes/event")
	b.ReportMetric(float64(ri.Size()+cps)/bigEvents, "tree-bytes/event")
}

func BenchmarkSearch10M(b *testing.B) {
	v := openBig(b)
	ctx := context.Background()
	for _, tc := range []struct {
		name, q string
		want    int
	}{
		{"rare-term", needle, 10},
		{"rare-phrase", `"command ` + needle + `"`, 10},
		{"common-term", "deny", 100},
		{"field-and-term", "host:vpn-gw-01 failed", 100},
		{"severity", "sev<=2 log4j", 100},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var p vault.Page
			for b.Loop() {
				var err error
				p, err = v.Search(ctx, bigOrg, vault.Query{Expr: tc.q, Limit: 100})
				if err != nil {
					b.Fatal(err)
				}
			}
			if len(p.Events) != tc.want {
				b.Fatalf("%d events, want %d", len(p.Events), tc.want)
			}
			b.ReportMetric(float64(p.BlocksRead), "blocks-read")
		})
	}
}

func BenchmarkHistogram10M(b *testing.B) {
	v := openBig(b)
	ctx := context.Background()
	from, to := benchStart, benchStart.Add(25*time.Hour)
	for _, tc := range []struct {
		name, q string
		bucket  time.Duration
	}{
		{"count-by-hour", "", time.Hour},
		{"count-by-minute", "", time.Minute},
		{"term-by-hour", "deny", time.Hour},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var total uint64
			for b.Loop() {
				hs, err := v.Histogram(ctx, bigOrg, vault.Query{Expr: tc.q, From: from, To: to}, tc.bucket)
				if err != nil {
					b.Fatal(err)
				}
				total = 0
				for _, h := range hs {
					total += h.Count
				}
			}
			if tc.q == "" && total != bigEvents {
				b.Fatalf("counted %d events", total)
			}
		})
	}
}

func BenchmarkVerify10M(b *testing.B) {
	v := openBig(b)
	for b.Loop() {
		t0 := time.Now()
		rep, err := v.Verify(context.Background(), bigOrg, nil)
		if err != nil || !rep.OK {
			b.Fatalf("verify: %v %v", err, rep.First)
		}
		b.ReportMetric(float64(rep.Events)/time.Since(t0).Seconds(), "events/s")
	}
}

func BenchmarkProof10M(b *testing.B) {
	v := openBig(b)
	ctx := context.Background()
	size, _ := v.Size(bigOrg)
	r := rand.New(rand.NewPCG(1, 1))
	b.Run("inclusion-random", func(b *testing.B) {
		for b.Loop() {
			if _, err := v.InclusionProof(ctx, bigOrg, r.Uint64N(size), size); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("consistency-random", func(b *testing.B) {
		for b.Loop() {
			a := 1 + r.Uint64N(size-1)
			if _, err := v.ConsistencyProof(ctx, bigOrg, a, size); err != nil {
				b.Fatal(err)
			}
		}
	})
}
