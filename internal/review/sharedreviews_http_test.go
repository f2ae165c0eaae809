package review_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestSharedReviewOutcomes (both engines): the demo supplier (示例安全设备有限公司), which the
// grid names in its register, shares review outcomes for its 工业防火墙 3.6, which the grid
// uses. Under CSR 2022 Arts. 5 and 8 the operator applies for its own purchase, so the
// supplier's "cleared" does not clear the grid's purchase of that firewall for a CII system
// with a risk found: approval is still refused (409 on approval) while the purchase's answer
// lists the outcome (supplier, outcome, day, reference). Once the supplier shares a "not
// cleared" outcome, a new purchase with no risk answered is presumed risky: the assessment says
// supplier_not_cleared naming the decision, the review is required for a CII system (not for
// an office system), the outcomes are listed newest first, and the page in Chinese says so. The
// flag cannot be sent as input; the other operator gets 404.
func TestSharedReviewOutcomes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		grid := env.Login(t, "security@grid.demo")
		water := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		sup := env.Login(t, "user@supplier.demo")
		u, err := env.App.Auth.UserByEmail(context.Background(), "security@grid.demo")
		if err != nil {
			t.Fatal(err)
		}
		h := jsonHdr(grid.CSRF)
		cii, plain := systemIDs(t, grid)
		do := func(c *apptest.Client, method, path, body string, want int, v any) string {
			t.Helper()
			res, out := c.Do(method, path, nil, jsonHdr(c.CSRF), body)
			if res.StatusCode != want {
				t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, out)
			}
			if v != nil {
				if err := json.Unmarshal([]byte(out), v); err != nil {
					t.Fatalf("%s: %v %s", path, err, out)
				}
			}
			return out
		}
		share := func(outcome, number string, daysAgo int) {
			t.Helper()
			var c struct{ ID int64 }
			do(sup, "POST", "/api/v1/credentials", fmt.Sprintf(`{"kind":"review","product":"工业防火墙","version":"3.6","number":%q,"body":"网络安全审查办公室","outcome":%q,"dated":%q}`,
				number, outcome, chinaDay(-daysAgo)), http.StatusCreated, &c)
			do(sup, "POST", fmt.Sprintf("/api/v1/credentials/%d/shares", c.ID), fmt.Sprintf(`{"operator_id":%d}`, u.OrgID), http.StatusCreated, nil)
		}
		var prods struct {
			Products []struct {
				ID      int64  `json:"id"`
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"products"`
		}
		do(grid, "GET", "/api/v1/products?limit=1000", "", http.StatusOK, &prods)
		var firewall int64
		for _, p := range prods.Products {
			if p.Name == "工业防火墙" && p.Version == "3.6" {
				firewall = p.ID
			}
		}
		if firewall == 0 {
			t.Fatalf("the grid has no 工业防火墙 3.6: %+v", prods.Products)
		}
		type shared struct {
			SupplierZh string `json:"supplier_name_zh"`
			Outcome    string `json:"outcome"`
			Dated      string `json:"dated"`
			Reference  string `json:"reference"`
		}
		type answer struct {
			ID         int64 `json:"id"`
			Required   bool  `json:"review_required"`
			Approvable bool  `json:"approvable"`
			Assessment struct {
				NotCleared bool   `json:"supplier_not_cleared"`
				Review     string `json:"supplier_review"`
			} `json:"assessment"`
			Shared []shared `json:"shared_reviews"`
		}
		buy := func(system int64, assessment string) answer {
			t.Helper()
			var a answer
			do(grid, "POST", "/api/v1/review/procurements", fmt.Sprintf(`{"title":"工业防火墙采购","product_id":%d,"systems":[%d],"amount_rmb":800000,"assessment":%s}`, firewall, system, assessment), http.StatusCreated, &a)
			do(grid, "GET", fmt.Sprintf("/api/v1/review/procurements/%d", a.ID), "", http.StatusOK, &a)
			return a
		}

		share("cleared", "审查〔2026〕17号", 30)
		a := buy(cii, `{"control":true}`)
		if !a.Required || a.Approvable || a.Assessment.NotCleared || len(a.Shared) != 1 ||
			a.Shared[0] != (shared{"示例安全设备有限公司", "cleared", chinaDay(-30) + "T00:00:00+08:00", "审查〔2026〕17号"}) {
			t.Errorf("with the supplier's clearance: %+v", a)
		}
		res, body := grid.Do("POST", fmt.Sprintf("/api/v1/review/procurements/%d/approve", a.ID), nil, h, `{}`)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, `"approval"`) || !strings.Contains(body, "CIIR 2021 Art. 19") {
			t.Errorf("the supplier's clearance cleared the grid's purchase: %d %s", res.StatusCode, body)
		}

		share("not_cleared", "审查〔2026〕18号", 10)
		a = buy(cii, `{"supplier_not_cleared":false}`)
		if !a.Required || !a.Assessment.NotCleared || a.Assessment.Review != "示例安全设备有限公司 审查〔2026〕18号 "+chinaDay(-10) ||
			len(a.Shared) != 2 || a.Shared[0].Reference != "审查〔2026〕18号" || a.Shared[0].Outcome != "not_cleared" || a.Shared[1].Reference != "审查〔2026〕17号" {
			t.Errorf("with the supplier's not cleared, for a CII system: %+v", a)
		}
		if b := buy(plain, `{}`); b.Required || !b.Assessment.NotCleared {
			t.Errorf("for an office system: required=%v presumed=%v, want false true", b.Required, b.Assessment.NotCleared)
		}
		var typed answer
		do(grid, "POST", "/api/v1/review/procurements", fmt.Sprintf(`{"title":"x","product":"某防火墙","product_type":"security_product","supplier":"某公司","systems":[%d],"amount_rmb":1,"assessment":{"supplier_not_cleared":true,"supplier_review":"伪造"}}`, plain), http.StatusCreated, &typed)
		if typed.Assessment.NotCleared || typed.Assessment.Review != "" || typed.Required {
			t.Errorf("the presumption was taken from input: %+v", typed)
		}

		_, page := grid.Do("GET", fmt.Sprintf("/review/procurements/%d", a.ID), nil, map[string]string{"Accept-Language": "zh-CN"})
		doc := htmltest.Parse(t, page)
		if got := doc.ID("supplier-not-cleared").Text(); !strings.Contains(got, "供应商共享的网络安全审查结论为“未通过”：推定本次采购可能影响国家安全") || !strings.Contains(got, "审查〔2026〕18号") {
			t.Errorf("the page's presumption: %q", got)
		}
		if got := doc.ID("shared-reviews").Text(); !strings.Contains(got, "不能代替本次采购的审查") || !strings.Contains(got, "审查未通过") || !strings.Contains(got, "审查通过") || !strings.Contains(got, chinaDay(-10)) {
			t.Errorf("the page's shared outcomes: %q", got)
		}
		if res, _ := water.Do("GET", fmt.Sprintf("/api/v1/review/procurements/%d", a.ID), nil, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("the other operator reads the purchase: %d", res.StatusCode)
		}
	})
}
