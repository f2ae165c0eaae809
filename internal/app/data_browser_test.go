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
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
)

// TestBrowserDataTransferInChinese is the water operator's security manager (a handler that
// operates no identified CII) recording, in Chinese, a transfer of 150,000 customers'
// personal information to a recipient abroad: the transfer's page shows the route 订立标准合同
// 或通过认证 with the rule that decided it (CBDF 2024 Art. 8); the standard-contract duty
// (CBDF-STANDARD-CONTRACT-OR-CERTIFICATION) is 存在差距; she records the standard contract,
// which must be filed by its tenth working day, files it, and the duty turns 已满足.
func TestBrowserDataTransferInChinese(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	email := "security@water.demo"
	api := env.Login(t, email)
	res, body := api.Do("POST", "/api/v1/data/assets", nil, map[string]string{"X-CSRF-Token": api.CSRF, "Content-Type": "application/json"},
		`{"name":"供水客户档案","department":"客户服务部","categories":["pi"],"people":300000,"locations":[{"region":"北京市"}],"retention":"合同终止后3年","legal_basis":"contract","purposes":"供水服务和收费","level":"general","level_reason":"不在重要数据目录内"}`)
	var asset struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &asset); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("asset: %d %s", res.StatusCode, body)
	}
	duty := func() string {
		if res, body := api.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil); res.StatusCode != http.StatusOK || strings.Contains(body, `"pending": true`) {
			t.Fatalf("evaluation: %d %s", res.StatusCode, body)
		}
		steps(t, ctx, "open the standard-contract duty",
			chromedp.Navigate(env.URL+"/obligations/CBDF-STANDARD-CONTRACT-OR-CERTIFICATION"),
			chromedp.WaitVisible(chromedp.CSS(`tbody span[class^="status-"]`)),
		)
		return text(ctx, t, `tbody span[class^="status-"]`)
	}
	today := time.Now().In(calendar.Shanghai).Format("2006-01-02")

	signIn(t, ctx, env, email)
	steps(t, ctx, "switch to Chinese",
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
	)
	steps(t, ctx, "record the transfer abroad",
		chromedp.Navigate(env.URL+"/data"),
		chromedp.Click(chromedp.CSS(`#new-transfer summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#transfer-form`)),
		chromedp.SetValue(chromedp.CSS(`#recipient`), "海外水务技术服务有限公司"),
		chromedp.SetValue(chromedp.CSS(`#recipient_country`), "新加坡"),
		chromedp.SetValue(chromedp.CSS(`#recipient_role`), "entrusted"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#transfer-form input[name="assets"][value="%d"]`, asset.ID))),
		chromedp.SetValue(chromedp.CSS(`#fields`), "姓名、手机号、用水地址"),
		chromedp.SetValue(chromedp.CSS(`#purpose`), "境外客服中心处理报修"),
		chromedp.SetValue(chromedp.CSS(`#frequency`), "daily"),
		chromedp.SetValue(chromedp.CSS(`#start_on`), today),
		chromedp.SetValue(chromedp.CSS(`#people`), "150000"),
		chromedp.Click(chromedp.CSS(`#transfer-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#route-card`)),
	)
	screenshot(t, ctx, "data-transfer-route-zh")
	transferURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if r := text(ctx, t, "#route"); !strings.HasPrefix(r, "订立标准合同或通过认证") || !strings.Contains(r, "未落实") {
		t.Errorf("route %q, want 订立标准合同或通过认证 … 未落实", r)
	}
	if r := text(ctx, t, "#route-rule"); !strings.Contains(r, "《促进和规范数据跨境流动规定》第八条") {
		t.Errorf("rule %q, want CBDF 2024 Art. 8 in Chinese", r)
	}
	if r := text(ctx, t, "#route-reason"); !strings.Contains(r, "150000人个人信息") {
		t.Errorf("reason %q, want the 150000 people counted", r)
	}
	if st := duty(); st != "存在差距" {
		t.Errorf("standard-contract duty before the contract: %q, want 存在差距", st)
	}
	steps(t, ctx, "record the standard contract",
		chromedp.Navigate(transferURL),
		chromedp.Click(chromedp.CSS(`#add-mechanism summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#mechanism-form`)),
		chromedp.SetValue(chromedp.CSS(`#kind`), "standard_contract"),
		chromedp.SetValue(chromedp.CSS(`#m-effective_on`), today),
		chromedp.Click(chromedp.CSS(`#mechanism-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#mechanisms form[id^="filing-form-"]`)),
	)
	if s := text(ctx, t, `#mechanisms span[id^="status-"]`); s != "待备案" {
		t.Errorf("contract status %q, want 待备案", s)
	}
	due, _ := calendar.AddWorkingDays(time.Now().In(calendar.Shanghai), 10)
	if c := text(ctx, t, `#mechanisms`); !strings.Contains(c, "备案截止"+due.Format("2006-01-02")) {
		t.Errorf("mechanisms %q, want the filing due on %s", c, due.Format("2006-01-02"))
	}
	steps(t, ctx, "file the contract",
		chromedp.SetValue(chromedp.CSS(`#mechanisms input[name="filing_ref"]`), "京网信备〔2026〕0815号"),
		chromedp.Click(chromedp.CSS(`#mechanisms button[id^="file-"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#covered.status-met`)),
	)
	screenshot(t, ctx, "data-transfer-filed-zh")
	if s := text(ctx, t, `#mechanisms span[id^="status-"]`); s != "已按时备案" {
		t.Errorf("contract status after filing %q, want 已按时备案", s)
	}
	if st := duty(); st != "已满足" {
		t.Errorf("standard-contract duty after filing: %q, want 已满足", st)
	}
}
