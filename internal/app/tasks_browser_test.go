package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/notify"
	"ciiguard/internal/notify/notifytest"
	"ciiguard/internal/store"
)

// TestBrowserFromGapToFix walks the path in Chinese: the dashboard's overdue card →
// an overdue item → its system page → a remediation task for that same duty → evidence
// uploaded → the task closed with an attestation → the duty is still overdue (four eyes) →
// another user approves on the review page, where the evidence is listed → that same finding
// is met, on the system page and on the findings list. The same user then receives the
// task's reminder e-mail, read back from a real SMTP server on loopback, with the due date
// as a Beijing date.
//
// The overdue duty is the demo operator's own rule (internal/obligations/demo_policy.yaml):
// CIIR 2021 Art. 11 asks for a major change of a CII to be reported "及时" (promptly), the
// operator's rules say within 15 days, and the demo's substation monitoring system changed
// two months ago without a report on file. Only a person can confirm a letter was sent, so it
// is closed by an attestation; the law's own overdue duties are checked from records.
func TestBrowserFromGapToFix(t *testing.T) {
	t.Parallel()
	const (
		dutyZh   = "关基系统发生较大变化后15日内报告保护工作部门"
		systemZh = "变电站综合自动化监控系统"
	)
	ctx := Browser(t)
	mail := notifytest.Start(t)
	mods := app.Modules()
	var n *notify.Module
	for _, m := range mods {
		if nm, ok := m.(*notify.Module); ok {
			n = nm
		}
	}
	n.SetMail(notify.Mail{Addr: mail.Addr, From: "ciiguard@grid.demo", Security: "none"}, "https://ciiguard.grid.demo")
	env := apptest.StartWith(t, store.SQLite, mods)
	me := demoEmail[auth.SecurityManager]
	api := env.Login(t, me)
	if res, _ := api.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil); res.StatusCode != 200 {
		t.Fatalf("wait for the evaluation: %d", res.StatusCode)
	}
	bg := context.Background()
	if _, err := n.Deliver(bg); err != nil { // the demo's own notices, before ours
		t.Fatal(err)
	}
	before := len(mail.Messages())

	signIn(t, ctx, env, me)
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
		chromedp.Navigate(env.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#overdue-list`)),
	); err != nil {
		t.Fatalf("dashboard in Chinese: %v", err)
	}
	// The overdue item, on the card or (the card shows eight) on the list its link opens.
	pick := `(sel => { const row = [...document.querySelectorAll(sel)].find(r => r.textContent.includes(` + "`" + dutyZh + "`" + `)); const a = row && row.querySelector('a[href^="/scope/systems/"]'); return a ? a.getAttribute('href') : ''; })`
	href := eval[string](ctx, t, pick+`('#overdue-list > div')`)
	if href == "" {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#overdue-all`)), chromedp.WaitVisible(chromedp.CSS(`#findings`))); err != nil {
			t.Fatalf("the overdue card's link to all overdue items: %v", err)
		}
		if st := text(ctx, t, "#findings tbody tr:last-child td:first-child"); st != "已逾期" {
			t.Errorf("the overdue card's list ends with a row marked %q", st)
		}
		href = eval[string](ctx, t, pick+`('#findings tbody tr')`)
	}
	if href == "" {
		t.Fatalf("no overdue item %q on the dashboard or its list", dutyZh)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href="`+href+`"]`)), chromedp.WaitVisible(chromedp.CSS(`#system-tasks`))); err != nil {
		t.Fatalf("system page %s: %v", href, err)
	}
	if h := text(ctx, t, "main h1"); !strings.Contains(h, systemZh) {
		t.Fatalf("the overdue item led to %q, want the page of %s", h, systemZh)
	}
	system := strings.TrimPrefix(href, "/scope/systems/")
	rowStatus := `(() => { const r = [...document.querySelectorAll('#system-findings tbody tr')].find(r => r.textContent.includes(` + "`" + dutyZh + "`" + `)); return r ? r.querySelector('td').textContent.trim() : ''; })()`
	if st := eval[string](ctx, t, rowStatus); st != "已逾期" {
		t.Fatalf("on the system page the duty reads %q, want 已逾期", st)
	}
	ob := eval[string](ctx, t, `(() => { const li = [...document.querySelectorAll('#start-task li')].find(li => li.textContent.includes(`+"`"+dutyZh+"`"+`)); return li ? li.querySelector('a').dataset.obligation : ''; })()`)
	if !strings.HasSuffix(ob, "-GRID-RULES-CII-CHANGE-REPORT") {
		t.Fatalf("the system page offers no task for the overdue duty (got %q)", ob)
	}
	screenshot(t, ctx, "task-system-zh")

	// Create the task, owned by me, due in five days (Beijing).
	due := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 5).Format("2006-01-02")
	meUser, err := env.App.Auth.UserByEmail(bg, me)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#start-task a[data-obligation="`+ob+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-task`)),
		chromedp.SetValue(chromedp.CSS(`#owner_id`), fmt.Sprint(meUser.ID)),
		chromedp.SetValue(chromedp.CSS(`#due`), due),
		chromedp.Click(chromedp.CSS(`#new-task button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#task-summary`)),
	); err != nil {
		t.Fatalf("create the task: %v", err)
	}
	if h := text(ctx, t, "h1"); h == "" || strings.Contains(text(ctx, t, "#task-summary"), "Task") {
		t.Errorf("task page heading %q", h)
	}
	taskPath := eval[string](ctx, t, `location.pathname`)
	title := text(ctx, t, "main h1")
	// The scheduler runs (as the server's ticker does every minute): the task is due in five
	// days, so its 7-day reminder is due now.
	if _, err := n.Schedule(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Deliver(bg); err != nil {
		t.Fatal(err)
	}

	// Attach evidence, then close the task with an attestation.
	file := filepath.Join(t.TempDir(), "较大变化报告函及回执.txt")
	if err := os.WriteFile(file, []byte("关于变电站综合自动化监控系统较大变化情况的报告（演示）及保护工作部门回执"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{file}),
		chromedp.Click(chromedp.CSS(`#upload-evidence button`)),
		chromedp.WaitVisible(chromedp.CSS(`#task-evidence a[href^="/evidence/"]`)),
	); err != nil {
		t.Fatalf("attach evidence: %v", err)
	}
	if got := text(ctx, t, "#task-evidence a[href^='/evidence/']"); got != "较大变化报告函及回执.txt" {
		t.Errorf("the attached file is shown as %q", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#attest`)),
		chromedp.SendKeys(chromedp.CSS(`#statement`), "较大变化已书面报告保护工作部门，报送函及回执见附件。"),
		chromedp.Click(chromedp.CSS(`#task-close button`)),
		// The closed task's page has no closing form; waiting for #task-summary alone could
		// read the page being left (it failed once so: "read #task-status: No node").
		chromedp.WaitNotPresent(chromedp.CSS(`#task-close`)),
		chromedp.WaitVisible(chromedp.CSS(`#task-status`)),
	); err != nil {
		t.Fatalf("close with an attestation: %v", err)
	}
	if st := text(ctx, t, "#task-status"); st != "已完成" {
		t.Errorf("task status after closing: %q", st)
	}
	if st := text(ctx, t, "#finding-status"); strings.Contains(st, "已满足") {
		t.Fatalf("the duty is met before anyone reviewed the attestation: %q", st)
	}
	screenshot(t, ctx, "task-closed-zh")

	// Another user reviews it.
	rctx := Browser(t)
	signIn(t, rctx, env, demoEmail[auth.Admin])
	_, out := api.Do("GET", "/api/v1"+taskPath, nil, nil)
	var task struct {
		AttestationID int64 `json:"attestation_id"`
	}
	if err := json.Unmarshal([]byte(out), &task); err != nil || task.AttestationID == 0 {
		t.Fatalf("the task has no attestation: %s", out)
	}
	row := fmt.Sprintf(`#reviews tr[data-attestation="%d"]`, task.AttestationID)
	if err := chromedp.Do(rctx,
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
		chromedp.Navigate(env.URL+"/evidence/reviews"),
		chromedp.WaitVisible(chromedp.CSS(row)),
	); err != nil {
		t.Fatalf("review page: %v", err)
	}
	if r := text(rctx, t, row); !strings.Contains(r, "较大变化报告函及回执.txt") || !strings.Contains(r, "待复核") || !strings.Contains(r, "较大变化已书面报告") {
		t.Fatalf("the reviewer's row: %q", r)
	}
	screenshot(t, rctx, "review-zh")
	if err := chromedp.Do(rctx,
		chromedp.Click(chromedp.CSS(row+` button[value="approved"]`)),
		chromedp.WaitVisible(chromedp.CSS(row+` .review-approved`)),
	); err != nil {
		t.Fatalf("approve: %v", err)
	}

	// That same finding is met: on the task page, on the system page and on the findings
	// list of that system.
	if res, _ := api.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil); res.StatusCode != 200 {
		t.Fatalf("wait for the evaluation: %d", res.StatusCode)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL+taskPath), chromedp.WaitVisible(chromedp.CSS(`#finding-status`))); err != nil {
		t.Fatal(err)
	}
	if st := text(ctx, t, "#finding-status"); !strings.Contains(st, "已满足") {
		t.Fatalf("after approval the duty reads %q", st)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL+href), chromedp.WaitVisible(chromedp.CSS(`#system-findings`))); err != nil {
		t.Fatal(err)
	}
	if st := eval[string](ctx, t, rowStatus); st != "已满足" {
		t.Errorf("after approval the system page reads %q for the duty, want 已满足", st)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL+"/findings?status=all&system="+system), chromedp.WaitVisible(chromedp.CSS(`#findings`))); err != nil {
		t.Fatal(err)
	}
	listed := eval[[]string](ctx, t, `[...document.querySelectorAll('#findings tbody tr')].filter(r => r.textContent.includes(`+"`"+dutyZh+"`"+`)).map(r => r.querySelector('td').textContent.trim())`)
	if len(listed) != 1 || listed[0] != "已满足" {
		t.Errorf("after approval the findings list shows the duty as %q, want one row 已满足", listed)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL+"/findings?status=overdue"), chromedp.WaitVisible(chromedp.CSS(`#findings`))); err != nil {
		t.Fatal(err)
	}
	if n := eval[int](ctx, t, `[...document.querySelectorAll('#findings tbody tr')].filter(r => r.textContent.includes(`+"`"+dutyZh+"`"+`)).length`); n != 0 {
		t.Errorf("after approval the duty is still on the overdue list (%d rows)", n)
	}

	// The reminder e-mail, sent while the task was open.
	want := "【5 天后截止】整改任务：" + title
	var got []string
	for _, m := range mail.Messages()[before:] {
		if len(m.To) != 1 || m.To[0] != me {
			continue
		}
		got = append(got, m.Subject)
		if m.Subject == want {
			if !strings.Contains(m.Body, "截止日期："+due+"（北京时间当日 24:00 前）") || !strings.Contains(m.Body, "https://ciiguard.grid.demo"+taskPath) {
				t.Errorf("reminder body: %q", m.Body)
			}
			return
		}
	}
	t.Fatalf("no reminder %q to %s among %q", want, me, got)
}
