package logs_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/vault/loggen"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkHTTPIngest posts NDJSON batches of 1,000 generated firewall/IDS/VPN lines to
// POST /api/v1/vault/events over real HTTP on loopback, each answered only once durable.
// The client runs in the same process, so events per CPU-second counts its work too.
func BenchmarkHTTPIngest(b *testing.B) {
	env := apptest.Start(b, store.SQLite)
	c := env.Login(b, "security@grid.demo")
	_, tok := httpSource(b, c, "bench-forwarder")
	g := loggen.New(7, time.Now().Add(-time.Hour), 2000)
	const batch = 1000
	bodies := make([]string, 32)
	for i := range bodies {
		var sb strings.Builder
		for j := 0; j < batch; j++ {
			line, at := g.Next()
			rec, _ := json.Marshal(map[string]any{"time": at.UTC().Format(time.RFC3339Nano), "message": string(line)})
			sb.Write(rec)
			sb.WriteByte('\n')
		}
		bodies[i] = sb.String()
	}
	b.ResetTimer()
	cpu0, wall0 := cpuTime(), time.Now()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			res, body := bearer(c, tok, "POST", "/api/v1/vault/events", bodies[i%len(bodies)])
			if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated {
				b.Errorf("ingest: %d %.200s", res.StatusCode, body)
				return
			}
			i++
		}
	})
	cpu, wall := cpuTime()-cpu0, time.Since(wall0)
	events := float64(b.N * batch)
	b.ReportMetric(events/cpu.Seconds(), "events/CPU-s")
	b.ReportMetric(events/wall.Seconds(), "events/s")
}
