//go:build unix

package reports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// storeSystems is the size of the organisation BenchmarkReport10kSystemsStore reports on.
const storeSystems = 10_000

// BenchmarkReport10kSystemsStore is issue 13's figure on real stores: the grid operator of
// the demo with 10,000 more systems (imported through scope's CSV import, every tenth
// identified CII, MLPS levels 1–4) and the findings the obligations capability stored for
// them, on SQLite and on PostgreSQL. One operation is what the security manager waits for:
// the report's records read again (POST …/regenerate: the inventory, every finding, the
// tasks, the log vault and each capability's facts through their contracts, the canonical
// JSON stored), the JSON read back and the Chinese PDF rendered (GET …/report.pdf), all
// through the HTTP API.
// Seeding and the evaluations of the findings (before each operation) are not timed.
// alloc-MB/op is what the process allocated during an operation, live-heap-MB the heap
// still reachable after it (collected): it does not grow from one report to the next. The
// report itself lists at most MaxListed rows whatever the organisation's size, but the
// findings are read whole (kernel.Obligations), so an operation allocates in proportion
// to them. cpu-s/op is the CPU time this process spent in an operation (user and system,
// every goroutine: the server's and the re-evaluation the regeneration queues; not the
// PostgreSQL server's, another process), which a shared machine's load changes less than
// the wall time.
func BenchmarkReport10kSystemsStore(b *testing.B) {
	for _, d := range storetest.Engines {
		b.Run(string(d), func(b *testing.B) {
			env := apptest.Start(b, d)
			sm := env.Login(b, "security@grid.demo")
			hdr := map[string]string{"X-CSRF-Token": sm.CSRF, "Content-Type": "text/csv"}
			for part := range storeSystems / 5000 { // scope takes at most 5,000 rows an import
				var csv strings.Builder
				csv.WriteString("name,sector,mlps_level,graded_on,last_mlps_test,cii_status,identified_on,identification_doc\n")
				for i := part * 5000; i < (part+1)*5000; i++ {
					status, on, doc := "none", "", ""
					if i%10 == 0 {
						status, on, doc = "identified", "2025-01-02", fmt.Sprintf("示能认〔2025〕%d号", i)
					}
					fmt.Fprintf(&csv, "基准系统%05d,energy,%d,2024-06-01,2026-03-01,%s,%s,%s\n", i, i%4+1, status, on, doc)
				}
				res, body := sm.Do("POST", "/api/v1/scope/systems/import", nil, hdr, csv.String())
				if res.StatusCode != http.StatusOK {
					b.Fatalf("import part %d: %d %.2000s", part, res.StatusCode, body)
				}
			}
			waitFindings(b, env, "security@grid.demo")

			year := time.Now().In(calendar.Shanghai).Year()
			var rep struct {
				ID int64 `json:"id"`
			}
			res, body := sm.Do("POST", "/api/v1/reports", nil, jsonHdr(sm.CSRF), fmt.Sprintf(`{"kind":"annual","year":%d}`, year))
			if res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &rep) != nil {
				b.Fatalf("create the report: %d %.2000s", res.StatusCode, body)
			}
			var jsonBytes, pdfBytes int
			var heap runtime.MemStats
			var cpu time.Duration
			var allocated uint64
			b.ResetTimer()
			for range b.N {
				// Regenerating changes the reports' facts, which queues a re-evaluation of
				// the findings: wait for it outside the timer, so each operation reads a
				// settled store rather than racing the evaluation's writes.
				b.StopTimer()
				waitFindings(b, env, "security@grid.demo")
				before := processCPU(b)
				runtime.ReadMemStats(&heap)
				allocBefore := heap.TotalAlloc
				b.StartTimer()
				res, body := sm.Do("POST", fmt.Sprintf("/api/v1/reports/%d/regenerate", rep.ID), nil, jsonHdr(sm.CSRF))
				if res.StatusCode != http.StatusOK {
					b.Fatalf("regenerate: %d %.2000s", res.StatusCode, body)
				}
				res, js := sm.Do("GET", fmt.Sprintf("/api/v1/reports/%d/versions/1/report.json", rep.ID), nil, nil)
				var c struct {
					Scope struct {
						Systems int `json:"systems"`
						Omitted int `json:"cii_systems_omitted"`
					} `json:"scope"`
				}
				if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(js), &c) != nil || c.Scope.Systems < storeSystems || c.Scope.Omitted == 0 {
					b.Fatalf("the report's JSON: %d, scope %+v; want at least %d systems and identified ones left out of the list", res.StatusCode, c.Scope, storeSystems)
				}
				res, pdf := sm.Do("GET", fmt.Sprintf("/api/v1/reports/%d/versions/1/report.pdf?lang=zh-CN", rep.ID), nil, nil)
				if res.StatusCode != http.StatusOK {
					b.Fatalf("the PDF: %d %.500s", res.StatusCode, pdf)
				}
				b.StopTimer()
				jsonBytes, pdfBytes = len(js), len(pdf)
				cpu += processCPU(b) - before
				runtime.ReadMemStats(&heap)
				allocated += heap.TotalAlloc - allocBefore
				runtime.GC()
				runtime.ReadMemStats(&heap)
				b.StartTimer()
			}
			b.ReportMetric(float64(jsonBytes), "json-bytes")
			b.ReportMetric(float64(pdfBytes), "pdf-bytes")
			b.ReportMetric(float64(heap.HeapAlloc)/(1<<20), "live-heap-MB")
			b.ReportMetric(float64(allocated)/float64(b.N)/(1<<20), "alloc-MB/op")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// waitFindings waits until the obligations capability has evaluated the findings of the
// organisation of the user email.
func waitFindings(b *testing.B, env *apptest.Env, email string) {
	b.Helper()
	ctx := context.Background()
	u, err := env.App.Auth.UserByEmail(ctx, email)
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range env.App.Modules {
		if w, ok := m.(interface{ WaitEvaluated(context.Context) error }); ok {
			ctx, cancel := context.WithTimeout(store.WithOrg(ctx, u.OrgID), 10*time.Minute)
			defer cancel()
			if err := w.WaitEvaluated(ctx); err != nil {
				b.Fatalf("findings of the %d systems: %v", storeSystems, err)
			}
			return
		}
	}
	b.Fatal("no module evaluates findings")
}

// processCPU is the CPU time (user and system) the process has used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
