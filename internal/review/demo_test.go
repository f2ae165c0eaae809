package review_test

import (
	"encoding/json"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestDemoReview: the demo shows the capability alive — a review under initial review whose
// clock runs after one pause for material (at most 4 working days not counted: asked 9 and
// supplied 5 calendar days ago), a purchase whose review failed and whose approval the gate
// refuses, and one approved purchase that needed no review; the dashboard shows the running
// review clock.
func TestDemoReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		_, body := sm.Do("GET", "/api/v1/review/procurements", nil, nil)
		var ps struct {
			Procurements []struct {
				ID        int64  `json:"id"`
				Title     string `json:"title"`
				Status    string `json:"status"`
				CaseState string `json:"case_state"`
				Required  bool   `json:"review_required"`
				Systems   []struct {
					ID   int64  `json:"id"`
					Name string `json:"name"`
				} `json:"systems"`
			} `json:"procurements"`
		}
		if err := json.Unmarshal([]byte(body), &ps); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		var failed int64
		for _, p := range ps.Procurements {
			got[p.Title] = p.Status + "/" + p.CaseState
			if p.CaseState == "not_cleared" {
				failed = p.ID
			}
		}
		// Issue 10 items 8 and 14: each purchase's page is titled with what is bought and
		// links every system it is for to the system's page.
		zh := map[string]string{"Accept-Language": "zh-CN"}
		linked := 0
		for _, p := range ps.Procurements {
			_, page := sm.Do("GET", "/review/procurements/"+strconv.FormatInt(p.ID, 10), nil, zh)
			if !strings.Contains(page, "<title>"+html.EscapeString(p.Title)+" · ciiguard</title>") {
				t.Errorf("purchase %d's page is not titled %q", p.ID, p.Title)
			}
			for _, s := range p.Systems {
				linked++
				if want := `<a href="/scope/systems/` + strconv.FormatInt(s.ID, 10) + `">` + html.EscapeString(s.Name) + `</a>`; !strings.Contains(page, want) {
					t.Errorf("purchase %d's page does not link its system: want %s", p.ID, want)
				}
			}
		}
		if linked == 0 {
			t.Error("no demo purchase names a system")
		}
		want := map[string]string{"电力监控系统安全区边界网关更换": "pending/initial_review", "境外云数据同步服务订阅": "pending/not_cleared", "办公网终端防病毒软件续订": "approved/"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("demo purchase %s: %q, want %q", k, got[k], v)
			}
		}
		if res, body := sm.Do("POST", "/api/v1/review/procurements/"+strconv.FormatInt(failed, 10)+"/approve", nil, jsonHdr(sm.CSRF)); res.StatusCode != http.StatusConflict || !strings.Contains(body, "RMB 5,000,000 to 50,000,000") {
			t.Errorf("approving the failed demo purchase: %d %s", res.StatusCode, body)
		}
		_, body = sm.Do("GET", "/api/v1/review/cases", nil, nil)
		var cs struct {
			Cases []struct {
				ID     int64             `json:"id"`
				Title  string            `json:"title"`
				State  string            `json:"state"`
				Pauses []json.RawMessage `json:"pauses"`
				Clock  *struct {
					Used       int  `json:"used"`
					PausedDays int  `json:"paused_days"`
					Paused     bool `json:"paused"`
				} `json:"clock"`
			} `json:"cases"`
		}
		if err := json.Unmarshal([]byte(body), &cs); err != nil {
			t.Fatal(err)
		}
		running := 0
		for _, c := range cs.Cases {
			if _, page := sm.Do("GET", "/review/cases/"+strconv.FormatInt(c.ID, 10), nil, zh); !strings.Contains(page, "<title>"+html.EscapeString(c.Title)+" · ciiguard</title>") {
				t.Errorf("review case %d's page is not titled %q", c.ID, c.Title)
			}
			if c.Clock != nil {
				running++
				if c.State != "initial_review" || c.Clock.Paused || len(c.Pauses) != 1 || c.Clock.PausedDays > 4 || c.Clock.Used < 1 {
					t.Errorf("the running demo clock: %s %+v", c.State, *c.Clock)
				}
			}
		}
		if running != 1 {
			t.Errorf("%d running review clocks in the demo, want 1", running)
		}
		if _, body := sm.Do("GET", "/", nil, nil); !strings.Contains(body, `id="review-clocks"`) || !strings.Contains(body, "电力监控系统安全区边界网关更换") {
			t.Error("the dashboard does not show the running review clock")
		}
	})
}
