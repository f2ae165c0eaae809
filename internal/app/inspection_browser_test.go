package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
	"ciiguard/internal/oversight"
	"ciiguard/internal/store"
)

// inChinese switches the page to Chinese unless the browser context's language cookie
// already says so, and opens path again.
func inChinese(t *testing.T, ctx context.Context, env *apptest.Env, path string) {
	t.Helper()
	if eval[string](ctx, t, `document.querySelector('button.current').dataset.lang`) == "zh-CN" {
		return
	}
	steps(t, ctx, "switch to Chinese",
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
		chromedp.Navigate(env.URL+path),
	)
}

// TestBrowserInspectionInChinese walks an inspection in Chinese: the regulator's
// administrator opens one of the grid operator naming its dispatch system and its logs for
// two days → the inspector reads the system (its responsible person as the operator's
// own API gives it) and one hour of logs → the inspection's page shows both reads, and so
// does the operator's copy on 报送与答复, and both audit trails list 检查查阅 → the
// inspector reproduces a bundle from the page, which verifies offline, and fails with one
// byte changed or one line dropped.
func TestBrowserInspectionInChinese(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	const system, ref = "调度自动化系统（D5000）", "示能监安检〔2026〕21号"
	var own struct {
		Systems []struct {
			Name              string `json:"name"`
			ResponsiblePerson string `json:"responsible_person"`
		} `json:"systems"`
	}
	grid := env.Login(t, "security@grid.demo")
	if _, body := grid.Do("GET", "/api/v1/scope/systems?per_page=100", nil, nil); !strings.Contains(body, system) {
		t.Fatalf("the grid's systems lack %s", system)
	} else if err := json.Unmarshal([]byte(body), &own); err != nil {
		t.Fatal(err)
	}
	person := ""
	for _, s := range own.Systems {
		if s.Name == system {
			person = s.ResponsiblePerson
		}
	}
	now := time.Now().In(calendar.Shanghai)
	today, yesterday := now.Format("2006-01-02"), now.AddDate(0, 0, -1).Format("2006-01-02")

	signIn(t, ctx, env, "admin@regulator.demo")
	steps(t, ctx, "the inspections page", chromedp.Navigate(env.URL+"/oversight/inspections"), chromedp.WaitVisible(chromedp.CSS(`#inspections`)))
	inChinese(t, ctx, env, "/oversight/inspections")
	steps(t, ctx, "open an inspection of the grid",
		chromedp.WaitVisible(chromedp.CSS(`#do-open-inspection`)),
		chromedp.SetValue(chromedp.CSS(`#entry_id`), optionValue(ctx, t, `#entry_id`, "示例电网有限公司")),
		chromedp.SetValue(chromedp.CSS(`#ref`), ref),
		chromedp.Click(chromedp.CSS(`#area-systems`)),
		chromedp.Click(chromedp.CSS(`#area-logs`)),
		chromedp.SetValue(chromedp.CSS(`#systems`), system),
		chromedp.SetValue(chromedp.CSS(`#period_from`), yesterday),
		chromedp.SetValue(chromedp.CSS(`#period_to`), today),
		chromedp.SetValue(chromedp.CSS(`#ends_at`), now.AddDate(0, 0, 7).Format("2006-01-02")),
		chromedp.Click(chromedp.CSS(`#do-open-inspection`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	inspPath := eval[string](ctx, t, `location.pathname`)
	if got := text(ctx, t, `#insp-areas`); got != "网络设施和信息系统、日志" {
		t.Errorf("the scope reads %q; want 网络设施和信息系统、日志", got)
	}
	if got := text(ctx, t, `#insp-basis`); !strings.Contains(got, "第二十六条至第二十八条") {
		t.Errorf("the basis reads %q", got)
	}
	steps(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#email`)))

	signIn(t, ctx, env, "inspector@regulator.demo")
	steps(t, ctx, "the inspection", chromedp.Navigate(env.URL+inspPath), chromedp.WaitVisible(chromedp.CSS(`#read-systems`)))
	inChinese(t, ctx, env, inspPath)
	steps(t, ctx, "read the system",
		chromedp.WaitVisible(chromedp.CSS(`#read-systems`)),
		chromedp.Click(chromedp.CSS(`#read-systems`)),
		chromedp.WaitVisible(chromedp.CSS(`#records tbody tr a`)),
		chromedp.Click(chromedp.CSS(`#records tbody tr a`)),
		chromedp.WaitVisible(chromedp.CSS(`#record`)),
	)
	if rec := text(ctx, t, `#record table`); !strings.Contains(rec, "安全责任人") || !strings.Contains(rec, person) || !strings.Contains(rec, "已认定") {
		t.Errorf("the system read reads %q; want 安全责任人 %s and 已认定", rec, person)
	}
	from, to := now.Add(-3*time.Hour).Format("2006-01-02T15:04"), now.Add(-2*time.Hour).Format("2006-01-02T15:04")
	steps(t, ctx, "read an hour of logs",
		chromedp.Navigate(env.URL+inspPath),
		chromedp.WaitVisible(chromedp.CSS(`#do-read-logs`)),
		chromedp.SetValue(chromedp.CSS(`#from`), from),
		chromedp.SetValue(chromedp.CSS(`#to`), to),
		chromedp.Click(chromedp.CSS(`#do-read-logs`)),
		chromedp.WaitVisible(chromedp.CSS(`#events tbody tr`)),
	)
	if got := text(ctx, t, `#log-range`); got != strings.ReplaceAll(from, "T", " ")+" – "+strings.ReplaceAll(to, "T", " ") {
		t.Errorf("the log page's range reads %q; want %s – %s", got, from, to)
	}
	events := eval[int](ctx, t, `document.querySelectorAll('#events tbody tr').length`)
	steps(t, ctx, "back to the inspection", chromedp.Navigate(env.URL+inspPath), chromedp.WaitVisible(chromedp.CSS(`#reproduce`)))
	bundle, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('#reproduce').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("reproduce: %v", err)
	}
	rep, err := oversight.VerifyBundle(strings.NewReader(bundle), "")
	if err != nil {
		t.Fatalf("the bundle from the page does not verify: %v", err)
	}
	if rep.Records != 1 || rep.LogEvents < events {
		t.Errorf("the bundle holds %d records and %d log events; want the system and at least the %d events read", rep.Records, rep.LogEvents, events)
	}
	b := []byte(bundle)
	i := bytes.Index(b, []byte(person))
	b[i] ^= 1
	if _, err := oversight.VerifyBundle(bytes.NewReader(b), ""); err == nil {
		t.Error("the bundle with one byte changed verifies")
	}
	lines := strings.SplitAfter(bundle, "\n")
	if _, err := oversight.VerifyBundle(strings.NewReader(lines[0]+strings.Join(lines[2:], "")), ""); err == nil {
		t.Error("the bundle with its record dropped verifies")
	}

	// Both sides read the same reads.
	wantReads := []string{"查阅列表", "查阅记录", "查阅日志", "复制导出"}
	readsOn := func(side string) {
		t.Helper()
		rows := eval[[]string](ctx, t, `[...document.querySelectorAll('#reads tbody tr')].map(r => r.cells[2].innerText + ' ' + r.cells[1].innerText)`)
		if len(rows) != len(wantReads) {
			t.Fatalf("%s sees reads %q; want %v", side, rows, wantReads)
		}
		for i, w := range wantReads {
			if !strings.HasPrefix(rows[i], w+" inspector@regulator.demo") {
				t.Errorf("%s: read %d is %q; want %s by the inspector", side, i+1, rows[i], w)
			}
		}
	}
	steps(t, ctx, "the regulator's record of the reads", chromedp.Navigate(env.URL+inspPath), chromedp.WaitVisible(chromedp.CSS(`#reads tbody tr`)))
	readsOn("the regulator")
	steps(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#email`)))

	signIn(t, ctx, env, "admin@regulator.demo")
	steps(t, ctx, "the regulator's audit trail", chromedp.Navigate(env.URL+"/audit"), chromedp.WaitVisible(chromedp.CSS(`main table`)))
	if n := strings.Count(text(ctx, t, `main table`), "检查查阅"); n != 4 {
		t.Errorf("the regulator's audit trail lists 检查查阅 %d times; want 4", n)
	}
	steps(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#email`)))

	signIn(t, ctx, env, "security@grid.demo")
	steps(t, ctx, "the operator's filings", chromedp.Navigate(env.URL+"/filings"), chromedp.WaitVisible(chromedp.CSS(`#inspections`)))
	inChinese(t, ctx, env, "/filings")
	steps(t, ctx, "the operator's copy of the inspection",
		chromedp.WaitVisible(chromedp.CSS(`#inspections tbody tr a`)),
		chromedp.Click(chromedp.CSS(`#inspections tbody tr:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`#reads tbody tr`)),
	)
	if got := text(ctx, t, `#insp-ref`) + " " + text(ctx, t, `#insp-systems`) + " " + text(ctx, t, `#insp-period`); got != ref+" "+system+" "+yesterday+" – "+today {
		t.Errorf("the operator reads the scope %q", got)
	}
	readsOn("the operator")
	steps(t, ctx, "the operator's audit trail", chromedp.Navigate(env.URL+"/audit"), chromedp.WaitVisible(chromedp.CSS(`main table`)))
	if n := strings.Count(text(ctx, t, `main table`), "检查查阅"); n != 4 {
		t.Errorf("the operator's audit trail lists 检查查阅 %d times; want 4", n)
	}
}

// optionValue is the value of the option of select sel whose text contains label.
func optionValue(ctx context.Context, t *testing.T, sel, label string) string {
	t.Helper()
	v := eval[string](ctx, t, `[...document.querySelectorAll('`+sel+` option')].find(o => o.text.includes('`+label+`'))?.value || ''`)
	if v == "" {
		t.Fatalf("%s has no option %s", sel, label)
	}
	return v
}
