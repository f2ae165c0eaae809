package app_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
)

// TestBrowserFilingAnsweredInChinese is the two-sided exchange, in Chinese: the grid
// operator's security manager files a change report on 报送与答复 → it appears in the
// regulator's inbox as 已报送 → the regulator's analyst accepts it (受理) with a note →
// the operator's list shows 已受理 and the note.
func TestBrowserFilingAnsweredInChinese(t *testing.T) {
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	const title, note = "调度数据网接入变化报告", "材料齐全，同意受理，请按期完成整改。"
	signIn(t, ctx, env, "security@grid.demo")
	steps(t, ctx, "file a change report, in Chinese",
		chromedp.Navigate(env.URL+"/filings"),
		chromedp.WaitVisible(chromedp.CSS(`#do-file`)),
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
		chromedp.Navigate(env.URL+"/filings"),
		chromedp.WaitVisible(chromedp.CSS(`#do-file`)),
		chromedp.SetValue(chromedp.CSS(`#kind`), "change_report"),
		chromedp.SetValue(chromedp.CSS(`#title_zh`), title),
		chromedp.SetValue(chromedp.CSS(`#title_en`), "Change report: dispatch data network"),
		chromedp.SetValue(chromedp.CSS(`#text`), "新增两处接入点。"),
		chromedp.Click(chromedp.CSS(`#do-file`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	first := text(ctx, t, `#filed tbody tr:first-child`)
	if !strings.Contains(first, title) || !strings.Contains(first, "已报送") {
		t.Fatalf("the newest filing reads %q; want %s, 已报送", first, title)
	}
	steps(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#email`)))

	signIn(t, ctx, env, "analyst@regulator.demo")
	// The language cookie may say Chinese already (chosen above): inChinese does not click
	// the current language, whose form post the next navigation would abort.
	steps(t, ctx, "open the inbox", chromedp.Navigate(env.URL+"/oversight?kind=change_report&state=submitted"), chromedp.WaitVisible(chromedp.CSS(`#inbox`)))
	inChinese(t, ctx, env, "/oversight?kind=change_report&state=submitted")
	steps(t, ctx, "read the inbox in Chinese", chromedp.WaitVisible(chromedp.CSS(`#inbox tbody tr`)))
	row := text(ctx, t, `#inbox tbody tr:first-child`)
	if !strings.Contains(row, title) || !strings.Contains(row, "示例电网有限公司") || !strings.Contains(row, "已报送") {
		t.Fatalf("the inbox's newest change report reads %q", row)
	}
	steps(t, ctx, "accept with a note",
		chromedp.Click(chromedp.CSS(`#inbox tbody tr:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`#do-answer`)),
		chromedp.SetValue(chromedp.CSS(`#action`), "accepted"),
		chromedp.SetValue(chromedp.CSS(`#note`), note),
		chromedp.Click(chromedp.CSS(`#do-answer`)),
		chromedp.WaitVisible(chromedp.CSS(`#state[data-state="accepted"]`)),
	)
	steps(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#email`)))

	signIn(t, ctx, env, "security@grid.demo")
	steps(t, ctx, "read the answer", chromedp.Navigate(env.URL+"/filings"), chromedp.WaitVisible(chromedp.CSS(`#filed`)))
	first = text(ctx, t, `#filed tbody tr:first-child`)
	if !strings.Contains(first, title) || !strings.Contains(first, "已受理") || !strings.Contains(first, note) {
		t.Fatalf("the operator's filing reads %q; want 已受理 and the note", first)
	}
}
