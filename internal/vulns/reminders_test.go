package vulns_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/notify"
	"ciiguard/internal/notify/notifytest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/vulns"
)

// TestClockRemindersAndReevaluation: the demo is seeded at 09:00 on 1 December 2026 (China
// time) on the test's clock. The grid then records a vulnerability found at 08:00 that
// endangers national security: its 24-hour report (NDSR 2024 Art. 10) is due at 08:00 on 2
// December; half its time is gone at 20:00 on 1 December, nine tenths at 05:36 on 2 December
// (21.6 hours) — worked by hand. Each point sends one e-mail, read back from a real SMTP
// server, to the grid's administrator and cybersecurity manager, naming the due time in
// Beijing time; a second check at the same point sends nothing. Nothing is written when the
// 24 hours pass, yet the finding of NDSR-VULNERABILITY-24H-REPORT turns from met to gap then,
// not at the next change. The demo supplier's switch, found at 03:00 on 1 December, reaches
// half of its two days (PVP 2021 Art. 7) at 03:00 on 2 December: its user gets that one
// reminder in the same run. The demo's dispatch platform vulnerability, 20 days open on a
// 7-day fix deadline, is overdue from the first check: one overdue reminder to the
// administrator, the cybersecurity manager and the system owner.
func TestClockRemindersAndReevaluation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		mail := notifytest.Start(t)
		var mu sync.Mutex
		now := bj(t, "2026-12-01 09:00")
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		var vm *vulns.Module
		var n *notify.Module
		var mods []kernel.Module
		for _, m := range app.Modules() {
			switch x := m.(type) {
			case *vulns.Module:
				x.Now, vm = clock, x
			case *notify.Module:
				n = x
			}
			mods = append(mods, m)
		}
		n.SetMail(notify.Mail{Addr: mail.Addr, From: "ciiguard@grid.demo", Security: "none"}, "https://ciiguard.example.cn")
		env := apptest.StartWith(t, d, mods)
		bg := context.Background()
		grid := store.WithOrg(bg, orgOf(t, env, "security@grid.demo"))
		supplier := store.WithOrg(bg, orgOf(t, env, "user@supplier.demo"))
		sm := env.Login(t, "security@grid.demo")
		fw := productID(t, sm, "下一代防火墙", "6.4")
		const title = "防火墙会话劫持漏洞"
		code, body := call(t, sm, "POST", "/api/v1/vulns", map[string]any{"title": title, "severity": "medium", "national_security": true,
			"discovered_at": "2026-12-01T08:00", "products": []map[string]any{{"product_id": fw}}}, nil)
		must(t, "record", code, http.StatusCreated, body)

		// mailsAt checks the clocks of both organisations at the time given and returns the
		// e-mails that run sent, as "recipient: subject".
		mailsAt := func(at string) []string {
			t.Helper()
			mu.Lock()
			now = bj(t, at)
			mu.Unlock()
			mark := len(mail.Messages())
			for _, ctx := range []context.Context{grid, supplier} {
				if err := vm.CheckClocks(ctx, clock()); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := n.Deliver(bg); err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range mail.Messages()[mark:] {
				for _, to := range m.To {
					out = append(out, to+": "+m.Subject)
				}
				if strings.Contains(m.Subject, title) && !strings.Contains(m.Body, "2026-12-02 08:00（北京时间）") {
					t.Errorf("the reminder %q does not name the due time: %q", m.Subject, m.Body)
				}
			}
			slices.Sort(out)
			return out
		}
		finding := func() string {
			t.Helper()
			if res, body := sm.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil, ""); res.StatusCode != http.StatusOK {
				t.Fatalf("evaluation state: %d %s", res.StatusCode, body)
			}
			res, body := sm.Do("GET", "/api/v1/findings?obligation=NDSR-VULNERABILITY-24H-REPORT", nil, nil, "")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("findings: %d %s", res.StatusCode, body)
			}
			var out struct {
				Findings []struct {
					Status string `json:"status"`
				} `json:"findings"`
			}
			if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Findings) != 1 {
				t.Fatalf("findings of NDSR-VULNERABILITY-24H-REPORT: %v %s", err, body)
			}
			return out.Findings[0].Status
		}
		ours := func(got []string) []string {
			var out []string
			for _, g := range got {
				if strings.Contains(g, title) || strings.Contains(g, "工业交换机") {
					out = append(out, g)
				}
			}
			return out
		}

		const dispatch = "漏洞修复（本单位时限策略）已超期：调度自动化平台软件远程代码执行漏洞"
		first := mailsAt("2026-12-01 19:59")
		var overdue []string
		for _, g := range first {
			if strings.HasSuffix(g, dispatch) {
				overdue = append(overdue, g)
			}
		}
		if want := []string{"admin@grid.demo: " + dispatch, "owner@grid.demo: " + dispatch, "security@grid.demo: " + dispatch}; !slices.Equal(overdue, want) {
			t.Errorf("the dispatch platform's overdue fix: %v, want %v (all %v)", overdue, want, first)
		}
		if got := ours(first); len(got) != 0 {
			t.Errorf("before half the time: %v", got)
		}
		if got := finding(); got != "met" {
			t.Errorf("at 19:59 the 24-hour duty is %q, want met", got)
		}
		half := "漏洞向有关主管部门报告（24小时）时限已过50%：" + title
		if got, want := ours(mailsAt("2026-12-01 20:00")), []string{"admin@grid.demo: " + half, "security@grid.demo: " + half}; !slices.Equal(got, want) {
			t.Errorf("at half the time: %v, want %v", got, want)
		}
		if got := ours(mailsAt("2026-12-01 20:30")); len(got) != 0 {
			t.Errorf("a second check at the same point sent %v", got)
		}
		nine := "漏洞向有关主管部门报告（24小时）时限已过90%：" + title
		sw := "漏洞向工业和信息化部网络安全威胁和漏洞信息共享平台报送（2日）时限已过50%：工业交换机管理接口命令注入漏洞"
		if got, want := ours(mailsAt("2026-12-02 05:36")), []string{"admin@grid.demo: " + nine, "security@grid.demo: " + nine, "user@supplier.demo: " + sw}; !slices.Equal(got, want) {
			t.Errorf("at nine tenths: %v, want %v", got, want)
		}
		if got := ours(mailsAt("2026-12-02 08:00")); len(got) != 0 {
			t.Errorf("at the due minute: %v", got)
		}
		if got := finding(); got != "met" {
			t.Errorf("at 08:00 the 24-hour duty is %q, want met", got)
		}
		late := "漏洞向有关主管部门报告（24小时）已超期：" + title
		if got, want := ours(mailsAt("2026-12-02 08:01")), []string{"admin@grid.demo: " + late, "security@grid.demo: " + late}; !slices.Equal(got, want) {
			t.Errorf("past the due time: %v, want %v", got, want)
		}
		if got := finding(); got != "gap" {
			t.Errorf("at 08:01 the 24-hour duty is %q, want gap (re-evaluated when the clock ran out)", got)
		}
	})
}

// bj reads a China-time minute.
func bj(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return at
}
