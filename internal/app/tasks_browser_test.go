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
// the system page of an overdue item → a remediation task for one of that system's open
// gaps that takes an attestation → evidence uploaded → the task closed with an attestation
// → the duty is still open (four eyes) → another user approves on the review page, where
// the evidence is listed → the duty is met. The same user then receives the task's
// reminder e-mail, read back from a real SMTP server on loopback, with the due date as a
// Beijing date.
func TestBrowserFromGapToFix(t *testing.T) {
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
	// The overdue items' systems, in the card's order; the first with a gap a person can
	// attest is where the walk goes on (the demo's overdue duties are checked from records).
	systems := eval[[]string](ctx, t, `[...new Set([...document.querySelectorAll('#overdue-list a[href^="/scope/systems/"]')].map(a => a.getAttribute('href')))]`)
	if len(systems) == 0 {
		t.Fatal("no overdue item on the dashboard names a system")
	}
	var ob string
	for i, href := range systems {
		var err error
		if i == 0 {
			err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#overdue-list a[href="`+href+`"]`)), chromedp.WaitVisible(chromedp.CSS(`#system-tasks`)))
		} else {
			err = chromedp.Do(ctx, chromedp.Navigate(env.URL+href), chromedp.WaitVisible(chromedp.CSS(`#system-tasks`)))
		}
		if err != nil {
			t.Fatalf("system page %s: %v", href, err)
		}
		if ob = eval[string](ctx, t, `(() => { const li = [...document.querySelectorAll('#start-task li')].find(li => li.querySelector('.status-needs_attestation')); return li ? li.querySelector('a').dataset.obligation : ''; })()`); ob != "" {
			break
		}
	}
	if ob == "" {
		t.Fatalf("none of the overdue systems %v has a gap to attest", systems)
	}
	system := strings.TrimPrefix(eval[string](ctx, t, `location.pathname`), "/scope/systems/")
	if n := eval[int](ctx, t, `document.querySelectorAll('#system-findings .status-overdue').length`); n == 0 {
		t.Errorf("system %s shows no overdue duty", system)
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
	file := filepath.Join(t.TempDir(), "测评机构资质证书.txt")
	if err := os.WriteFile(file, []byte("测评机构资质证书（演示）：编号 DJCP-2026-001"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{file}),
		chromedp.Click(chromedp.CSS(`#upload-evidence button`)),
		chromedp.WaitVisible(chromedp.CSS(`#task-evidence a[href^="/evidence/"]`)),
	); err != nil {
		t.Fatalf("attach evidence: %v", err)
	}
	if got := text(ctx, t, "#task-evidence a[href^='/evidence/']"); got != "测评机构资质证书.txt" {
		t.Errorf("the attached file is shown as %q", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#attest`)),
		chromedp.SendKeys(chromedp.CSS(`#statement`), "测评机构资质已核验，证书见附件。"),
		chromedp.Click(chromedp.CSS(`#task-close button`)),
		chromedp.WaitVisible(chromedp.CSS(`#task-summary`)),
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
	if r := text(rctx, t, row); !strings.Contains(r, "测评机构资质证书.txt") || !strings.Contains(r, "待复核") || !strings.Contains(r, "测评机构资质已核验") {
		t.Fatalf("the reviewer's row: %q", r)
	}
	screenshot(t, rctx, "review-zh")
	if err := chromedp.Do(rctx,
		chromedp.Click(chromedp.CSS(row+` button[value="approved"]`)),
		chromedp.WaitVisible(chromedp.CSS(row+` .review-approved`)),
	); err != nil {
		t.Fatalf("approve: %v", err)
	}

	// The duty is met, on the task page.
	if res, _ := api.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil); res.StatusCode != 200 {
		t.Fatalf("wait for the evaluation: %d", res.StatusCode)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL+taskPath), chromedp.WaitVisible(chromedp.CSS(`#finding-status`))); err != nil {
		t.Fatal(err)
	}
	if st := text(ctx, t, "#finding-status"); !strings.Contains(st, "已满足") {
		t.Fatalf("after approval the duty reads %q", st)
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
