package app_test

import (
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

// TestBrowserSupplierCertificationInChinese is the security manager registering a new core
// router, in Chinese: she registers its supplier (a unified social credit code completed by
// hand from GB 32100-2015), adds the router on an identified CII system; the product page
// says it is in use without a valid certificate and the certification duty
// (CIIR-CERTIFIED-EQUIPMENT) turns 存在差距; she records the certificate, the page says it is
// valid until its day, and the duty is 已满足 again.
func TestBrowserSupplierCertificationInChinese(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	api := env.Login(t, demoEmail[auth.SecurityManager])
	evaluated := func() {
		if res, body := api.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil); res.StatusCode != http.StatusOK || strings.Contains(body, `"pending": true`) {
			t.Fatalf("evaluation: %d %s", res.StatusCode, body)
		}
	}
	duty := func() string {
		evaluated()
		steps(t, ctx, "open the certification duty",
			chromedp.Navigate(env.URL+"/obligations/CIIR-CERTIFIED-EQUIPMENT"),
			chromedp.WaitVisible(chromedp.CSS(`tbody span[class^="status-"]`)),
		)
		return text(ctx, t, `tbody span[class^="status-"]`)
	}
	sys := ciiSystemID(t, env)

	signIn(t, ctx, env, demoEmail[auth.SecurityManager])
	steps(t, ctx, "switch to Chinese",
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
	)
	if st := duty(); st != "已满足" {
		t.Fatalf("certification duty on the demo: %q, want 已满足", st)
	}
	steps(t, ctx, "register the supplier",
		chromedp.Navigate(env.URL+"/suppliers"),
		chromedp.Click(chromedp.CSS(`#new-supplier`)),
		chromedp.WaitVisible(chromedp.CSS(`#supplier-form`)),
		chromedp.SetValue(chromedp.CSS(`#name`), "北方路由设备有限公司"),
		chromedp.SetValue(chromedp.CSS(`#country`), "CN"),
		chromedp.SetValue(chromedp.CSS(`#uscc`), "91110108MA01ABCD5T"),
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#products`)),
	)
	if h := text(ctx, t, "h1"); h != "北方路由设备有限公司" {
		t.Fatalf("supplier page heading %q", h)
	}
	if c := text(ctx, t, "#supplier"); !strings.Contains(c, "中国") || !strings.Contains(c, "91110108MA01ABCD5T") {
		t.Errorf("supplier's particulars: %q", c)
	}
	steps(t, ctx, "add the core router on a CII system",
		chromedp.Click(chromedp.CSS(`#add-product summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#product-form`)),
		chromedp.SetValue(chromedp.CSS(`#p-name`), "核心路由器"),
		chromedp.SetValue(chromedp.CSS(`#p-version`), "8.0"),
		chromedp.SetValue(chromedp.CSS(`#p-type`), "critical_network_equipment"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#product-form input[name="systems"][value="%d"]`, sys))),
		chromedp.Click(chromedp.CSS(`#add-product-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#cert-status`)),
	)
	screenshot(t, ctx, "supplier-product-uncertified-zh")
	productURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if s := text(ctx, t, "#cert-status"); s != "在用但无有效认证" {
		t.Errorf("certificate status %q, want 在用但无有效认证", s)
	}
	if st := duty(); st != "存在差距" {
		t.Errorf("certification duty with the uncertified router: %q, want 存在差距", st)
	}
	expires := time.Now().In(calendar.Shanghai).AddDate(2, 0, 0).Format("2006-01-02")
	steps(t, ctx, "record the certificate",
		chromedp.Navigate(productURL),
		chromedp.WaitVisible(chromedp.CSS(`#cert-form`)),
		chromedp.SetValue(chromedp.CSS(`#number`), "CCRC-2026-7788"),
		chromedp.SetValue(chromedp.CSS(`#body`), "中国网络安全审查认证和市场监管大数据中心"),
		chromedp.SetValue(chromedp.CSS(`#expires`), expires),
		chromedp.Click(chromedp.CSS(`#save-cert`)),
		chromedp.WaitVisible(chromedp.CSS(`#cert-status .status-met`)),
	)
	if s := text(ctx, t, "#cert-status"); s != "有效，至"+expires {
		t.Errorf("certificate status %q, want 有效，至%s", s, expires)
	}
	if st := duty(); st != "已满足" {
		t.Errorf("certification duty after the certificate: %q, want 已满足", st)
	}
}
