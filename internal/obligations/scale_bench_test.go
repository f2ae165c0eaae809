package obligations_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/obligations"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// envBench10k turns the 10,000-system benchmarks on.
const envBench10k = "CIIGUARD_BENCH_10K"

// scaleSystems is the inventory size of the scale benchmarks (issue 9): with the embedded
// catalog's 36 system obligations, about 360,000 findings.
const scaleSystems = 10_000

// addSystems inserts n generated systems into the organisation's inventory directly (a
// benchmark fixture; the scope capability's own path is measured elsewhere), with grades,
// CII status and dates varied so that every branch of the rules runs.
func addSystems(b *testing.B, db *store.DB, org int64, n int) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	date := func() string {
		if r.IntN(5) == 0 {
			return ""
		}
		return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -r.IntN(900)).Format(time.DateOnly)
	}
	sectors := []string{"energy", "finance", "telecom", "transport", "water"}
	statuses := []string{"none", "none", "candidate", "identified"}
	const cols = `name, owner, responsible_person, sector, mlps_level, graded_on, go_live, filing_number, filed_on, last_mlps_test, last_self_inspection, cii_status, identified_on, holds_personal_info, holds_important_data, has_dr_backup, last_backup_test, has_emergency_plan, last_drill, created_at, updated_at`
	const per = 21
	now := time.Now().UTC().Truncate(time.Microsecond)
	err := db.WriteTenant(store.WithOrg(context.Background(), org), func(t *store.Tenant) error {
		for start := 0; start < n; start += 400 {
			end := min(start+400, n)
			var q strings.Builder
			q.WriteString(`INSERT INTO scope_systems (org_id, ` + cols + `) VALUES `)
			var args []any
			for i := start; i < end; i++ {
				if i > start {
					q.WriteString(", ")
				}
				q.WriteString("($1")
				for j := 0; j < per; j++ {
					fmt.Fprintf(&q, ", $%d", len(args)+j+2)
				}
				q.WriteString(")")
				level := r.IntN(5)
				status := statuses[r.IntN(len(statuses))]
				identified := ""
				if status == "identified" {
					identified = date()
				}
				args = append(args, fmt.Sprintf("规模测试系统-%05d", i), "信息中心", "李工", sectors[r.IntN(len(sectors))], level,
					date(), date(), []string{"", "11010099999-00001"}[r.IntN(2)], date(), date(), date(), status, identified,
					r.IntN(2) == 0, r.IntN(4) == 0, r.IntN(3) > 0, date(), r.IntN(3) > 0, date(), now, now)
			}
			if _, err := t.Exec(q.String(), args...); err != nil {
				return fmt.Errorf("insert systems %d–%d: %w", start, end, err)
			}
		}
		// The generated values ignore the inventory's cross-field checks, which an edit through
		// the API applies to the whole system: the system the benchmark edits is made valid.
		_, err := t.Exec(`UPDATE scope_systems SET mlps_level = 3, graded_on = '2024-01-10', filing_number = '11010099999-00001', filed_on = '2024-02-01',
			last_mlps_test = '2025-05-01', cii_status = 'none', identified_on = '', has_dr_backup = TRUE, last_backup_test = '2025-06-01',
			has_emergency_plan = TRUE, last_drill = '2025-06-01' WHERE org_id = $1 AND name = $2`, "规模测试系统-04321")
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}

func stateOf(b *testing.B, c *apptest.Client, wait string) obligations.State {
	b.Helper()
	res, body := c.Do("GET", "/api/v1/evaluation?wait="+wait, nil, nil)
	var st obligations.State
	if err := json.Unmarshal([]byte(body), &st); err != nil || res.StatusCode != 200 {
		b.Fatalf("evaluation state: %d %v %s", res.StatusCode, err, body)
	}
	if st.Pending {
		b.Fatalf("still pending after waiting %s: %+v", wait, st)
	}
	return st
}

// BenchmarkScale10k measures, on each engine, an organisation with 10,000 systems through
// the running product: the HTTP edit of one system's owner (answer, and findings current),
// a profile change, a full evaluation asked for through the API, and a full evaluation from
// scratch (the first in a freshly started process, replacing every stored finding). Custom
// metrics give the times; the phases of the last evaluation come from GET /api/v1/evaluation.
//
// It takes minutes (the fixture and the first evaluation write 360,000 findings per engine),
// so `go test -bench .` and `make bench` skip it unless CIIGUARD_BENCH_10K=1:
//
//	CIIGUARD_BENCH_10K=1 scripts/with-postgres.sh go test ./internal/obligations/ -run '^$' -bench Scale10k -benchtime 3x -count 1 -timeout 60m -v
func BenchmarkScale10k(b *testing.B) {
	if os.Getenv(envBench10k) == "" {
		b.Skipf("set %s=1 to run the 10,000-system benchmarks (minutes)", envBench10k)
	}
	for _, d := range storetest.Engines {
		b.Run(string(d), func(b *testing.B) { benchScale(b, d) })
	}
}

func benchScale(b *testing.B, d store.Dialect) {
	env := apptest.Start(b, d)
	c := env.Login(b, "admin@grid.demo")
	org := orgOf(b, c)
	addSystems(b, env.App.DB, org, scaleSystems)
	h := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}
	if res, body := c.Do("POST", "/api/v1/findings/evaluate", nil, h); res.StatusCode != 200 {
		b.Fatalf("first evaluation: %d %s", res.StatusCode, body)
	}
	st := stateOf(b, c, "60s")
	b.Logf("%s: first evaluation %+v", d, *st.Last)
	res, body := c.Do("GET", "/api/v1/scope/systems?q=规模测试系统-04321", nil, nil)
	var list struct {
		Systems []struct {
			ID int64 `json:"id"`
		} `json:"systems"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || res.StatusCode != 200 || len(list.Systems) != 1 {
		b.Fatalf("find the edited system: %d %v %s", res.StatusCode, err, body)
	}
	sysPath := "/api/v1/scope/systems/" + strconv.FormatInt(list.Systems[0].ID, 10)

	b.Run("SystemEdit", func(b *testing.B) {
		var answer, current time.Duration
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			if res, body := c.Do("PATCH", sysPath, nil, h, fmt.Sprintf(`{"owner":"部门-%d"}`, i)); res.StatusCode != 200 {
				b.Fatalf("edit: %d %s", res.StatusCode, body)
			}
			answer += time.Since(t0)
			st := stateOf(b, c, "30s")
			current += time.Since(t0)
			b.Logf("edit %d: %+v", i, *st.Last)
		}
		b.ReportMetric(float64(answer.Microseconds())/1000/float64(b.N), "ms-answer")
		b.ReportMetric(float64(current.Microseconds())/1000/float64(b.N), "ms-current")
	})
	b.Run("ProfileChange", func(b *testing.B) {
		res, body := c.Do("GET", "/api/v1/scope/profile", nil, nil)
		var prof map[string]any
		if err := json.Unmarshal([]byte(body), &prof); err != nil || res.StatusCode != 200 {
			b.Fatalf("profile: %d %v", res.StatusCode, err)
		}
		for _, ro := range []string{"org_id", "name_zh", "name_en", "updated_at", "updated_by"} {
			delete(prof, ro)
		}
		var answer, current time.Duration
		for i := 0; i < b.N; i++ {
			prof["telecom_operator"] = !(prof["telecom_operator"] == true)
			bs, _ := json.Marshal(prof)
			t0 := time.Now()
			if res, body := c.Do("PUT", "/api/v1/scope/profile", nil, h, string(bs)); res.StatusCode != 200 {
				b.Fatalf("profile change: %d %s", res.StatusCode, body)
			}
			answer += time.Since(t0)
			st := stateOf(b, c, "60s")
			current += time.Since(t0)
			b.Logf("profile %d: %+v", i, *st.Last)
		}
		b.ReportMetric(float64(answer.Microseconds())/1000/float64(b.N), "ms-answer")
		b.ReportMetric(float64(current.Microseconds())/1000/float64(b.N), "ms-current")
	})
	b.Run("EvaluateEverything", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if res, body := c.Do("POST", "/api/v1/findings/evaluate", nil, h); res.StatusCode != 200 {
				b.Fatalf("evaluate: %d %s", res.StatusCode, body)
			}
			b.Logf("evaluate %d: %+v", i, *stateOf(b, c, "1s").Last)
		}
	})
	// FromScratch: the first evaluation of a freshly started process, whose records hold the
	// findings the previous process stored (it compares with their fingerprints).
	// FromScratchEmpty: the same with no finding stored (a new organisation, or findings
	// from before fingerprints were kept): every finding is written.
	b.Run("FromScratch", func(b *testing.B) { benchFromScratch(b, env, org, false) })
	b.Run("FromScratchEmpty", func(b *testing.B) { benchFromScratch(b, env, org, true) })
}

func benchFromScratch(b *testing.B, env *apptest.Env, org int64, empty bool) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if empty {
			err := env.App.DB.WriteTenant(store.WithOrg(context.Background(), org), func(t *store.Tenant) error {
				// Nothing stored: no finding, no reason.
				if _, err := t.Exec(`DELETE FROM findings WHERE org_id = $1`); err != nil {
					return err
				}
				_, err := t.Exec(`DELETE FROM finding_reasons WHERE org_id = $1`)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		// A freshly started process on the same records (its own data directory: the running
		// one holds the log vault's lock).
		cfg := env.App.Cfg
		cfg.Data = b.TempDir()
		a, err := app.Open(context.Background(), cfg, log)
		if err != nil {
			b.Fatal(err)
		}
		var ob *obligations.Module
		for _, m := range a.Modules {
			if o, ok := m.(*obligations.Module); ok {
				ob = o
			}
		}
		ctx := store.WithOrg(context.Background(), org)
		b.StartTimer()
		if _, err := ob.Evaluate(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		st, _ := ob.EvaluationState(ctx)
		b.Logf("from scratch (empty %v) %d: %+v", empty, i, *st.Last)
		a.Close()
		b.StartTimer()
	}
}

// orgOf is the signed-in user's organisation id.
func orgOf(b *testing.B, c *apptest.Client) int64 {
	b.Helper()
	res, body := c.Do("GET", "/api/v1/me", nil, nil)
	var me struct {
		Org struct {
			ID int64 `json:"id"`
		} `json:"org"`
		OrgID int64 `json:"org_id"`
	}
	if err := json.Unmarshal([]byte(body), &me); err != nil || res.StatusCode != 200 {
		b.Fatalf("me: %d %v %s", res.StatusCode, err, body)
	}
	if me.Org.ID != 0 {
		return me.Org.ID
	}
	if me.OrgID == 0 {
		b.Fatalf("no organisation in %s", body)
	}
	return me.OrgID
}
