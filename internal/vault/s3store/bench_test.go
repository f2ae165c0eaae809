package s3store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ciiguard/internal/vault"
	"ciiguard/internal/vault/loggen"
	"ciiguard/internal/vault/s3store"
	"ciiguard/internal/vault/storetest"
)

// The benchmarks use default blocks (16,384 events) and segments of 8
// blocks, so that 1M events complete (and upload) seven segments.
const benchSegBlocks = 8

// benchEvents makes n loggen lines as events (message only: the syslog
// parsing is the same with either backend and is left out).
func benchEvents(n int, needleEvery int) [][]vault.Event {
	return benchEventsFrom(0, n, needleEvery)
}

// benchEventsFrom is events from to from+n of such a set, the needle in
// the events whose number is needleEvery/2 past a multiple of needleEvery.
// The lines differ from one call to the next (each has its own generator).
func benchEventsFrom(from, n int, needleEvery int) [][]vault.Event {
	// 5,000 lines a second from an hour ago: 10M events end 33 minutes later.
	g := loggen.New(uint64(18+from), time.Now().Add(-time.Hour+time.Duration(from/5000)*time.Second), 5000)
	var out [][]vault.Event
	for i := 0; i < n; i += 512 {
		k := min(512, n-i)
		b := make([]vault.Event, k)
		for j := range b {
			line, ts := g.Next()
			msg := string(line)
			if needleEvery > 0 && (from+i+j)%needleEvery == needleEvery/2 {
				msg += " needle7f3a9c"
			}
			b[j] = vault.Event{Received: ts, Host: "fw", Message: msg, Format: vault.FormatRaw}
		}
		out = append(out, b)
	}
	return out
}

// cpuSelf is this process's user+system CPU time.
func cpuSelf() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuOf reads a process's user+system CPU time from /proc (clock ticks
// of 10 ms).
func cpuOf(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// BenchmarkIngestBackends appends b.N events with 4 writers in batches of
// 512 to a local-disk vault and to one on MinIO, and, for the latter,
// waits until every complete segment is stored: events per CPU-second of
// this process, and MinIO's CPU per million events.
//
//	go test ./internal/vault/s3store -run '^$' -bench IngestBackends -benchtime 1000000x -count 3
func BenchmarkIngestBackends(b *testing.B) {
	for _, backend := range []string{"local", "s3"} {
		b.Run(backend, func(b *testing.B) {
			o := vault.Options{SegmentBlocks: benchSegBlocks}
			if backend == "s3" {
				o.Store = newStore(b)
			}
			batches := benchEvents(b.N, 0)
			v, err := vault.Open(b.TempDir(), o)
			if err != nil {
				b.Fatal(err)
			}
			defer v.Close()
			ch := make(chan []vault.Event)
			var wg sync.WaitGroup
			cpu0, mcpu0, t0 := cpuSelf(), time.Duration(0), time.Now()
			if server != nil {
				mcpu0 = cpuOf(server.Pid())
			}
			b.ResetTimer()
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for bt := range ch {
						if _, err := v.Append(context.Background(), 1, bt); err != nil {
							b.Error(err)
						}
					}
				}()
			}
			for _, bt := range batches {
				ch <- bt
			}
			close(ch)
			wg.Wait()
			if backend == "s3" {
				storetest.WaitUploaded(b, v, 1)
			}
			b.StopTimer()
			cpu := cpuSelf() - cpu0
			b.ReportMetric(float64(b.N)/cpu.Seconds(), "events/cpu-s")
			b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "events/s")
			if backend == "s3" {
				b.ReportMetric((cpuOf(server.Pid())-mcpu0).Seconds()/float64(b.N)*1e6, "minio-cpu-s/Mevents")
				b.ReportMetric(float64(v.Stats().ObjectPuts), "puts")
			}
		})
	}
}

// rareSet is the vault of BenchmarkRareTermFromStore (rareEvents events),
// built once per process and shared by the -count rounds.
var rareSet struct {
	once  sync.Once
	dir   string
	store *s3store.Store
	opts  vault.Options
	local time.Duration // the search on the writer's local copy
	build time.Duration // writing and uploading the set
	hits  int
}

// BenchmarkRareTermFromStore searches a term found in 10 events spread
// evenly over a vault of 2M events (CIIGUARD_BENCH_RARE_EVENTS sets
// another size, e.g. 10000000) whose sealed segments are in MinIO: with the
// cache wiped (every candidate block fetched by a range request), then
// again with the blocks cached; local-ms is the same search on the
// writer's local copy before the wipe; build-s is how long writing and
// uploading the set took.
//
//	go test ./internal/vault/s3store -run '^$' -bench RareTermFromStore -benchtime 1x -count 3
func BenchmarkRareTermFromStore(b *testing.B) {
	n := 2_000_000
	if s := os.Getenv("CIIGUARD_BENCH_RARE_EVENTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 100_000 {
			b.Fatalf("CIIGUARD_BENCH_RARE_EVENTS=%q: want a number of events, at least 100000", s)
		}
		n = v
	}
	search := func(v *vault.Vault) (time.Duration, vault.Page) {
		t0 := time.Now()
		p, err := v.Search(context.Background(), 1, vault.Query{Expr: "needle7f3a9c", Limit: 100})
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(t0), p
	}
	rs := &rareSet
	rs.once.Do(func() {
		rs.store = newStore(b)
		dir, err := os.MkdirTemp("", "ciiguard-rare-")
		if err != nil {
			b.Fatal(err)
		}
		rs.dir, rs.opts = dir, vault.Options{SegmentBlocks: benchSegBlocks, Store: rs.store, CacheBytes: 1 << 40}
		v, err := vault.Open(dir, rs.opts)
		if err != nil {
			b.Fatal(err)
		}
		// A million events at a time, so that a set of 10M is never all in memory.
		t0 := time.Now()
		for i := 0; i < n; i += 1_000_000 {
			k := min(1_000_000, n-i)
			for _, bt := range benchEventsFrom(i, k, n/10) {
				if _, err := v.Append(context.Background(), 1, bt); err != nil {
					b.Fatal(err)
				}
			}
		}
		storetest.WaitUploaded(b, v, 1)
		rs.build = time.Since(t0)
		var p vault.Page
		rs.local, p = search(v)
		rs.hits = len(p.Events)
		v.Close()
	})
	if rs.store == nil {
		b.Skip("no MinIO")
	}
	var cold, warm time.Duration
	var gets uint64
	for range b.N {
		b.StopTimer()
		storetest.WipeLocal(b, rs.dir, 1, rs.store)
		v, err := vault.Open(rs.dir, rs.opts)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		c, p := search(v)
		w, _ := search(v)
		b.StopTimer()
		if len(p.Events) != rs.hits {
			b.Fatalf("from the store %d hits, locally %d", len(p.Events), rs.hits)
		}
		cold, warm, gets = cold+c, warm+w, gets+v.Stats().ObjectGets
		v.Close()
	}
	b.ReportMetric(float64(rs.local.Microseconds())/1000, "local-ms")
	b.ReportMetric(float64(cold.Microseconds())/1000/float64(b.N), "cold-ms")
	b.ReportMetric(float64(warm.Microseconds())/1000/float64(b.N), "warm-ms")
	b.ReportMetric(float64(gets)/float64(b.N), "range-gets")
	b.ReportMetric(float64(rs.hits), "hits")
	b.ReportMetric(rs.build.Seconds(), "build-s")
}
