package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
)

// TestBrowserThreatNotificationInChinese walks issue 15's path in Chinese: the regulator's
// analyst publishes a 严重 warning about 198.51.100.23 to the energy sector on 预警通报 →
// the grid operator's security manager finds it in 威胁情报 as 待确认, acknowledges it
// (已确认收到) and answers (已反馈) → the retro-hunt's progress line reaches 已完成 with one
// hit → the hit shows the three firewall events of three months ago with its inclusion
// proof and links to the incident it opened, graded 较大.
func TestBrowserThreatNotificationInChinese(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	const title = "境外僵尸网络控制端紧急预警"
	signIn(t, ctx, env, "analyst@regulator.demo")
	steps(t, ctx, "publish a notification, in Chinese",
		chromedp.Navigate(env.URL+"/threat/regulator"),
		chromedp.WaitVisible(chromedp.CSS(`#do-publish`)),
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
		chromedp.Navigate(env.URL+"/threat/regulator"),
		chromedp.WaitVisible(chromedp.CSS(`#do-publish`)),
		chromedp.SetValue(chromedp.CSS(`#title_zh`), title),
		chromedp.SetValue(chromedp.CSS(`#title_en`), "Urgent warning: foreign botnet controller"),
		chromedp.SetValue(chromedp.CSS(`#severity`), "critical"),
		chromedp.Click(chromedp.CSS(`#sector-energy`)),
		chromedp.SetValue(chromedp.CSS(`#actions`), "立即阻断并排查内网主机。"),
		chromedp.SetValue(chromedp.CSS(`#deadline`), time.Now().Add(72*time.Hour).Format("2006-01-02T15:04")),
		chromedp.SetValue(chromedp.CSS(`#indicators`), "198.51.100.23"),
		chromedp.Click(chromedp.CSS(`#do-publish`)),
		chromedp.WaitVisible(chromedp.CSS(`#responses`)),
	)
	if got := text(ctx, t, `#responses tbody`); !strings.Contains(got, "示例电网有限公司") || !strings.Contains(got, "待确认") {
		t.Fatalf("recipients read %q; want the grid operator, 待确认", got)
	}
	steps(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#email`)))

	// The retro-hunt runs in the background. While one runs, /threat reloads itself every
	// 2 s, which would race the test's own navigation: wait for it through the API first.
	api := env.Login(t, "security@grid.demo")
	for deadline := time.Now().Add(60 * time.Second); ; {
		_, body := api.Do("GET", "/api/v1/threat/hunts", nil, nil)
		if !strings.Contains(body, `"state": "queued"`) && !strings.Contains(body, `"state": "running"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("retro-hunt still running: %s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}

	signIn(t, ctx, env, "security@grid.demo")
	// The browser's language cookie already says Chinese (the analyst chose it above):
	// clicking the current language again posts the form, and the next navigation would
	// abort that page load (net::ERR_ABORTED). inChinese switches only when needed.
	steps(t, ctx, "open the dashboard", chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"]`)))
	inChinese(t, ctx, env, "/")
	steps(t, ctx, "open the inbox in Chinese",
		chromedp.Navigate(env.URL+"/threat"),
		chromedp.WaitVisible(chromedp.CSS(`#inbox tbody tr`)),
	)
	if row := text(ctx, t, `#inbox tbody tr:first-child`); !strings.Contains(row, title) || !strings.Contains(row, "严重") || !strings.Contains(row, "待确认") {
		t.Fatalf("the newest notification reads %q; want %s, 严重, 待确认", row, title)
	}
	steps(t, ctx, "acknowledge and answer",
		chromedp.Click(chromedp.CSS(`#inbox tbody tr:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`#do-acknowledge`)),
		chromedp.Click(chromedp.CSS(`#do-acknowledge`)),
		chromedp.WaitVisible(chromedp.CSS(`#state[data-state="acknowledged"]`)),
		chromedp.SetValue(chromedp.CSS(`#answer`), "已在边界防火墙阻断，排查出一台内网主机并隔离。"),
		chromedp.Click(chromedp.CSS(`#do-answer`)),
		chromedp.WaitVisible(chromedp.CSS(`#state[data-state="answered"]`)),
	)
	if got := text(ctx, t, `#state`); got != "已反馈" {
		t.Fatalf("state reads %q, want 已反馈", got)
	}

	// The page shows the retro-hunt's progress line.
	steps(t, ctx, "read the progress", chromedp.Navigate(env.URL+"/threat"), chromedp.WaitVisible(chromedp.CSS(`#hunts`)))
	state := eval[string](ctx, t, `document.querySelector('#hunts li') ? document.querySelector('#hunts li').getAttribute('data-state') : ''`)
	if line := text(ctx, t, `#hunts li:first-child`); state != "done" || !strings.Contains(line, "已完成") || !strings.Contains(line, "（100%）") || !strings.Contains(line, "命中 1 个指标") {
		t.Fatalf("progress line %q (%s); want 已完成, 100%%, one hit", line, state)
	}
	steps(t, ctx, "open the hit",
		chromedp.Click(chromedp.CSS(`#hits tbody tr:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`#proof`)),
	)
	if got := text(ctx, t, `#count`); got != "3" {
		t.Fatalf("the hit was seen %q times, want 3", got)
	}
	if got := text(ctx, t, `#event-text`); !strings.Contains(got, "198.51.100.23") || !strings.Contains(got, "381992") {
		t.Fatalf("first event %q; want the firewall's session 381992", got)
	}
	if got := text(ctx, t, `#checkpoint`); !strings.HasPrefix(got, "ciiguard/vault/org/") {
		t.Fatalf("checkpoint %q", got)
	}
	steps(t, ctx, "follow the incident",
		chromedp.Click(chromedp.CSS(`#incident a`)),
		chromedp.WaitVisible(chromedp.CSS(`h1`)),
	)
	if got := text(ctx, t, `main`); !strings.Contains(got, "威胁情报命中：198.51.100.23") || !strings.Contains(got, "较大") {
		t.Fatalf("the incident page lacks the hit's title or the grade 较大: %.400q", got)
	}
}
