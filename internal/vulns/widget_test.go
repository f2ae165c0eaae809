package vulns_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestDashboardClocks reads the dashboards in Chinese against the demo table worked by hand
// (TestDemoVulns): the grid's clocks without an end are the dispatch platform's fix, 13 days
// past its 7 days; the PLC's fix, 4 days left of 7; the database's fix, 20 days left of 30 —
// in that order, the overdue one marked 已超期; its 24-hour report, made, and the fixed WAF are
// not there. The demo supplier's are its switch's two-day MIIT report, then its 30-day fix.
func TestDashboardClocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		card := regexp.MustCompile(`(?s)<section class="card" id="vuln-clocks">.*?</section>`)
		entry := regexp.MustCompile(`<a href="/vulns/\d+">([^<]+)</a> · ([^·]+) ·`)
		for _, c := range []struct {
			user string
			want []string
			also []string // patterns: a running clock's time left is seconds short of a whole hour, or not
		}{
			{"security@grid.demo", []string{"调度自动化平台软件远程代码执行漏洞 修复", "可编程逻辑控制器固件认证绕过漏洞 修复", "关系型数据库权限提升漏洞 修复"}, []string{"漏洞报送和修复时限", "已超期（超出 13 天 0 小时", "剩余 (3 天 23|4 天 0) 小时"}},
			{"user@supplier.demo", []string{"工业交换机管理接口命令注入漏洞 向工业和信息化部共享平台报送（2日）", "工业交换机管理接口命令注入漏洞 修复"}, []string{"剩余 1 天 (17|18) 小时"}},
		} {
			_, page := env.Login(t, c.user).Do("GET", "/", nil, map[string]string{"Accept-Language": "zh-CN"})
			sec := card.FindString(page)
			var got []string
			for _, m := range entry.FindAllStringSubmatch(sec, -1) {
				got = append(got, m[1]+" "+strings.TrimSpace(m[2]))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s's dashboard clocks: %q, want %q", c.user, got, c.want)
			}
			for _, w := range c.also {
				if !regexp.MustCompile(w).MatchString(sec) {
					t.Errorf("%s's dashboard card lacks %q:\n%s", c.user, w, sec)
				}
			}
		}
	})
}
