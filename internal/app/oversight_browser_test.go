package app_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
)

// TestBrowserFilingAnsweredInChinese is the two-sided exchange, in Chinese. The grid
// operator's security manager submits its signed-off annual report from its page
// (报送保护工作部门) and files a change report on 报送与答复 → the regulator's analyst
// follows the dashboard's count of energy annual reports to the inbox filtered to them (as
// many rows as the number said), opens the report just filed, sees its signature verified
// with the fingerprint the operator's report page prints, and accepts it (受理); finds the
// change report in the inbox as 已报送 and accepts it with a note → the operator's list
// shows 已受理 and the note, and the report's page 已接受.
func TestBrowserFilingAnsweredInChinese(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	const title, note = "调度数据网接入变化报告", "材料齐全，同意受理，请按期完成整改。"
	last := 0 // the year of the demo's signed-off annual report (thirteen months ago)
	var reps struct {
		Reports []struct {
			ID    int64  `json:"id"`
			Kind  string `json:"kind"`
			Year  int    `json:"year"`
			State string `json:"state"`
		} `json:"reports"`
	}
	if _, body := env.Login(t, "security@grid.demo").Do("GET", "/api/v1/reports", nil, nil); json.Unmarshal([]byte(body), &reps) != nil {
		t.Fatalf("reports: %s", body)
	}
	report := ""
	for _, r := range reps.Reports {
		if r.Kind == "annual" && r.State == "signed_off" {
			last = r.Year
			report = "/reports/" + strconv.FormatInt(r.ID, 10)
		}
	}
	if report == "" {
		t.Fatalf("the demo has no signed-off annual report")
	}

	signIn(t, ctx, env, "security@grid.demo")
	steps(t, ctx, "the annual report's page", chromedp.Navigate(env.URL+report), chromedp.WaitVisible(chromedp.CSS(`#submit`)))
	inChinese(t, ctx, env, report)
	steps(t, ctx, "submit the annual report",
		chromedp.WaitVisible(chromedp.CSS(`#submit`)),
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#submissions`)),
	)
	fingerprint := text(ctx, t, `#fingerprint`)
	if row := text(ctx, t, `#submissions tbody tr:first-child`); !strings.Contains(row, "已报送") || !strings.HasPrefix(strings.TrimSpace(row), "1") {
		t.Fatalf("the report's submission reads %q; want version 1, 已报送", row)
	}
	steps(t, ctx, "file a change report, in Chinese",
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
	inChinese(t, ctx, env, "/")
	const energy = `#d-sectors tr[data-sector="energy"] td.annual-reports a`
	steps(t, ctx, "the dashboard", chromedp.WaitVisible(chromedp.CSS(energy)))
	n, err := strconv.Atoi(strings.TrimSpace(text(ctx, t, energy)))
	if err != nil || n < 1 {
		t.Fatalf("energy's annual reports read %q", text(ctx, t, energy))
	}
	steps(t, ctx, "follow energy's annual reports to the inbox", chromedp.Click(chromedp.CSS(energy)), chromedp.WaitVisible(chromedp.CSS(`#inbox tbody tr`)))
	if rows := eval[int](ctx, t, `document.querySelectorAll('#inbox tbody tr').length`); rows != n {
		t.Fatalf("the dashboard counts %d energy annual reports, the inbox it links to lists %d", n, rows)
	}
	row := text(ctx, t, `#inbox tbody tr:first-child`)
	if !strings.Contains(row, fmt.Sprintf("%d年度", last)) || !strings.Contains(row, "示例电网有限公司") || !strings.Contains(row, "已报送") {
		t.Fatalf("the newest energy annual report reads %q", row)
	}
	steps(t, ctx, "open the annual report",
		chromedp.Click(chromedp.CSS(`#inbox tbody tr:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`#signed`)),
	)
	if v := eval[string](ctx, t, `document.querySelector('#signed').dataset.verified`); v != "true" || !strings.Contains(text(ctx, t, `#signed`), "签名验证通过") {
		t.Fatalf("the annual report's signature reads %q (verified %s)", text(ctx, t, `#signed`), v)
	}
	if got := text(ctx, t, `#key-fingerprint`); got != fingerprint {
		t.Fatalf("the inbox names key %s; the operator's report page prints %s", got, fingerprint)
	}
	steps(t, ctx, "accept the annual report",
		chromedp.SetValue(chromedp.CSS(`#action`), "accepted"),
		chromedp.SetValue(chromedp.CSS(`#note`), "年度报告已受理。"),
		chromedp.Click(chromedp.CSS(`#do-answer`)),
		chromedp.WaitVisible(chromedp.CSS(`#state[data-state="accepted"]`)),
	)
	steps(t, ctx, "open the inbox", chromedp.Navigate(env.URL+"/oversight?kind=change_report&state=submitted"), chromedp.WaitVisible(chromedp.CSS(`#inbox tbody tr`)))
	row = text(ctx, t, `#inbox tbody tr:first-child`)
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
	steps(t, ctx, "the report's page", chromedp.Navigate(env.URL+report), chromedp.WaitVisible(chromedp.CSS(`#submissions`)))
	if row := text(ctx, t, `#submissions tbody tr:first-child`); !strings.Contains(row, "已接受") {
		t.Fatalf("the report's submission reads %q; want 已接受", row)
	}
}
