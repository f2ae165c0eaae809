package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
)

// TestBrowserIdentificationNoticeInChinese is the identification notice both ways, in
// Chinese: the regulator's analyst finds the water operator in the registry (not
// identified), records and sends a notice naming the operator's dispatch system → the
// operator's security manager reads it on 报送与答复 with its date and number, and the
// system it names is identified (已认定) → the registry lists the operator among the
// identified with the notice's date, and its CSV export (Chinese headers) holds the row.
func TestBrowserIdentificationNoticeInChinese(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	// The water operator's inventory has one system, entered through its own API.
	water := env.Login(t, "security@water.demo")
	if res, body := water.Do("POST", "/api/v1/scope/systems", nil, map[string]string{"X-CSRF-Token": water.CSRF, "Content-Type": "application/json"},
		`{"name":"供水调度系统","sector":"water","mlps_level":3,"graded_on":"2025-01-02"}`); res.StatusCode != 201 {
		t.Fatalf("create the water operator's system: %d %s", res.StatusCode, body)
	}
	const ref = "示能监安认〔2026〕31号"
	on := time.Now().AddDate(0, 0, -3).Format("2006-01-02")

	signIn(t, ctx, env, "analyst@regulator.demo")
	steps(t, ctx, "find the water operator in the registry, in Chinese",
		chromedp.Navigate(env.URL+"/oversight/registry"),
		chromedp.WaitVisible(chromedp.CSS(`#registry`)),
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
		chromedp.Navigate(env.URL+"/oversight/registry"),
		chromedp.WaitVisible(chromedp.CSS(`#f-q`)),
		chromedp.SetValue(chromedp.CSS(`#f-q`), "水务"),
		chromedp.SetValue(chromedp.CSS(`#f-identified`), "no"),
		chromedp.Click(chromedp.CSS(`#do-filter`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-q[value="水务"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#registry tbody tr`)),
	)
	if row := text(ctx, t, `#registry tbody tr:first-child`); !strings.Contains(row, "示例水务有限公司") || !strings.Contains(row, "否") {
		t.Fatalf("the registry's row reads %q; want 示例水务有限公司, not identified (否)", row)
	}
	steps(t, ctx, "record and send the notice",
		chromedp.Click(chromedp.CSS(`#registry tbody tr:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`#do-notice`)),
		chromedp.SetValue(chromedp.CSS(`#ref`), ref),
		chromedp.SetValue(chromedp.CSS(`#issued_on`), on),
		chromedp.SetValue(chromedp.CSS(`#systems`), "供水调度系统"),
		chromedp.Click(chromedp.CSS(`#do-notice`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	if got := text(ctx, t, `#entry-identified`); !strings.Contains(got, "已认定（"+on+"）") {
		t.Fatalf("the entry reads %q after the notice; want 已认定（%s）", got, on)
	}
	steps(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#email`)))

	signIn(t, ctx, env, "security@water.demo")
	steps(t, ctx, "read the notice", chromedp.Navigate(env.URL+"/filings"), chromedp.WaitVisible(chromedp.CSS(`#notices`)))
	// The browser's language cookie may already say Chinese (the analyst chose it): a
	// second switch would reload the page under the next step's navigation.
	if eval[string](ctx, t, `document.querySelector('button.current').dataset.lang`) != "zh-CN" {
		steps(t, ctx, "switch to Chinese",
			chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
			chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
			chromedp.Navigate(env.URL+"/filings"),
		)
	}
	steps(t, ctx, "the notices", chromedp.WaitVisible(chromedp.CSS(`#notices tbody tr`)))
	row := text(ctx, t, `#notices tbody tr:first-child`)
	for _, want := range []string{on, ref, "示例能源监管局（演示）", "供水调度系统：已认定"} {
		if !strings.Contains(row, want) {
			t.Errorf("the operator's notice reads %q; want %s", row, want)
		}
	}
	steps(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#email`)))

	signIn(t, ctx, env, "analyst@regulator.demo")
	steps(t, ctx, "the registry's identified operators",
		chromedp.Navigate(env.URL+"/oversight/registry?identified=yes&q=%E6%B0%B4%E5%8A%A1"),
		chromedp.WaitVisible(chromedp.CSS(`#registry tbody tr`)),
	)
	if row := text(ctx, t, `#registry tbody tr:first-child`); !strings.Contains(row, "示例水务有限公司") || !strings.Contains(row, "已认定（"+on+"）") {
		t.Fatalf("the registry's row reads %q; want the water operator identified on %s", row, on)
	}
	csvText, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('#export-csv').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("export csv: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(csvText), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "统一社会信用代码") || !strings.Contains(lines[1], "示例水务有限公司") || !strings.Contains(lines[1], on) || !strings.Contains(lines[1], ref) {
		t.Errorf("the export reads %q; want the Chinese header and the water operator's row with %s and %s", csvText, on, ref)
	}
}
