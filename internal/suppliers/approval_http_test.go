package suppliers_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
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

// TestAssessmentApproval (both engines): a pre-use assessment clears its product only once
// someone other than the assessor approves it (four eyes), accepting unresolved high
// findings with a reason. On the demo the duty is met and the outsourced data-analysis
// service's new release waits for approval. A donated product in use with a passed
// assessment is still a gap until approved; each attempt below, in order, is answered as
// the table says, naming the field; the approval is audited; the product page then says
// 已获准使用. The form refuses the assessor in Chinese, marking the button.
func TestAssessmentApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		admin := env.Login(t, "admin@grid.demo")
		h := jsonHdr(sm.CSRF)
		const duty = "CIIR-OUTSOURCED-DONATED-TESTING"
		if st, en, _ := finding(t, sm, duty); st != "met" {
			t.Errorf("the demo: %s %q", st, en)
		}
		var prods struct {
			Products []apiProduct `json:"products"`
		}
		_, body := sm.Do("GET", "/api/v1/products?limit=1000", nil, nil)
		if err := json.Unmarshal([]byte(body), &prods); err != nil {
			t.Fatal(err)
		}
		for _, p := range prods.Products {
			if p.Name != "数据分析外包服务" {
				continue
			}
			_, page := sm.Do("GET", fmt.Sprintf("/suppliers/%d/products/%d", p.SupplierID, p.ID), nil, map[string]string{"Accept-Language": "zh-CN"})
			if page = html.UnescapeString(page); !strings.Contains(page, "待审批") || !strings.Contains(page, "已获准使用") {
				t.Errorf("the demo's reassessment of %s: no 待审批 beside 已获准使用", p.Name)
			}
		}

		var sup struct{ ID int64 }
		res, body := sm.Do("POST", "/api/v1/suppliers", nil, h, `{"name":"受赠软件供应商","country":"DE","foreign_registration":"HRB 12"}`)
		decode(t, res, body, 201, &sup)
		var prod apiProduct
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/products", sup.ID), nil, h,
			fmt.Sprintf(`{"name":"受赠运维工具","type":"software","donated":true,"systems":[%d]}`, systemOf(t, sm, "identified")))
		decode(t, res, body, 201, &prod)
		var as struct {
			ID int64 `json:"id"`
		}
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/products/%d/assessments", prod.ID), nil, h,
			`{"assessed_on":"`+chinaDate(0)+`","result":"passed","high_findings":1,"findings":"默认口令未强制修改"}`)
		decode(t, res, body, 201, &as)
		if st, en, zh := finding(t, sm, duty); st != "gap" || !strings.Contains(en, "without a passed and approved pre-use assessment = 1") || !strings.Contains(zh, "上线前安全检测未通过或未经审批的数量 = 1") {
			t.Errorf("passed, awaiting approval: %s %q %q", st, en, zh)
		}

		apath := fmt.Sprintf("/api/v1/assessments/%d/approve", as.ID)
		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		analyst := env.Login(t, "analyst@grid.demo")
		owner := env.Login(t, "owner@grid.demo")
		for _, c := range []struct {
			name   string
			by     *apptest.Client
			body   string
			status int
			field  string // the field the refusal names
		}{
			{"the assessor", sm, `{"accept_reason":"风险可控"}`, 400, "approved_by"},
			{"another person, high finding without a reason", admin, `{}`, 400, "accept_reason"},
			{"an analyst, who may not write", analyst, `{"accept_reason":"风险可控"}`, 403, ""},
			{"the other operator", other, `{"accept_reason":"风险可控"}`, 404, ""},
			{"another person with a reason", admin, `{"accept_reason":"仅内网使用，下版本修复"}`, 200, ""},
			{"a second approval", owner, `{}`, 409, "approved_at"},
		} {
			res, body := c.by.Do("POST", apath, nil, jsonHdr(c.by.CSRF), c.body)
			if res.StatusCode != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, res.StatusCode, c.status, body)
				continue
			}
			if c.field != "" && fields(t, body)[c.field] == "" {
				t.Errorf("%s: no reason for %s: %s", c.name, c.field, body)
			}
			if c.status == 200 {
				var got struct {
					ApprovedBy     string `json:"approved_by"`
					AcceptedReason string `json:"accepted_reason"`
				}
				if json.Unmarshal([]byte(body), &got); !strings.HasPrefix(got.ApprovedBy, "admin@grid.demo") || got.AcceptedReason != "仅内网使用，下版本修复" {
					t.Errorf("%s: %+v", c.name, got)
				}
			}
		}
		if st, en, _ := finding(t, sm, duty); st != "met" {
			t.Errorf("approved: %s %q", st, en)
		}
		_, page := sm.Do("GET", fmt.Sprintf("/suppliers/%d/products/%d", sup.ID, prod.ID), nil, map[string]string{"Accept-Language": "zh-CN"})
		if page = html.UnescapeString(page); !strings.Contains(page, `id="preuse-cleared">已获准使用`) || !strings.Contains(page, "仅内网使用，下版本修复") {
			t.Errorf("the product page once approved does not say 已获准使用 with the reason")
		}
		_, body = admin.Do("GET", "/api/v1/audit?limit=500", nil, nil)
		var trail struct {
			Entries []struct {
				Entity   string `json:"entity"`
				EntityID string `json:"entity_id"`
				Action   string `json:"action"`
				Summary  string `json:"summary"`
			} `json:"entries"`
		}
		if err := json.Unmarshal([]byte(body), &trail); err != nil {
			t.Fatal(err)
		}
		updates := 0
		for _, e := range trail.Entries {
			if e.Entity == "supplier_assessment" && e.EntityID == strconv.FormatInt(as.ID, 10) && e.Action == "update" {
				updates++
			}
		}
		if updates != 1 {
			t.Errorf("the approval's audit entries: %d, want 1", updates)
		}

		// A failed assessment is never approved; the form refuses the assessor in Chinese.
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/products/%d/assessments", prod.ID), nil, h, `{"assessed_on":"`+chinaDate(0)+`","result":"failed","findings":"存在后门账号"}`)
		decode(t, res, body, 201, &as)
		if res, body := admin.Do("POST", fmt.Sprintf("/api/v1/assessments/%d/approve", as.ID), nil, jsonHdr(admin.CSRF), `{}`); res.StatusCode != 409 || fields(t, body)["result"] == "" {
			t.Errorf("a failed assessment approved: %d %s", res.StatusCode, body)
		}
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/products/%d/assessments", prod.ID), nil, h, `{"assessed_on":"`+chinaDate(0)+`","result":"passed"}`)
		decode(t, res, body, 201, &as)
		if res, _ := sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch to Chinese: %d", res.StatusCode)
		}
		form := fmt.Sprintf("/suppliers/%d/products/%d/assessments/%d/approve", sup.ID, prod.ID, as.ID)
		res, page = sm.Do("POST", form, url.Values{}, nil)
		if res.StatusCode != 400 {
			t.Fatalf("the assessor's approval by the form: %d", res.StatusCode)
		}
		if reason, ok := htmltest.Parse(t, page).Refusal(fmt.Sprintf("approve-%d", as.ID)); !ok || !strings.Contains(reason, "是检测登记人") {
			t.Errorf("the approve button: refused=%v %q", ok, reason)
		}
		if res, _ := other.Do("POST", form, url.Values{}, nil); res.StatusCode != 404 {
			t.Errorf("the other operator's form: %d, want 404", res.StatusCode)
		}
		if res, _ := admin.Do("POST", form, url.Values{}, nil); res.StatusCode != http.StatusSeeOther {
			t.Errorf("the administrator's approval by the form: %d", res.StatusCode)
		}
	})
}
