package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
)

// TestBrowserKeyPostVettingInChinese is the security manager's key-post vetting duty, in
// Chinese. The demo's one gap (a check overdue) is closed through the API first, so the duty
// CIIR-KEY-POST-VETTING is met; then, in the browser: she adds 韩梅 and puts her in the key
// post 系统管理员 → the people page and the duty's page show a gap (a holder never checked);
// she records 韩梅's background check as passed on her page → the duty is met again, with the
// next check due three years on (the policy's default).
func TestBrowserKeyPostVettingInChinese(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	me := demoEmail[auth.SecurityManager]
	api := env.Login(t, me)
	h := map[string]string{"X-CSRF-Token": api.CSRF, "Content-Type": "application/json"}
	evaluated := func() {
		t.Helper()
		if res, _ := api.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil); res.StatusCode != http.StatusOK {
			t.Fatalf("wait for the evaluation: %d", res.StatusCode)
		}
	}
	var sum struct {
		Persons []struct {
			ID      int64  `json:"id"`
			Name    string `json:"name"`
			Vetting string `json:"vetting"`
		} `json:"persons"`
		Posts []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"posts"`
	}
	_, body := api.Do("GET", "/api/v1/people?include=personal", nil, nil)
	if err := json.Unmarshal([]byte(body), &sum); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(calendar.Shanghai).Format("2006-01-02")
	var post int64
	for _, p := range sum.Posts {
		if p.Name == "系统管理员" {
			post = p.ID
		}
	}
	for _, p := range sum.Persons {
		if p.Vetting == "overdue" {
			if res, b := api.Do("POST", fmt.Sprintf("/api/v1/people/persons/%d/vettings", p.ID), nil, h, `{"checked_on":"`+today+`","result":"passed"}`); res.StatusCode != http.StatusCreated {
				t.Fatalf("re-check %s: %d %s", p.Name, res.StatusCode, b)
			}
		}
	}
	if post == 0 {
		t.Fatal("the demo has no key post 系统管理员")
	}
	evaluated()

	duty := func(want string) {
		t.Helper()
		evaluated()
		var page string
		steps(t, ctx, "open the duty",
			chromedp.Navigate(env.URL+"/obligations/CIIR-KEY-POST-VETTING"),
			chromedp.WaitVisible(chromedp.CSS(`#citation`)),
		)
		page, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(page, want) {
			t.Errorf("the duty's page lacks %s: %s", want, page)
		}
	}

	signIn(t, ctx, env, me)
	steps(t, ctx, "switch to Chinese",
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
	)
	duty(`<span class="status-met">已满足</span>`)

	steps(t, ctx, "add 韩梅",
		chromedp.Navigate(env.URL+"/people"),
		chromedp.WaitVisible(chromedp.CSS(`#person-name`)),
		chromedp.SetValue(chromedp.CSS(`#person-name`), "韩梅"),
		chromedp.SetValue(chromedp.CSS(`#person-no`), "GD-0400"),
		chromedp.SetValue(chromedp.CSS(`#person-dept`), "网络安全与信息化部"),
		chromedp.Click(chromedp.CSS(`#add-person`)),
		chromedp.WaitVisible(chromedp.CSS(`#vetting-state`)),
	)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	var pid int64
	if _, err := fmt.Sscanf(loc[strings.LastIndex(loc, "/")+1:], "%d", &pid); err != nil {
		t.Fatalf("the person's page %q: %v", loc, err)
	}
	if s := text(ctx, t, "#vetting-state"); s != "未审查" {
		t.Errorf("a new person's check: %q, want 未审查", s)
	}
	steps(t, ctx, "put 韩梅 in the key post 系统管理员",
		chromedp.Navigate(env.URL+"/people"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#holder-%d`, post))),
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`#holder-%d`, post)), fmt.Sprint(pid)),
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`#since-%d`, post)), today),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#holder-%d ~ button`, post))),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)), // the page after the form, not the one before
		chromedp.WaitVisible(chromedp.CSS(`#duties`)),
	)
	screenshot(t, ctx, "people-holder-added-zh")
	if d := text(ctx, t, "#duties"); !strings.Contains(d, "差距：关键岗位人员均通过安全背景审查（未通过或未审查：1 人）") {
		t.Errorf("the people page's duties: %q", d)
	}
	if posts := text(ctx, t, "#posts"); !strings.Contains(posts, "韩梅") {
		t.Errorf("the key posts do not list 韩梅: %q", posts)
	}
	duty(`<span class="status-gap">存在差距</span>`)

	steps(t, ctx, "record 韩梅's background check",
		chromedp.Navigate(env.URL+fmt.Sprintf("/people/persons/%d", pid)),
		chromedp.WaitVisible(chromedp.CSS(`#vet-day`)),
		chromedp.SetValue(chromedp.CSS(`#vet-day`), today),
		chromedp.SetValue(chromedp.CSS(`#vet-result`), "passed"),
		chromedp.SetValue(chromedp.CSS(`#vet-ref`), "审查〔2026〕09号"),
		chromedp.Click(chromedp.CSS(`#record-vetting`)),
		chromedp.WaitVisible(chromedp.CSS(`#vetting-state.vetting-passed`)),
	)
	due := time.Now().In(calendar.Shanghai).AddDate(3, 0, 0).Format("2006-01-02")
	if v := text(ctx, t, "#vettings"); !strings.Contains(v, "已通过") || !strings.Contains(v, due) || !strings.Contains(v, "审查〔2026〕09号") {
		t.Errorf("the check as recorded: %q, want passed, next due %s", v, due)
	}
	duty(`<span class="status-met">已满足</span>`)
	steps(t, ctx, "back to the people page", chromedp.Navigate(env.URL+"/people"), chromedp.WaitVisible(chromedp.CSS(`#duties`)))
	if d := text(ctx, t, "#duties"); !strings.Contains(d, "符合：关键岗位人员均通过安全背景审查（未通过或未审查：0 人）") {
		t.Errorf("the people page's duties after the check: %q", d)
	}
}
