package stix

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"ciiguard/internal/vault/loggen"
)

// The sizes of issue 15's performance targets.
const (
	million    = 1_000_000
	benchLines = 100_000 // generated log lines matched per run
)

// cpuTime is the user and system CPU time the process has used: on a machine shared with
// other work the wall clock says little about what one core does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSS is the process's peak resident memory in bytes (Linux reports KiB).
func maxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss << 10
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// indicatorJSON is the STIX indicator of each benchmark's bundle: %012x its number, %s its
// pattern (escaped for JSON).
const indicatorJSON = `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-%012x","created":"2026-03-01T08:00:00.000Z","modified":"2026-03-01T08:00:00.000Z","pattern":"%s","pattern_type":"stix","valid_from":"2026-03-01T08:00:00Z"}`

// millionIndicators are issue 15's mixed indicators: 600,000 IPv4 addresses and CIDR
// blocks (one in ten a /24), 300,000 domain names, 50,000 URLs and 50,000 SHA-256 hashes, as
// STIX patterns, with the size of the two files a feed of them would be on disk: the plain
// list (one value a line) and a STIX bundle of indicators (objects as indicatorJSON).
func millionIndicators() (pats []string, listBytes, bundleBytes int) {
	r := rand.New(rand.NewPCG(15, 15))
	pats = make([]string, 0, million)
	// A pattern has no character JSON escapes; the number is always 12 digits.
	perObject := len(indicatorJSON) - len("%012x") - len("%s") + 12 + 1
	add := func(pat, value string) {
		pats = append(pats, pat)
		listBytes += len(value) + 1
		bundleBytes += perObject + len(pat)
	}
	for i := range 600_000 {
		a, b, c := 1+r.IntN(223), r.IntN(256), r.IntN(256)
		if i%10 == 0 {
			v := fmt.Sprintf("%d.%d.%d.0/24", a, b, c)
			add("[ipv4-addr:value ISSUBSET '"+v+"']", v)
			continue
		}
		v := fmt.Sprintf("%d.%d.%d.%d", a, b, c, 1+r.IntN(254))
		add("[ipv4-addr:value = '"+v+"']", v)
	}
	for i := range 300_000 {
		v := fmt.Sprintf("h%d.bad%d.example", i, r.IntN(5000))
		add("[domain-name:value = '"+v+"']", v)
	}
	for i := range 50_000 {
		v := fmt.Sprintf("http://c%d.evil%d.example/gate.php", i, r.IntN(1000))
		add("[url:value = '"+v+"']", v)
	}
	for range 50_000 {
		v := fmt.Sprintf("%016x%016x%016x%016x", r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64())
		add("[file:hashes.'SHA-256' = '"+v+"']", v)
	}
	return pats, listBytes, bundleBytes
}

// BenchmarkMatchMillion: issue 15's matching target, ≥ 1,000,000 events per second per core
// against 1,000,000 active indicators, with memory ≤ 2× the indicator file. Each event is a
// generated syslog line (loggen: firewall, IDS, VPN, bastion, WAF) whose observables are
// found (ObserveText) and looked up in the index (Index.Match) — what the live sweep and the
// retro-hunt do per event. Reported: events per CPU-second of the process (run with -cpu 1
// for one core), and the index's live heap against the two files' bytes.
func BenchmarkMatchMillion(b *testing.B) {
	before := heapInUse()
	pats, listBytes, bundleBytes := millionIndicators()
	x := NewIndex()
	for _, s := range pats {
		p, err := ParsePattern(s)
		if err != nil {
			b.Fatal(err)
		}
		x.Add(p)
	}
	pats = nil
	heap := heapInUse() - before
	g := loggen.New(1, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), 100)
	lines := make([]string, benchLines)
	for i := range lines {
		l, _ := g.Next()
		lines[i] = string(l)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	hits := 0
	var o Observed
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			ObserveTextInto(&o, l, time.Time{})
			x.Match(&o, func(int) { hits++ })
		}
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N*benchLines)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(float64(b.N*benchLines)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(heap)/float64(listBytes), "heap/list-file")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(listBytes)/(1<<20), "list-MiB")
	b.ReportMetric(float64(heap)/float64(bundleBytes), "heap/bundle-file")
	runtime.KeepAlive(x)
}

// BenchmarkReadBundleMillion: issue 15's loading target, 1,000,000 indicators from a STIX
// bundle in under 20 s on one core, streaming. The bundle is written to a file once and
// read from it as an import reads its upload: each object decoded (ReadBundle) and its
// pattern parsed. Reported: CPU-seconds per bundle (run with -cpu 1) and the process's peak
// resident memory against the file's size.
func BenchmarkReadBundleMillion(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bundle.json")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[`)
	for i := range million {
		if i > 0 {
			w.WriteByte(',')
		}
		fmt.Fprintf(w, indicatorJSON, i, fmt.Sprintf("[ipv4-addr:value = '%d.%d.%d.%d']", 1+i>>16&127, i>>8&255, i&255, 1+i%250))
	}
	w.WriteString(`]}`)
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	st, _ := f.Stat()
	f.Close()
	b.SetBytes(st.Size())
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		_, n, err := ReadBundle(bufio.NewReader(f), func(o Object) error {
			_, err := ParsePattern(o.(*Indicator).Pattern)
			return err
		})
		f.Close()
		if err != nil || n != million {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/bundle")
	b.ReportMetric(float64(maxRSS())/float64(st.Size()), "peak-rss/file")
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MiB")
}
