package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
)

// TestBrowserReviewGateInChinese is the browser test, in Chinese: the operator's
// security manager records the purchase of a core router (RMB 2,000,000) for an identified
// CII system and answers that it could let the CII be controlled; the page says the review
// is required; approving it is refused with CIIR 2021 Art. 19 and the exposure of Art. 41
// worked by hand (1–10 × 2,000,000 = 人民币2,000,000元至20,000,000元); the review case runs
// through the Measures' states — materials ticked, submitted, initial review, members'
// opinions — to 审查通过; approval then succeeds.
func TestBrowserReviewGateInChinese(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	sys := ciiSystemID(t, env)

	signIn(t, ctx, env, demoEmail[auth.SecurityManager])
	steps(t, ctx, "record the purchase",
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
		chromedp.Navigate(env.URL+"/review/procurements/new"),
		chromedp.WaitVisible(chromedp.CSS(`#procurement-form`)),
		chromedp.SetValue(chromedp.CSS(`#title`), "调度数据网核心路由器扩容"),
		chromedp.SetValue(chromedp.CSS(`#product`), "NE40E-X16A V800R022"),
		chromedp.SetValue(chromedp.CSS(`#product_type`), "critical_network_equipment"),
		chromedp.SetValue(chromedp.CSS(`#supplier`), "某通信设备有限公司"),
		chromedp.SetValue(chromedp.CSS(`#amount_rmb`), "2000000"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="systems"][value="%d"]`, sys))),
		chromedp.Click(chromedp.CSS(`#q-control-yes`)),
		chromedp.Click(chromedp.CSS(`#save-procurement`)),
		chromedp.WaitVisible(chromedp.CSS(`#required`)),
	)
	screenshot(t, ctx, "review-procurement-zh")
	if got := text(ctx, t, "#required"); got != "须经审查" {
		t.Errorf("the purchase says %q, want 须经审查", got)
	}

	steps(t, ctx, "approval refused",
		chromedp.Click(chromedp.CSS(`#approve`)),
		chromedp.WaitVisible(chromedp.CSS(`#refusal`)),
	)
	screenshot(t, ctx, "review-refused-zh")
	refusal := text(ctx, t, "#refusal")
	for _, want := range []string{"不予批准", "《关键信息基础设施安全保护条例》第19条", "第41条", "采购金额1倍以上10倍以下罚款", "人民币2,000,000元至20,000,000元"} {
		if !strings.Contains(refusal, want) {
			t.Errorf("the refusal lacks %q: %q", want, refusal)
		}
	}
	if got := text(ctx, t, "#status"); got != "待批准" {
		t.Errorf("after the refusal the purchase is %q, want 待批准", got)
	}

	steps(t, ctx, "prepare and submit the application",
		chromedp.Click(chromedp.CSS(`#case-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#materials`)),
		chromedp.Click(chromedp.CSS(`#m-declaration`)),
		chromedp.Click(chromedp.CSS(`#m-impact_analysis`)),
		chromedp.Click(chromedp.CSS(`#m-purchase_docs`)),
		chromedp.Click(chromedp.CSS(`#save-materials`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	for _, st := range []struct{ to, zh string }{
		{"submitted", "已申报，待确定是否审查"}, {"initial_review", "初步审查"}, {"members_opinions", "征求成员单位意见"}, {"cleared", "审查通过"},
	} {
		steps(t, ctx, "move to "+st.to,
			chromedp.SetValue(chromedp.CSS(`#to`), st.to),
			chromedp.Click(chromedp.CSS(`#do-move`)),
			chromedp.WaitVisible(chromedp.CSS(`#state[data-state="`+st.to+`"]`)),
		)
		if got := text(ctx, t, "#state"); got != st.zh {
			t.Fatalf("after moving to %s the case is %q, want %q", st.to, got, st.zh)
		}
		if st.to == "initial_review" {
			if basis := text(ctx, t, "#basis"); !strings.Contains(basis, "《网络安全审查办法》（2022）第11条") || !strings.Contains(basis, "30个工作日") {
				t.Errorf("the initial review's clock cites %q", basis)
			}
			screenshot(t, ctx, "review-clock-zh")
		}
	}

	steps(t, ctx, "approve after clearance",
		chromedp.Click(chromedp.CSS(`#procurement-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#approve`)),
		chromedp.Click(chromedp.CSS(`#approve`)),
		chromedp.WaitVisible(chromedp.CSS(`#status.status-met`)),
	)
	screenshot(t, ctx, "review-approved-zh")
	if got := text(ctx, t, "#status"); got != "已批准" {
		t.Errorf("after clearance the purchase is %q, want 已批准", got)
	}
}
