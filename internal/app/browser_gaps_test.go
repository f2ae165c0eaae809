package app_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
)

func eval[T any](ctx context.Context, t *testing.T, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

var lastNumber = regexp.MustCompile(`[0-9][0-9,]*$`)

// TestBrowserFromDashboardToSystem walks, in Chinese, from the dashboard's overdue card to
// the list of every overdue finding and on to a system's page, checking that the list is
// as long as the number on the card, that each system is named (never "系统 #N") and
// linked, and that the system page is that system's, with its overdue duty.
func TestBrowserFromDashboardToSystem(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	signIn(t, ctx, env, demoEmail[auth.SecurityManager])
	c := env.Login(t, demoEmail[auth.SecurityManager])
	if res, _ := c.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil); res.StatusCode != 200 {
		t.Fatalf("wait for the evaluation: %d", res.StatusCode)
	}
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
		chromedp.Navigate(env.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#overdue h2 a`)),
	)
	if err != nil {
		t.Fatalf("dashboard in Chinese: %v", err)
	}
	card := text(ctx, t, "#overdue h2 a")
	n, err := strconv.Atoi(strings.ReplaceAll(lastNumber.FindString(strings.TrimSpace(card)), ",", ""))
	if err != nil || !strings.HasPrefix(card, "已逾期") {
		t.Fatalf("overdue card heading %q", card)
	}
	if n <= 8 {
		t.Logf("the demo has %d overdue findings; the card shows them all", n)
	}
	shown := eval[int](ctx, t, `document.querySelectorAll('#overdue-list > div').length`)
	if shown != min(n, 8) {
		t.Errorf("the card lists %d of %d", shown, n)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#overdue h2 a`)), chromedp.WaitVisible(chromedp.CSS(`#findings`))); err != nil {
		t.Fatalf("follow the overdue card: %v", err)
	}
	screenshot(t, ctx, "findings-overdue-zh")
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "/findings?status=overdue") {
		t.Errorf("the card leads to %s", loc)
	}
	statuses := eval[[]string](ctx, t, `[...document.querySelectorAll('#findings tbody tr td:first-child')].map(td => td.innerText.trim())`)
	if len(statuses) != n {
		t.Errorf("the list has %d rows, the card said %d", len(statuses), n)
	}
	for _, s := range statuses {
		if s != "已逾期" {
			t.Errorf("a row of the overdue list is %q", s)
		}
	}
	if got := text(ctx, t, "#result-count strong"); got != "共 "+strconv.Itoa(n)+" 条核查结果" {
		t.Errorf("the list says %q", got)
	}
	subjects := eval[[]map[string]string](ctx, t, `[...document.querySelectorAll('#findings tbody tr td:nth-child(3) a')].map(a => ({href: a.getAttribute('href'), name: a.innerText.trim()}))`)
	if len(subjects) == 0 {
		t.Fatal("no overdue finding names a system")
	}
	for _, s := range subjects {
		if strings.Contains(s["name"], "#") || s["name"] == "" || !regexp.MustCompile(`^/scope/systems/[0-9]+$`).MatchString(s["href"]) {
			t.Errorf("a system is shown as %q linking to %q", s["name"], s["href"])
		}
	}
	target := subjects[0]
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#findings tbody tr td:nth-child(3) a`)), chromedp.WaitVisible(chromedp.CSS(`#system-findings`))); err != nil {
		t.Fatalf("open the system page: %v", err)
	}
	screenshot(t, ctx, "system-zh")
	if h := text(ctx, t, "main h1"); !strings.HasPrefix(h, target["name"]) {
		t.Errorf("the system page is titled %q, the link said %q", h, target["name"])
	}
	if title := eval[string](ctx, t, `document.title`); title != target["name"]+" · ciiguard" {
		t.Errorf("the window title is %q", title)
	}
	rows := eval[[]string](ctx, t, `[...document.querySelectorAll('#system-findings tbody tr')].map(tr => tr.innerText)`)
	overdue := 0
	for _, r := range rows {
		if strings.HasPrefix(strings.TrimSpace(r), "已逾期") {
			overdue++
		}
	}
	if overdue == 0 {
		t.Errorf("the system page lists no overdue duty, though the list sent us here: %q", rows)
	}
	if eval[int](ctx, t, `document.querySelectorAll('#system-findings a[href^="/obligations/"]').length`) == 0 {
		t.Error("the system's duties do not link to their pages")
	}
}

// TestBrowserNarrowScreen loads the main pages at 375 px, a phone's width, and checks that
// nothing makes the page wider than the screen (wide tables scroll in their own box).
func TestBrowserNarrowScreen(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	signIn(t, ctx, env, demoEmail[auth.SecurityManager])
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
		chromedp.EmulateViewport(375, 812),
	); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/findings", "/findings?status=all", "/scope/systems", "/scope/systems/1", "/scope/systems/1/edit", "/scope/systems/new",
		"/scope/profile/edit", "/obligations", "/obligations/MLPS07-FILING-30-DAYS", "/audit", "/evidence", "/tokens"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(env.URL+p), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
			t.Fatalf("open %s: %v", p, err)
		}
		if w := eval[int](ctx, t, `window.innerWidth`); w != 375 {
			t.Fatalf("the viewport is %d px wide", w)
		}
		wide := eval[[]string](ctx, t, `(() => {
			const out = [];
			if (document.documentElement.scrollWidth > window.innerWidth) out.push('page: ' + document.documentElement.scrollWidth);
			for (const el of document.querySelectorAll('main *')) {
				const r = el.getBoundingClientRect();
				let scroller = false;
				for (let p = el.parentElement; p; p = p.parentElement) {
					const o = getComputedStyle(p).overflowX;
					if (o === 'auto' || o === 'scroll' || o === 'hidden') { scroller = true; break; }
				}
				if (!scroller && r.width > 0 && r.right > window.innerWidth + 1) out.push(el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className + ' right=' + Math.round(r.right));
			}
			return out.slice(0, 5);
		})()`)
		if len(wide) > 0 {
			screenshot(t, ctx, "narrow"+strings.ReplaceAll(p, "/", "_"))
			t.Errorf("%s is wider than 375 px: %q", p, wide)
		}
	}
}
