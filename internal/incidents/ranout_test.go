package incidents_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/incidents"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestClockRunningOutReevaluates: a CII incident of grade 较大 or worse must be first
// reported within an hour of detection (IRM 2025 via CIIR 2021 Art. 18). Nothing is written
// when the hour passes, yet the finding of that duty must count the clock as overdue then,
// not at the next change or the next day's evaluation. The demo, seeded at 09:05 on the
// test's clock, has one such incident detected 15 minutes before (due 09:50); the test adds
// one detected at 08:35 (due 09:35). The expected counts are worked by hand from those.
func TestClockRunningOutReevaluates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		var mu sync.Mutex
		now := cstTime("2026-12-01 09:05")
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		set := func(s string) { mu.Lock(); defer mu.Unlock(); now = cstTime(s) }
		var inc *incidents.Module
		var mods []kernel.Module
		for _, m := range app.Modules() {
			if x, ok := m.(*incidents.Module); ok {
				x.Now, inc = clock, x
			}
			mods = append(mods, m)
		}
		env := apptest.StartWith(t, d, mods)
		sm := env.Login(t, "security@grid.demo")
		sys := ciiSystem(t, sm)
		res, body := sm.Do("POST", "/api/v1/incidents", nil, jsonHdr(sm.CSRF), fmt.Sprintf(`{"title":"客户信息泄露","type":"data","subtype":"leak","detected_at":"2026-12-01T08:35","systems":[%d],"impact":{"pi_leaked":1200000},"reporter":"值班员"}`, sys))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		op, _ := env.App.Auth.UserByEmail(context.Background(), "security@grid.demo")
		ctx := store.WithOrg(context.Background(), op.OrgID)
		status := func() (string, string) {
			t.Helper()
			if res, body := sm.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil, ""); res.StatusCode != http.StatusOK {
				t.Fatalf("evaluation state: %d %s", res.StatusCode, body)
			}
			res, body := sm.Do("GET", "/api/v1/findings?obligation=IRM-CII-1-HOUR-REPORT", nil, nil, "")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("findings: %d %s", res.StatusCode, body)
			}
			var out struct {
				Findings []struct {
					Status string `json:"status"`
					Reason struct {
						En string `json:"en"`
					} `json:"reason"`
				} `json:"findings"`
			}
			if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Findings) != 1 {
				t.Fatalf("findings of IRM-CII-1-HOUR-REPORT: %v %s", err, body)
			}
			return out.Findings[0].Status, out.Findings[0].Reason.En
		}
		for _, c := range []struct {
			at, want string
			overdue  int
		}{
			{"2026-12-01 09:20", "met", 0}, // both clocks run, within their hour
			{"2026-12-01 09:36", "gap", 1}, // the test's ran out at 09:35
			{"2026-12-01 09:45", "gap", 1},
			{"2026-12-01 09:51", "gap", 2}, // the demo's ran out at 09:50
		} {
			set(c.at)
			if err := inc.CheckClocks(ctx, clock()); err != nil {
				t.Fatal(err)
			}
			got, reason := status()
			want := fmt.Sprintf("CII incidents with the first report overdue = %d,", c.overdue)
			if got != c.want || !strings.Contains(reason, want) {
				t.Fatalf("at %s the finding is %q (%s), want %q with %q", c.at, got, reason, c.want, want)
			}
		}
	})
}
