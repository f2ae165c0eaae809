package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/vault"
	"ciiguard/internal/vault/loggen"
	vstoretest "ciiguard/internal/vault/storetest"
)

// procCPU is a process's user+system CPU time from /proc, with that of its
// children it has waited for when reaped is set (clock ticks of 10 ms).
func procCPU(pid int, reaped bool) (time.Duration, int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ppid, _ := strconv.Atoi(f[1])
	var t int64
	fields := []int{11, 12}
	if reaped {
		fields = append(fields, 13, 14)
	}
	for _, i := range fields {
		v, _ := strconv.ParseInt(f[i], 10, 64)
		t += v
	}
	return time.Duration(t) * 10 * time.Millisecond, ppid
}

// postgresCPU is the CPU time of the PostgreSQL server db talks to: its
// postmaster (with the backends it reaped) and its running children.
func postgresCPU(tb testing.TB, db *store.DB) time.Duration {
	var backend int
	if err := db.SQL().QueryRow(`SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		tb.Fatal(err)
	}
	_, master := procCPU(backend, false)
	total, _ := procCPU(master, true)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if t, ppid := procCPU(pid, false); ppid == master {
			total += t
		}
	}
	return total
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkVaultFramesIngest appends b.N loggen events with 4 writers in
// batches of 512 to a vault on MinIO whose write-ahead log is the local file
// and then to one whose frames go to PostgreSQL under the writer lease (each
// group commit one fenced transaction), waiting each time until every
// complete segment is stored: events per CPU-second of this process, and the
// PostgreSQL server's CPU per million events.
//
//	./scripts/with-postgres.sh env CIIGUARD_TEST_MINIO=$(go env GOPATH)/bin/minio \
//	  go test ./internal/cluster -run '^$' -bench VaultFramesIngest -benchtime 500000x -count 3
func BenchmarkVaultFramesIngest(b *testing.B) {
	storetest.Require(b, store.Postgres)
	dbs := openNodes(b, store.Postgres, 1)
	objs := minioStores(b, 1)
	g := loggen.New(18, time.Now().Add(-time.Hour), 5000)
	for _, wal := range []string{"local", "postgres"} {
		b.Run(wal, func(b *testing.B) {
			var batches [][]vault.Event
			for i := 0; i < b.N; i += 512 {
				bt := make([]vault.Event, min(512, b.N-i))
				for j := range bt {
					line, ts := g.Next()
					bt[j] = vault.Event{Received: ts, Host: "fw", Message: string(line), Format: vault.FormatRaw}
				}
				batches = append(batches, bt)
			}
			o := vault.Options{SegmentBlocks: 8, Store: objs[0]}
			org := time.Now().UnixNano() % 1e9 // a fresh log in the shared bucket each round
			if wal == "postgres" {
				o.Frames = NewVaultFrames(NewLeases(dbs[0], "bench"), DefaultVaultLease, nil)
			}
			v, err := vault.Open(filepath.Join(b.TempDir(), "v"), o)
			if err != nil {
				b.Fatal(err)
			}
			defer v.Close()
			pg0, cpu0, t0 := postgresCPU(b, dbs[0]), selfCPU(), time.Now()
			b.ResetTimer()
			ch := make(chan []vault.Event)
			var wg sync.WaitGroup
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for bt := range ch {
						if _, err := v.Append(context.Background(), org, bt); err != nil {
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
			vstoretest.WaitUploaded(b, v, org)
			b.StopTimer()
			cpu, pg := selfCPU()-cpu0, postgresCPU(b, dbs[0])-pg0
			b.ReportMetric(float64(b.N)/cpu.Seconds(), "events/cpu-s")
			b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "events/s")
			b.ReportMetric(pg.Seconds()/float64(b.N)*1e6, "pg-cpu-s/Mevents")
			b.ReportMetric(float64(v.Stats().Commits), "commits")
		})
	}
}
