package suppliers_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestApprovalWithdrawal (both engines): the approval of a donated tool's passed pre-use
// assessment is withdrawn with a reason; the duty CIIR-OUTSOURCED-DONATED-TESTING, met once
// approved, is a gap again (one product without a passed and approved assessment). Each
// attempt, in order, is answered as the table says, naming the field; the withdrawal is
// audited with its reason; the product page in Chinese says who withdrew it on which day
// and why, and no longer says 已获准使用; the form refuses a withdrawal without a reason,
// marking the reason, and the other operator gets 404.
func TestApprovalWithdrawal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		admin := env.Login(t, "admin@grid.demo")
		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		analyst := env.Login(t, "analyst@grid.demo")
		h := jsonHdr(sm.CSRF)
		const duty = "CIIR-OUTSOURCED-DONATED-TESTING"

		var sup struct{ ID int64 }
		res, body := sm.Do("POST", "/api/v1/suppliers", nil, h, `{"name":"受赠软件供应商","country":"DE","foreign_registration":"HRB 12"}`)
		decode(t, res, body, 201, &sup)
		var prod apiProduct
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/products", sup.ID), nil, h,
			fmt.Sprintf(`{"name":"受赠运维工具","type":"software","donated":true,"systems":[%d]}`, systemOf(t, sm, "identified")))
		decode(t, res, body, 201, &prod)
		assess := func() int64 {
			var as struct {
				ID int64 `json:"id"`
			}
			res, body := sm.Do("POST", fmt.Sprintf("/api/v1/products/%d/assessments", prod.ID), nil, h, `{"assessed_on":"`+chinaDate(0)+`","result":"passed"}`)
			decode(t, res, body, 201, &as)
			return as.ID
		}
		id := assess()
		wpath := fmt.Sprintf("/api/v1/assessments/%d/withdraw", id)
		if res, body := sm.Do("POST", wpath, nil, h, `{"reason":"尚未审批"}`); res.StatusCode != 409 || fields(t, body)["approved_at"] == "" {
			t.Errorf("withdrawing an approval never given: %d %s, want 409 on approved_at", res.StatusCode, body)
		}
		if res, body := admin.Do("POST", fmt.Sprintf("/api/v1/assessments/%d/approve", id), nil, jsonHdr(admin.CSRF), `{}`); res.StatusCode != 200 {
			t.Fatalf("approve: %d %s", res.StatusCode, body)
		}
		if st, en, _ := finding(t, sm, duty); st != "met" {
			t.Fatalf("approved: %s %q", st, en)
		}

		const why = "上线后发现默认口令可远程登录"
		for _, c := range []struct {
			name   string
			by     string
			body   string
			status int
			field  string
		}{
			{"an analyst, who may not write", "analyst", `{"reason":"x"}`, 403, ""},
			{"the other operator", "other", `{"reason":"x"}`, 404, ""},
			{"no reason", "sm", `{"reason":"  "}`, 400, "reason"},
			{"with a reason", "sm", `{"reason":"` + why + `"}`, 200, ""},
			{"a second withdrawal", "admin", `{"reason":"再次撤回"}`, 409, "withdrawn_at"},
		} {
			by := map[string]*apptest.Client{"analyst": analyst, "other": other, "sm": sm, "admin": admin}[c.by]
			res, body := by.Do("POST", wpath, nil, jsonHdr(by.CSRF), c.body)
			if res.StatusCode != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, res.StatusCode, c.status, body)
				continue
			}
			if c.field != "" && fields(t, body)[c.field] == "" {
				t.Errorf("%s: no reason for %s: %s", c.name, c.field, body)
			}
			if c.status == 200 {
				var got struct {
					WithdrawnBy     string  `json:"withdrawn_by"`
					WithdrawnAt     *string `json:"withdrawn_at"`
					WithdrawnReason string  `json:"withdrawn_reason"`
				}
				if json.Unmarshal([]byte(body), &got); !strings.HasPrefix(got.WithdrawnBy, "security@grid.demo") || got.WithdrawnAt == nil || got.WithdrawnReason != why {
					t.Errorf("%s: %s", c.name, body)
				}
			}
		}
		if res, body := admin.Do("POST", fmt.Sprintf("/api/v1/assessments/%d/approve", id), nil, jsonHdr(admin.CSRF), `{}`); res.StatusCode != 409 || fields(t, body)["withdrawn_at"] == "" {
			t.Errorf("approving a withdrawn assessment again: %d %s, want 409 on withdrawn_at", res.StatusCode, body)
		}
		if st, en, zh := finding(t, sm, duty); st != "gap" || !strings.Contains(en, "without a passed and approved pre-use assessment = 1") || !strings.Contains(zh, "上线前安全检测未通过或未经审批的数量 = 1") {
			t.Errorf("withdrawn: %s %q %q", st, en, zh)
		}

		_, body = admin.Do("GET", "/api/v1/audit?limit=500", nil, nil)
		if !strings.Contains(body, `"withdraw_approval"`) || !strings.Contains(body, why) {
			t.Errorf("the withdrawal is not audited with its reason")
		}
		page := fmt.Sprintf("/suppliers/%d/products/%d", sup.ID, prod.ID)
		sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		_, body = sm.Do("GET", page, nil, nil)
		doc := htmltest.Parse(t, body)
		want := "security@grid.demo (security_manager) 于 " + chinaDate(0) + " 撤回审批"
		if got := doc.ID("withdrawn-" + strconv.FormatInt(id, 10)).Text(); !strings.Contains(got, want) {
			t.Errorf("the page says %q, want %q", got, want)
		}
		if got := doc.ID("withdrawn-reason-" + strconv.FormatInt(id, 10)).Text(); got != why {
			t.Errorf("the page's reason: %q", got)
		}
		if strings.Contains(html.UnescapeString(body), `id="preuse-cleared"`) {
			t.Error("the page still says the product is cleared for use")
		}

		id = assess()
		if res, body := admin.Do("POST", fmt.Sprintf("/api/v1/assessments/%d/approve", id), nil, jsonHdr(admin.CSRF), `{}`); res.StatusCode != 200 {
			t.Fatalf("approve the second: %d %s", res.StatusCode, body)
		}
		form := fmt.Sprintf("%s/assessments/%d/withdraw", page, id)
		res, body = sm.Do("POST", form, url.Values{"reason": {""}}, nil)
		if res.StatusCode != 400 {
			t.Fatalf("the form without a reason: %d", res.StatusCode)
		}
		if reason, ok := htmltest.Parse(t, body).Refusal(fmt.Sprintf("withdraw-reason-%d", id)); !ok || !strings.Contains(reason, "必填") {
			t.Errorf("the reason: refused=%v %q", ok, reason)
		}
		if res, _ := other.Do("POST", form, url.Values{"reason": {"x"}}, nil); res.StatusCode != 404 {
			t.Errorf("the other operator's form: %d, want 404", res.StatusCode)
		}
	})
}
