package incidents_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/incidents"
	"ciiguard/internal/kernel"
	"ciiguard/internal/notify"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// recorder is the installation's kernel.Notifier in this test: it keeps every notice.
type recorder struct {
	mu   sync.Mutex
	got  []kernel.Notice
	orgs []int64
}

func (r *recorder) Name() string                                 { return "recorder" }
func (r *recorder) Migrations() []store.Migration                { return nil }
func (r *recorder) Provision(context.Context, kernel.Deps) error { return nil }
func (r *recorder) Register(kernel.Deps) error                   { return nil }
func (r *recorder) Notify(_ context.Context, org int64, n kernel.Notice) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got, r.orgs = append(r.got, n), append(r.orgs, org)
	return len(n.Roles), nil
}

// points lists the (subject, point) of the notices received since mark.
func (r *recorder) since(mark int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, n := range r.got[mark:] {
		out = append(out, n.Subject+" "+n.Point)
	}
	sort.Strings(out)
	return out
}

func (r *recorder) len() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.got) }

// TestAlerts: a new reportable incident alerts the security manager and the analysts through
// kernel.Notifier at once; its first-report clock alerts them again at 50% (30 minutes of the
// hour) and 90% (54 minutes), each once; a general incident alerts nobody; a sent report's
// clock alerts no more.
func TestAlerts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		var mu sync.Mutex
		now := time.Date(2026, 12, 1, 9, 5, 0, 0, calendar.Shanghai)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		set := func(s string) { mu.Lock(); defer mu.Unlock(); now = cstTime(s) }
		rec := &recorder{}
		var inc *incidents.Module
		var mods []kernel.Module
		for _, m := range app.Modules() {
			switch x := m.(type) {
			case *notify.Module:
				continue
			case *incidents.Module:
				x.Now, inc = clock, x
			}
			mods = append(mods, m)
		}
		env := apptest.StartWith(t, d, append(mods, rec))
		sm := env.Login(t, "security@grid.demo")
		sys := ciiSystem(t, sm)
		mark := rec.len()
		res, body := sm.Do("POST", "/api/v1/incidents", nil, jsonHdr(sm.CSRF), `{"title":"门户网站短暂中断","type":"equipment","subtype":"hardware","detected_at":"2026-12-01T09:00","impact":{"portal_down_min":20},"reporter":"值班员"}`)
		if res.StatusCode != http.StatusCreated || rec.len() != mark {
			t.Fatalf("a general incident: %d, %d notices: %s", res.StatusCode, rec.len()-mark, body)
		}
		res, body = sm.Do("POST", "/api/v1/incidents", nil, jsonHdr(sm.CSRF), fmt.Sprintf(`{"title":"客户信息泄露","type":"data","subtype":"leak","detected_at":"2026-12-01T09:00","systems":[%d],"impact":{"pi_leaked":1200000},"reporter":"值班员"}`, sys))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		var id int64
		fmt.Sscanf(body[strings.Index(body, `"id":`)+5:], "%d", &id)
		subject := fmt.Sprintf("incident:%d", id)
		got := rec.since(mark)
		if len(got) != 1 || got[0] != subject+" reportable" {
			t.Fatalf("after registering: %v", got)
		}
		n := rec.got[len(rec.got)-1]
		if n.Kind != incidents.KindReportable || fmt.Sprint(n.Roles) != fmt.Sprint([]auth.Role{auth.SecurityManager, auth.Analyst}) ||
			!strings.Contains(n.Body.Zh, "2026-12-01 10:00") || !strings.Contains(n.Body.Zh, "保护工作部门、公安机关") || n.Link != fmt.Sprintf("/incidents/%d", id) {
			t.Errorf("the notice: %+v", n)
		}
		// A second one, reported at 09:10: its clock stopped before its first alert point.
		_, body = sm.Do("POST", "/api/v1/incidents", nil, jsonHdr(sm.CSRF), fmt.Sprintf(`{"title":"数据库泄露","type":"data","subtype":"leak","detected_at":"2026-12-01T09:00","systems":[%d],"impact":{"pi_leaked":2000000},"reporter":"值班员"}`, sys))
		var id2 int64
		fmt.Sscanf(body[strings.Index(body, `"id":`)+5:], "%d", &id2)
		_, body = sm.Do("POST", fmt.Sprintf("/api/v1/incidents/%d/reports", id2), nil, jsonHdr(sm.CSRF), `{"kind":"first"}`)
		var rid int64
		fmt.Sscanf(body[strings.Index(body, `"id":`)+5:], "%d", &rid)
		if res, body := sm.Do("POST", fmt.Sprintf("/api/v1/incidents/%d/reports/%d/send", id2, rid), nil, jsonHdr(sm.CSRF), `{"sent_at":"2026-12-01T09:04","to":["protection_dept","police"],"channel":"outside"}`); res.StatusCode != http.StatusOK {
			t.Fatalf("send: %d %s", res.StatusCode, body)
		}
		op, _ := env.App.Auth.UserByEmail(context.Background(), "security@grid.demo")
		ctx := store.WithOrg(context.Background(), op.OrgID)
		check := func(at string) []string {
			t.Helper()
			set(at)
			m := rec.len()
			if err := inc.CheckClocks(ctx, clock()); err != nil {
				t.Fatal(err)
			}
			var mine []string
			for _, s := range rec.since(m) {
				if strings.HasPrefix(s, subject+" ") {
					mine = append(mine, strings.TrimPrefix(s, subject+" "))
				}
			}
			return mine
		}
		for _, c := range []struct {
			at   string
			want string
		}{
			{"2026-12-01 09:29", ""},
			{"2026-12-01 09:30", "first-50"},
			{"2026-12-01 09:40", ""},
			{"2026-12-01 09:53", ""},
			{"2026-12-01 09:54", "first-90"},
			{"2026-12-01 09:58", ""},
		} {
			if got := strings.Join(check(c.at), ","); got != c.want {
				t.Errorf("at %s: %q, want %q", c.at, got, c.want)
			}
		}
		for _, s := range rec.since(0) {
			if strings.HasPrefix(s, fmt.Sprintf("incident:%d first-", id2)) {
				t.Errorf("the clock of a report sent at 09:04 alerted: %s", s)
			}
		}
	})
}

func cstTime(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}
