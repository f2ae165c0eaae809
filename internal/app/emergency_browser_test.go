package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
)

// TestBrowserDrillInChinese is the emergency flow in Chinese: the security manager records
// a drill of the overall plan whose findings call for revising it, with one follow-up item
// for the system owner; the drill's page lists the task, the plan's page says it is due for
// revision and names the drill, and the task's page links back to the drill.
func TestBrowserDrillInChinese(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, demoEmail[auth.SecurityManager])
	_, body := c.Do("GET", "/api/v1/emergency", nil, nil)
	i := strings.Index(body, `"title": "网络安全事件总体应急预案"`)
	if i < 0 {
		t.Fatal("the demo has no overall plan")
	}
	var plan int64
	if _, err := fmt.Sscanf(body[strings.LastIndex(body[:i], `"id": `):], `"id": %d`, &plan); err != nil {
		t.Fatalf("the overall plan's id: %v", err)
	}
	owner, err := env.App.Auth.UserByEmail(t.Context(), demoEmail[auth.SystemOwner])
	if err != nil {
		t.Fatal(err)
	}
	due := time.Now().In(calendar.Shanghai).AddDate(0, 1, 0).Format(time.DateOnly)

	signIn(t, ctx, env, demoEmail[auth.SecurityManager])
	steps(t, ctx, "record the drill",
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
		chromedp.Navigate(env.URL+"/emergency"),
		chromedp.WaitVisible(chromedp.CSS(`#new-drill`)),
		chromedp.Click(chromedp.CSS(`#new-drill`)),
		chromedp.WaitVisible(chromedp.CSS(`#drill-form`)),
		chromedp.SetValue(chromedp.CSS(`#scenario`), "数据中心整体断电后的业务恢复演练"),
		chromedp.SetValue(chromedp.CSS(`#participants`), "网络安全管理部、数字化部（共 20 人）"),
		chromedp.SetValue(chromedp.CSS(`#plan_id`), fmt.Sprint(plan)),
		chromedp.SetValue(chromedp.CSS(`#findings`), "预案未覆盖柴油发电机切换，需修订"),
		chromedp.Click(chromedp.CSS(`#revision_needed`)),
		chromedp.SetValue(chromedp.CSS(`#followup-0-title`), "补充发电机切换流程"),
		chromedp.SetValue(chromedp.CSS(`#followup-0-owner`), fmt.Sprint(owner.ID)),
		chromedp.SetValue(chromedp.CSS(`#followup-0-due`), due),
		chromedp.Click(chromedp.CSS(`#save-drill`)),
		chromedp.WaitVisible(chromedp.CSS(`#drill-tasks`)),
	)
	screenshot(t, ctx, "emergency-drill-zh")
	if got := text(ctx, t, "#drill-tasks"); !strings.Contains(got, "补充发电机切换流程") || !strings.Contains(got, due) || !strings.Contains(got, "待处理") {
		t.Errorf("the drill's tasks: %q", got)
	}
	if got := text(ctx, t, "#revision-needed"); got != "预案需要修订" {
		t.Errorf("the drill says %q", got)
	}
	steps(t, ctx, "open the plan",
		chromedp.Click(chromedp.CSS(`#drill-plan`)),
		chromedp.WaitVisible(chromedp.CSS(`#plan-state`)),
	)
	screenshot(t, ctx, "emergency-plan-due-zh")
	if got := text(ctx, t, "#plan-state"); !strings.Contains(got, "待修订") || !strings.Contains(got, "提出修订要求的是") {
		t.Errorf("the plan's state: %q", got)
	}
	steps(t, ctx, "open the task from the drill",
		chromedp.Navigate(env.URL+"/emergency"),
		chromedp.WaitVisible(chromedp.CSS(`#drills`)),
		chromedp.Click(chromedp.CSS(`#drills tbody tr:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`#drill-tasks a`)),
		chromedp.Click(chromedp.CSS(`#drill-tasks a`)),
		chromedp.WaitVisible(chromedp.CSS(`#task-link`)),
	)
	if h := text(ctx, t, "main h1"); h != "补充发电机切换流程" {
		t.Errorf("the task's page: %q", h)
	}
	if got := text(ctx, t, "#task-summary"); !strings.Contains(got, "关联记录") || !strings.Contains(got, "张伟") {
		t.Errorf("the task's summary: %q", got)
	}
}
