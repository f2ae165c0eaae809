package vulns_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestDemoVulns reads the demo through the API against what was worked out by hand: the
// dispatch platform's vulnerability (CVSS 3.1 9.8, critical, 7 days by the default policy)
// found 20 days ago is the one past its fix deadline, its 24-hour report made after 9 hours
// (met); the database's (8.8, high, 30 days) found 10 days ago and the PLC's (CVSS 4.0 9.3,
// critical) found 3 days ago are within theirs; the WAF's (6.5, medium) is fixed. The demo
// supplier's own vulnerability, found 6 hours ago, has its 2-day MIIT clock running; its
// firewall advisory, reported and fixed, is shared with the grid operator and reaches the two
// systems where the grid uses that firewall.
func TestDemoVulns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		var l struct{ Vulnerabilities []vuln }
		code, body := call(t, sm, "GET", "/api/v1/vulns", nil, &l)
		must(t, "list", code, http.StatusOK, body)
		want := map[string]struct {
			severity string
			score    float64
			fix      string
		}{
			"调度自动化平台软件远程代码执行漏洞": {"critical", 9.8, "overdue"},
			"关系型数据库权限提升漏洞":      {"high", 8.8, "running"},
			"可编程逻辑控制器固件认证绕过漏洞":  {"critical", 9.3, "running"},
			"应用防火墙规则绕过漏洞":       {"medium", 6.5, "met"},
		}
		if len(l.Vulnerabilities) != len(want) {
			t.Fatalf("%d demo vulnerabilities, want %d", len(l.Vulnerabilities), len(want))
		}
		overdue := 0
		for _, v := range l.Vulnerabilities {
			w, ok := want[v.Title]
			st, _ := v.clock("fix")
			if !ok || v.Severity != w.severity || v.Score != w.score || st != w.fix {
				t.Errorf("%s: %s %.1f fix %s; want %+v", v.Title, v.Severity, v.Score, st, w)
			}
			if st == "overdue" {
				overdue++
				if a, _ := v.clock("authority_report"); a != "met" {
					t.Errorf("%s: 24-hour report %s, want met", v.Title, a)
				}
				if !slices.Equal(v.systemNames(), []string{"调度自动化系统（D5000）"}) {
					t.Errorf("%s: systems %v", v.Title, v.systemNames())
				}
			}
		}
		if overdue != 1 {
			t.Errorf("%d past their fix deadline, want 1", overdue)
		}
		su := env.Login(t, "user@supplier.demo")
		code, body = call(t, su, "GET", "/api/v1/vulns", nil, &l)
		must(t, "supplier list", code, http.StatusOK, body)
		if len(l.Vulnerabilities) != 2 {
			t.Fatalf("supplier: %d vulnerabilities, want the switch's and the firewall's advisory", len(l.Vulnerabilities))
		}
		for _, v := range l.Vulnerabilities {
			st, due := v.clock("miit_report")
			switch v.Title {
			case "工业交换机管理接口命令注入漏洞":
				if left := time.Until(mustTime(t, due)); st != "running" || left < 41*time.Hour || left > 43*time.Hour {
					t.Errorf("supplier's MIIT clock %s, %v left; want running, 42 h", st, left)
				}
			case "工业防火墙网页管理界面身份认证绕过漏洞":
				if st != "met" || v.Status != "fixed" {
					t.Errorf("the shared advisory: MIIT clock %s, status %s; want met (reported after 20 h), fixed", st, v.Status)
				}
			default:
				t.Errorf("supplier: unexpected %q", v.Title)
			}
		}
		// The advisory is shared with the grid operator, whose register names the demo
		// supplier for 工业防火墙 3.6 on the substation and distribution systems (the
		// suppliers demo table), and with nobody else.
		var shared struct{ Advisories []received }
		code, body = call(t, sm, "GET", "/api/v1/shared-advisories", nil, &shared)
		must(t, "shared", code, http.StatusOK, body)
		if len(shared.Advisories) != 1 || shared.Advisories[0].Advisory.Title != "工业防火墙网页管理界面身份认证绕过漏洞" || shared.Advisories[0].SupplierZH != "示例安全设备有限公司" {
			t.Fatalf("grid's shared advisories %+v", shared.Advisories)
		}
		if got, want := shared.Advisories[0].systemNames(), []string{"变电站综合自动化监控系统", "配电自动化系统"}; !slices.Equal(got, want) {
			t.Errorf("the shared advisory reaches %v, want %v", got, want)
		}
	})
}
