package vault_test

import (
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"ciiguard/internal/vault"
	"ciiguard/internal/vault/ingest"
	"ciiguard/internal/vault/loggen"
)

var benchStart = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func dirSize(t testing.TB, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func genLines(n int, seed uint64) ([][]byte, []time.Time) {
	g := loggen.New(seed, benchStart, 116) // ~10M lines per day
	lines := make([][]byte, n)
	times := make([]time.Time, n)
	for i := range lines {
		lines[i], times[i] = g.Next()
	}
	return lines, times
}

// ingestLines parses and appends lines from `workers` goroutines in
// batches, like the TCP listener does, with reception time = log time.
func ingestLines(tb testing.TB, v *vault.Vault, org int64, lines [][]byte, times []time.Time, workers int) {
	var next atomic.Int64
	const batch = 512
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			evs := make([]vault.Event, 0, batch)
			for {
				i := int(next.Add(batch)) - batch
				if i >= len(lines) {
					return
				}
				evs = evs[:0]
				for j := i; j < min(i+batch, len(lines)); j++ {
					ev := ingest.Parse(lines[j], times[j])
					ev.SourceID = int64(1 + j%20)
					evs = append(evs, ev)
				}
				if _, err := v.Append(context.Background(), org, evs); err != nil {
					tb.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkAppend measures parse + hash + WAL group commit + compress +
// index per event, all on, through Vault.Append. It reports events per
// wall-second and per CPU-second (the process's user+system time).
func BenchmarkAppend(b *testing.B) {
	benchmarkAppend(b, vault.Options{})
}

// BenchmarkAppendCheckpointEvery is BenchmarkAppend with the ticker signing
// checkpoints every second (the product's default) and every hour (never,
// within a run), to measure what signing every second costs ingest.
func BenchmarkAppendCheckpointEvery(b *testing.B) {
	for _, every := range []time.Duration{time.Hour, time.Second} {
		b.Run(every.String(), func(b *testing.B) {
			benchmarkAppend(b, vault.Options{CheckpointInterval: every})
		})
	}
}

func benchmarkAppend(b *testing.B, opts vault.Options) {
	lines, times := genLines(200_000, 1)
	v, err := vault.Open(b.TempDir(), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	b.ResetTimer()
	c0, t0 := cpuTime(), time.Now()
	done := 0
	for done < b.N {
		n := min(b.N-done, len(lines))
		ingestLines(b, v, 1, lines[:n], times[:n], runtime.GOMAXPROCS(0)*2)
		done += n
	}
	cpu, wall := cpuTime()-c0, time.Since(t0)
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(float64(b.N)/wall.Seconds(), "events/s")
}

// BenchmarkTCPIngest sends octet-counted syslog over 4 TCP connections to
// a listener backed by a vault.
func BenchmarkTCPIngest(b *testing.B) {
	lines, _ := genLines(200_000, 2)
	v, err := vault.Open(b.TempDir(), vault.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	l, err := ingest.ListenTCP("127.0.0.1:0", ingest.StaticResolver{Default: &[2]int64{1, 1}}, v)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	const conns = 4
	b.ResetTimer()
	c0, t0 := cpuTime(), time.Now()
	var wg sync.WaitGroup
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				b.Error(err)
				return
			}
			defer conn.Close()
			buf := make([]byte, 0, 256<<10)
			for i := c; i < b.N; i += conns {
				line := lines[i%len(lines)]
				buf = fmt.Appendf(buf, "%d ", len(line))
				buf = append(buf, line...)
				if len(buf) > 240<<10 {
					if _, err := conn.Write(buf); err != nil {
						b.Error(err)
						return
					}
					buf = buf[:0]
				}
			}
			if _, err := conn.Write(buf); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	for {
		n, _ := v.Size(1)
		if n >= uint64(b.N) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cpu, wall := cpuTime()-c0, time.Since(t0)
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(float64(b.N)/wall.Seconds(), "events/s")
}

// TestDiskBytesPerEvent reports bytes on disk per event (segments,
// indexes, roots, WAL, checkpoints) for 500k generated lines. Run with
// CIIGUARD_BENCH=1; it takes a few seconds.
func TestDiskBytesPerEvent(t *testing.T) {
	if os.Getenv("CIIGUARD_BENCH") == "" && os.Getenv("CIIGUARD_BENCH_10M") == "" {
		t.Skip("set CIIGUARD_BENCH=1 to measure bytes on disk per event")
	}
	const n = 500_000
	lines, times := genLines(n, 3)
	raw := 0
	for _, l := range lines {
		raw += len(l)
	}
	dir := t.TempDir()
	v, err := vault.Open(dir, vault.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ingestLines(t, v, 1, lines, times, 4)
	if _, err := v.Checkpoint(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	st := v.Stats()
	v.Close()
	total := dirSize(t, dir)
	roots := dirSize(t, filepath.Join(dir, "org", "1", "cp"))
	ri, _ := os.Stat(filepath.Join(dir, "org", "1", "roots"))
	idx, _ := filepath.Glob(filepath.Join(dir, "org", "1", "seg-*.idx"))
	var idxBytes int64
	for _, f := range idx {
		fi, _ := os.Stat(f)
		idxBytes += fi.Size()
	}
	wi, _ := os.Stat(filepath.Join(dir, "org", "1", "wal"))
	t.Logf("%d events, raw %.1f B/line; on disk %.2f B/event (blocks %.2f, index %.2f, tree roots %.3f, checkpoints %d B, unsealed WAL tail %.2f)",
		n, float64(raw)/n, float64(total)/n, float64(st.BlockBytes)/n, float64(idxBytes)/n, float64(ri.Size())/n, roots, float64(wi.Size())/n)
}
