package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
)

// browser is the one headless Chromium the browser tests of this binary share: starting
// it costs more than most tests. Each test gets a browser context of its own (its own
// cookies and storage, as a fresh profile would have) in a new tab.
var browser struct {
	once    sync.Once
	ctx     context.Context // the browser's first tab; its children open new tabs
	cancel  func()          // closes the browser
	dataDir string
	err     error
}

// startBrowser starts the shared Chromium from binary bin.
func startBrowser(bin string) {
	dir, err := os.MkdirTemp("", "ciiguard-chromium-")
	if err != nil {
		browser.err = err
		return
	}
	browser.dataDir = dir
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		// The browser tests run in parallel, each in a tab of its own: a tab that is not in
		// front must not have its timers and rendering slowed down.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(dir), chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	browser.ctx, browser.cancel = ctx, func() { cancelC(); cancelA() }
	if err := chromedp.Do(ctx); err != nil {
		browser.err = fmt.Errorf("start chromium %s: %w", bin, err)
	}
}

// closeBrowser closes the shared Chromium, if a test started it, and removes its profile.
func closeBrowser() {
	if browser.cancel != nil {
		browser.cancel()
	}
	if browser.dataDir != "" {
		_ = os.RemoveAll(browser.dataDir)
	}
}

// Browser opens a tab in a fresh browser context of the shared headless Chromium for a UI
// test, or skips the test saying why. The binary comes from CIIGUARD_TEST_CHROMIUM (make
// test sets it) or PATH.
func Browser(t *testing.T) context.Context {
	t.Helper()
	bin := os.Getenv("CIIGUARD_TEST_CHROMIUM")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("chromium"); err != nil {
			t.Skip("browser tests skipped: no chromium on PATH and CIIGUARD_TEST_CHROMIUM not set (make test installs and sets it)")
		}
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("browser tests skipped: %s: %v", bin, err)
	}
	browser.once.Do(func() { startBrowser(bin) })
	if browser.err != nil {
		t.Fatal(browser.err)
	}
	ctx, cancelC := chromedp.NewContext(browser.ctx, chromedp.WithNewBrowserContext())
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelC() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab in chromium: %v", err)
	}
	return ctx
}

// screenshot saves a PNG of the page when CIIGUARD_SCREENSHOTS names a directory, so a
// person can look at what the test saw.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("CIIGUARD_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

// signIn signs in through the sign-in form and waits for the navigation.
func signIn(t *testing.T, ctx context.Context, env *apptest.Env, email string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		chromedp.SendKeys(chromedp.CSS(`#password`), app.DemoPassword),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.side`)),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
}

func text(ctx context.Context, t *testing.T, sel string) string {
	t.Helper()
	var s string
	var err error
	// A node found and then replaced before its text is read (the page still settling
	// after a redirect) answers "No node with given id found": look it up again.
	for try := 0; try < 3; try++ {
		if s, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel))); err == nil || !strings.Contains(err.Error(), "No node with given id") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// TestBrowserShell signs in through the real UI, switches language both ways, sees the
// role's navigation, is refused a page the role may not see, and signs out.
func TestBrowserShell(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	signIn(t, ctx, env, demoEmail[auth.SecurityManager])
	screenshot(t, ctx, "dashboard-en")
	nav := text(ctx, t, "nav.side")
	for _, want := range []string{"Dashboard", "API tokens", "Audit trail"} {
		if !strings.Contains(nav, want) {
			t.Errorf("security manager's navigation lacks %q: %q", want, nav)
		}
	}
	if strings.Contains(nav, "Users") {
		t.Errorf("security manager's navigation offers Users, which the role may not manage: %q", nav)
	}

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
	); err != nil {
		t.Fatalf("switch to Chinese: %v", err)
	}
	screenshot(t, ctx, "dashboard-zh")
	lang := htmlLang(ctx, t)
	if lang != "zh-CN" || !strings.Contains(text(ctx, t, "nav.side"), "总览") || !strings.Contains(text(ctx, t, ".who"), "网络安全负责人") {
		t.Fatalf("after switching to 中文: lang=%q nav=%q", lang, text(ctx, t, "nav.side"))
	}
	// The choice is remembered: a fresh page load stays in Chinese.
	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL+"/audit"), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
		t.Fatal(err)
	}
	if h := text(ctx, t, "main h1"); h != "审计记录" {
		t.Fatalf("audit page heading after reload: %q, want 审计记录", h)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[data-lang="en"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="en"].current`)),
	); err != nil {
		t.Fatalf("switch back to English: %v", err)
	}
	lang = htmlLang(ctx, t)
	if lang != "en" || text(ctx, t, "main h1") != "Audit trail" {
		t.Fatalf("after switching back: lang=%q heading=%q", lang, text(ctx, t, "main h1"))
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL+"/users"), chromedp.WaitVisible(chromedp.CSS(`.error-page`))); err != nil {
		t.Fatalf("open /users: %v", err)
	}
	screenshot(t, ctx, "forbidden")
	if h := text(ctx, t, ".error-page h1"); h != "Your role may not open this page" {
		t.Fatalf("refused page says %q", h)
	}

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#logout`)),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.Navigate(env.URL+"/audit"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
	); err != nil {
		t.Fatalf("sign out, then the audit page must ask to sign in again: %v", err)
	}
}

func htmlLang(ctx context.Context, t *testing.T) string {
	t.Helper()
	a, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`html`), "lang"))
	if err != nil {
		t.Fatalf("read html lang: %v", err)
	}
	return a.Value
}

// TestBrowserPostureInChinese is a new operator user's first look, in Chinese: the work
// list says in words why each duty is open, the obligation page says whom it binds and
// what it requires, and the control-framework coverage shows what the company's own
// controls leave uncovered.
func TestBrowserPostureInChinese(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	signIn(t, ctx, env, demoEmail[auth.SecurityManager])
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
		chromedp.Navigate(env.URL+"/findings"),
		chromedp.WaitVisible(chromedp.CSS(`main table`)),
	)
	if err != nil {
		t.Fatalf("sign in and open the findings in Chinese: %v", err)
	}
	screenshot(t, ctx, "findings-zh")
	list := text(ctx, t, "main table")
	for _, want := range []string{"已逾期", "要求定级或上线后30日内备案", "备案编号 = 空"} {
		if !strings.Contains(list, want) {
			t.Errorf("the Chinese work list lacks %q", want)
		}
	}
	if strings.Contains(list, "system.filing_number") {
		t.Error("the Chinese work list shows a CEL expression as a reason")
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL+"/obligations/CIIR-MONITORING-LOG-RETENTION"), chromedp.WaitVisible(chromedp.CSS(`table.facts`))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "obligation-zh")
	facts := text(ctx, t, "table.facts")
	for _, want := range []string{"关键信息基础设施运营者", "网络日志留存不少于184天（六个自然月）"} {
		if !strings.Contains(facts, want) {
			t.Errorf("the obligation page lacks %q: %q", want, facts)
		}
	}
	if mapped := text(ctx, t, "#mapped-controls"); !strings.Contains(mapped, "DEMO-BASELINE") || !strings.Contains(mapped, "子集") {
		t.Errorf("the obligation page does not list the demo baseline's control mapped to it: %q", mapped)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL+"/frameworks/DEMO-BASELINE"), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "framework-zh")
	if page := text(ctx, t, "main"); !strings.Contains(page, "CSL-LOG-RETENTION") {
		t.Errorf("the demo framework page does not show its log-retention mapping")
	}
}
