package app_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
)

// TestBrowserVulnerabilityImportInChinese walks the vulnerability capability's path in
// Chinese: the grid operator's security manager sees the demo's dispatch-platform
// vulnerability 已超期 on 漏洞管理; imports the vendor's CSAF advisory
// (internal/vulns/testdata/jinghua-sa-2026-017.json) and reads in the preview, before
// anything is added, that the firewall's vulnerability reaches 调度数据网 and 数据中心网络 (the
// suppliers demo table: 下一代防火墙 6.4 is used there) while the WAF 4.0 is not in the
// register; adds both; opens the firewall's record, whose affected systems are those two,
// whose fix deadline is the discovery (2026-11-20 09:00 Beijing) plus the default 7 days for
// a critical one — 2026-11-27 09:00（北京时间）, 已超期 — cited to the organisation's
// policy; and is refused the export of the demo's undisclosed PLC vulnerability to a party in
// the US, citing Art. 9 of the Provisions.
func TestBrowserVulnerabilityImportInChinese(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	advisory, err := filepath.Abs("../vulns/testdata/jinghua-sa-2026-017.json")
	if err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, env, "security@grid.demo")
	steps(t, ctx, "open 漏洞管理", chromedp.Navigate(env.URL+"/vulns"), chromedp.WaitVisible(chromedp.CSS(`#vuln-list`)))
	if eval[string](ctx, t, `document.querySelector('button.current').dataset.lang`) != "zh-CN" {
		steps(t, ctx, "switch to Chinese",
			chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
			chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
			chromedp.Navigate(env.URL+"/vulns"),
			chromedp.WaitVisible(chromedp.CSS(`#vuln-list`)),
		)
	}
	if got := text(ctx, t, `#vuln-list tr.late`); !strings.Contains(got, "调度自动化平台软件远程代码执行漏洞") || !strings.Contains(got, "修复：已超期") {
		t.Fatalf("the late row reads %q; want the dispatch platform's vulnerability, 修复：已超期", got)
	}
	steps(t, ctx, "preview the advisory",
		chromedp.SetValue(chromedp.CSS(`#im-format`), "csaf"),
		chromedp.SetUploadFiles(chromedp.CSS(`#im-file`), []string{advisory}),
		chromedp.Click(chromedp.CSS(`#do-preview`)),
		chromedp.WaitVisible(chromedp.CSS(`#preview`)),
	)
	if got := text(ctx, t, `#import-summary`); got != "将添加 2 个漏洞，拒绝 0 处。" {
		t.Fatalf("summary %q", got)
	}
	if got := text(ctx, t, `#items tbody tr:nth-child(1)`); !strings.Contains(got, "CVE-2026-41234") || !strings.Contains(got, "调度数据网") || !strings.Contains(got, "数据中心网络") {
		t.Fatalf("the firewall's row reads %q; want CVE-2026-41234 reaching 调度数据网 and 数据中心网络", got)
	}
	if got := text(ctx, t, `#items tbody tr:nth-child(2)`); !strings.Contains(got, "不在产品台账中") {
		t.Fatalf("the WAF 4.0 row reads %q; want 不在产品台账中", got)
	}
	steps(t, ctx, "add them",
		chromedp.Click(chromedp.CSS(`#do-commit`)),
		chromedp.WaitVisible(chromedp.CSS(`#vuln-list`)),
	)
	if got := text(ctx, t, `main`); !strings.Contains(got, "已添加 2 个漏洞") {
		t.Fatalf("no confirmation after the commit: %.300q", got)
	}
	// The list is by discovery, latest first: go to the record by its title instead of its place.
	href := eval[string](ctx, t, `[...document.querySelectorAll('#vuln-list a')].find(a => a.textContent.includes('SSL VPN')).getAttribute('href')`)
	steps(t, ctx, "open the firewall's record", chromedp.Navigate(env.URL+href), chromedp.WaitVisible(chromedp.CSS(`#clocks`)))
	if got := text(ctx, t, `#affected-systems`); !strings.Contains(got, "调度数据网") || !strings.Contains(got, "数据中心网络") {
		t.Fatalf("affected systems %q", got)
	}
	if got := text(ctx, t, `#severity`); !strings.Contains(got, "严重") || !strings.Contains(got, "CVSS 3.1 评分 9.8") {
		t.Fatalf("severity %q", got)
	}
	if got := text(ctx, t, `#fix-due`); got != "2026-11-27 09:00（北京时间）" {
		t.Fatalf("fix deadline %q, want 2026-11-27 09:00（北京时间）", got)
	}
	if got := text(ctx, t, `#clocks tr[data-kind="fix"]`); !strings.Contains(got, "已超期") || !strings.Contains(got, "本单位漏洞修复时限策略") {
		t.Fatalf("fix clock %q; want 已超期 with the policy as its basis", got)
	}
	// The advisory is public (TLP:WHITE, final), so its record may go abroad; the demo's PLC
	// vulnerability is not disclosed.
	steps(t, ctx, "back to the list", chromedp.Navigate(env.URL+"/vulns"), chromedp.WaitVisible(chromedp.CSS(`#vuln-list`)))
	href = eval[string](ctx, t, `[...document.querySelectorAll('#vuln-list a')].find(a => a.textContent.includes('可编程逻辑控制器')).getAttribute('href')`)
	steps(t, ctx, "open the PLC's record", chromedp.Navigate(env.URL+href), chromedp.WaitVisible(chromedp.CSS(`#export-form`)))
	steps(t, ctx, "export it to a party abroad",
		chromedp.SetValue(chromedp.CSS(`#ex-to`), "Example Security LLC"),
		chromedp.SetValue(chromedp.CSS(`#ex-country`), "US"),
		chromedp.Submit(chromedp.CSS(`#ex-to`)),
		chromedp.WaitVisible(chromedp.CSS(`#ex-country-error`)),
	)
	if got := text(ctx, t, `#ex-country-error`); !strings.Contains(got, "《网络产品安全漏洞管理规定》（2021年）第九条") || !strings.Contains(got, "尚未公开") {
		t.Fatalf("refusal %q; want the Art. 9 citation", got)
	}
}
