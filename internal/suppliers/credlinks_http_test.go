package suppliers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestCredentialLinks (both engines): two suppliers — the demo's 示例安全设备有限公司 (A), which
// the grid links in its register, and a second one (B), which water links — and two operators.
// The demo gateway's shared certificate names it by name and version: it counts and its page
// says 可能适用. A shares a certificate spelled "ICS Isolation Firewall X9" with the grid, whose
// product of A is 工控隔离防火墙 9: no name matches, the product stays uncertified. Linked by
// the grid, it counts (certified by the shared certificate, marked linked, the gap gone); each
// bad link is refused naming product_id (a product of another supplier, water's product, none,
// a second link); the other operator gets 404 on the grid's record and the grid 404 on water's;
// the analyst 403. The page in Chinese marks a refused link on the product control and says
// 已关联; unlinked by the page's button the gap comes back; a second unlink is 409. Link and
// unlink are audited.
func TestCredentialLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		ctx := context.Background()
		orgOf := func(email string) int64 {
			u, err := env.App.Auth.UserByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			return u.OrgID
		}
		grid, water, a := env.Login(t, "security@grid.demo"), env.Login(t, app.OtherOperatorEmail(auth.SecurityManager)), env.Login(t, "user@supplier.demo")
		analyst := env.Login(t, "analyst@grid.demo")
		gridOrg, waterOrg := orgOf("security@grid.demo"), orgOf(app.OtherOperatorEmail(auth.SecurityManager))
		bOrg, b := newSupplierOrg(t, env)
		do := func(c *apptest.Client, method, path, body string, want int, v any) string {
			t.Helper()
			var args []string
			if body != "" {
				args = append(args, body)
			}
			res, out := c.Do(method, path, nil, jsonHdr(c.CSRF), args...)
			if res.StatusCode != want {
				t.Errorf("%s %s %s: %d, want %d: %s", method, path, body, res.StatusCode, want, out)
			} else if v != nil {
				if err := json.Unmarshal([]byte(out), v); err != nil {
					t.Fatalf("%s %s: %v %s", method, path, err, out)
				}
			}
			return out
		}
		type product struct {
			ID         int64  `json:"id"`
			SupplierID int64  `json:"supplier_id"`
			Name       string `json:"name"`
			Certified  bool   `json:"certified"`
			Gap        bool   `json:"certificate_gap"`
			Source     string `json:"certificate_source"`
			Shared     *struct {
				ReceiptID int64 `json:"shared_credential_id"`
				Linked    bool  `json:"linked"`
			} `json:"shared_certificate"`
		}
		byName := func(name string) product {
			t.Helper()
			var l struct{ Products []product }
			do(grid, "GET", "/api/v1/products?limit=1000", "", http.StatusOK, &l)
			for _, p := range l.Products {
				if p.Name == name {
					return p
				}
			}
			t.Fatalf("the grid has no %s", name)
			return product{}
		}
		zh := map[string]string{"Accept-Language": "zh-CN"}

		// The demo gateway: counted by name and version, said so.
		gw := byName("网闸")
		if !gw.Certified || gw.Source != "shared" || gw.Shared == nil || gw.Shared.Linked {
			t.Fatalf("the demo gateway: %+v, want certified by a shared certificate matched by name", gw)
		}
		_, page := grid.Do("GET", fmt.Sprintf("/suppliers/%d/products/%d", gw.SupplierID, gw.ID), nil, zh)
		if got := htmltest.Parse(t, page).ID("shared-cert-link").Text(); got != "可能适用（按名称和版本匹配，已计入，尚未确认关联）" {
			t.Errorf("the gateway's page says %q", got)
		}

		// A's certificate spelled otherwise; the grid's firewall of A stays uncertified.
		fw := product{}
		do(grid, "POST", fmt.Sprintf("/api/v1/suppliers/%d/products", gw.SupplierID), fmt.Sprintf(`{"name":"工控隔离防火墙","version":"9","type":"security_product","catalogue_category":"firewall","systems":[%d]}`, systemOf(t, grid, "identified")), http.StatusCreated, &fw)
		var other struct{ ID int64 }
		do(grid, "POST", "/api/v1/suppliers", `{"name":"Another Devices Inc.","country":"US","foreign_registration":"DE-4417"}`, http.StatusCreated, &other)
		var elsewhere product
		do(grid, "POST", fmt.Sprintf("/api/v1/suppliers/%d/products", other.ID), `{"name":"ICS Isolation Firewall","version":"X9","type":"security_product"}`, http.StatusCreated, &elsewhere)
		var cert struct{ ID int64 }
		do(a, "POST", "/api/v1/credentials", `{"kind":"certificate","product":"ICS Isolation Firewall","version":"X9","number":"CCRC-2026-ISP-0901","body":"中国网络安全审查认证和市场监管大数据中心","dated":"`+chinaDate(-20)+`","expires":"`+chinaDate(700)+`"}`, http.StatusCreated, &cert)
		do(a, "POST", fmt.Sprintf("/api/v1/credentials/%d/shares", cert.ID), fmt.Sprintf(`{"operator_id":%d}`, gridOrg), http.StatusCreated, nil)
		var l struct{ Credentials []sharedCred }
		do(grid, "GET", "/api/v1/shared-credentials", "", http.StatusOK, &l)
		var receipt int64
		for _, c := range l.Credentials {
			if c.Credential.Number == "CCRC-2026-ISP-0901" {
				receipt = c.ID
				if len(c.Products) != 0 {
					t.Errorf("the differently spelled certificate names %+v", c.Products)
				}
			}
		}
		if fw = byName("工控隔离防火墙"); fw.Certified || !fw.Gap {
			t.Errorf("the firewall before the link: %+v, want uncertified, a gap", fw)
		}
		base := supplierFacts(t, env, gridOrg)

		// Water links B, which shares with water.
		var ws struct{ ID int64 }
		do(water, "POST", "/api/v1/suppliers", `{"name":"示例工控网关有限公司","country":"DE","foreign_registration":"HRB 20417"}`, http.StatusCreated, &ws)
		var wp product
		do(water, "POST", fmt.Sprintf("/api/v1/suppliers/%d/products", ws.ID), `{"name":"边界安全网关","version":"2.0","type":"security_product"}`, http.StatusCreated, &wp)
		do(water, "PUT", fmt.Sprintf("/api/v1/suppliers/%d/platform-org", ws.ID), fmt.Sprintf(`{"org_id":%d}`, bOrg), http.StatusOK, nil)
		var bc struct{ ID int64 }
		do(b, "POST", "/api/v1/credentials", `{"kind":"certificate","product":"Border Gateway","number":"CCRC-2026-ISP-0902","body":"中国网络安全审查认证和市场监管大数据中心","dated":"`+chinaDate(-20)+`","expires":"`+chinaDate(700)+`"}`, http.StatusCreated, &bc)
		do(b, "POST", fmt.Sprintf("/api/v1/credentials/%d/shares", bc.ID), fmt.Sprintf(`{"operator_id":%d}`, waterOrg), http.StatusCreated, nil)
		do(water, "GET", "/api/v1/shared-credentials", "", http.StatusOK, &l)
		if len(l.Credentials) != 1 {
			t.Fatalf("water sees %+v", l.Credentials)
		}
		wr := l.Credentials[0].ID

		links := fmt.Sprintf("/api/v1/shared-credentials/%d/links", receipt)
		for _, c := range []struct {
			name   string
			by     *apptest.Client
			path   string
			body   string
			status int
			reason string // of product_id
		}{
			{"the analyst", analyst, links, fmt.Sprintf(`{"product_id":%d}`, fw.ID), 403, ""},
			{"water on the grid's record", water, links, fmt.Sprintf(`{"product_id":%d}`, wp.ID), 404, ""},
			{"the grid on water's record", grid, fmt.Sprintf("/api/v1/shared-credentials/%d/links", wr), fmt.Sprintf(`{"product_id":%d}`, fw.ID), 404, ""},
			{"a product of another supplier", grid, links, fmt.Sprintf(`{"product_id":%d}`, elsewhere.ID), 400, "is not a product of the supplier that shared this record"},
			{"water's product", grid, links, fmt.Sprintf(`{"product_id":%d}`, wp.ID), 400, "is not a product of this organisation"},
			{"no product", grid, links, `{}`, 400, "is not a product of this organisation"},
			{"the firewall", grid, links, fmt.Sprintf(`{"product_id":%d}`, fw.ID), 201, ""},
			{"the firewall again", grid, links, fmt.Sprintf(`{"product_id":%d}`, fw.ID), 409, "is already linked to this shared record"},
		} {
			body := do(c.by, "POST", c.path, c.body, c.status, nil)
			if c.reason != "" && !strings.Contains(fields(t, body)["product_id"], c.reason) {
				t.Errorf("%s: %s, want product_id %q", c.name, body, c.reason)
			}
		}
		if fw = byName("工控隔离防火墙"); !fw.Certified || fw.Gap || fw.Source != "shared" || fw.Shared == nil || !fw.Shared.Linked || fw.Shared.ReceiptID != receipt {
			t.Errorf("the firewall once linked: %+v, want certified by the linked shared certificate", fw)
		}
		if f := supplierFacts(t, env, gridOrg); f.UncertifiedInUse != base.UncertifiedInUse-1 {
			t.Errorf("uncertified in use once linked: %d, want %d", f.UncertifiedInUse, base.UncertifiedInUse-1)
		}
		do(water, "DELETE", fmt.Sprintf("%s/%d", links, fw.ID), "", 404, nil)

		// The page: a refused link marked, the linked product said so, unlinked by its button.
		grid.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		rpage := fmt.Sprintf("/shared-credentials/%d", receipt)
		res, page := grid.Do("POST", rpage+"/links", url.Values{"product_id": {fmt.Sprint(elsewhere.ID)}}, nil)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("the refused link form: %d", res.StatusCode)
		}
		doc := htmltest.Parse(t, page)
		if reason, ok := doc.Refusal("product_id"); !ok || reason != "不是共享该记录的供应商的产品" {
			t.Errorf("the product control: refused=%v %q", ok, reason)
		}
		if got := doc.ID(fmt.Sprintf("shared-product-%d", fw.ID)).Text(); !strings.Contains(got, "工控隔离防火墙 9") || !strings.Contains(got, "已关联") {
			t.Errorf("the page's linked product: %q", got)
		}
		if res, _ := grid.Do("POST", fmt.Sprintf("%s/links/%d/delete", rpage, fw.ID), url.Values{}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the unlink button: %d", res.StatusCode)
		}
		if fw = byName("工控隔离防火墙"); fw.Certified || !fw.Gap {
			t.Errorf("the firewall once unlinked: %+v, want uncertified again", fw)
		}
		body := do(grid, "DELETE", fmt.Sprintf("%s/%d", links, fw.ID), "", 409, nil)
		if !strings.Contains(fields(t, body)["product_id"], "is not linked") {
			t.Errorf("a second unlink: %s", body)
		}
		admin := env.Login(t, "admin@grid.demo")
		_, trail := admin.Do("GET", "/api/v1/audit?limit=200", nil, nil)
		if !strings.Contains(trail, `"credential_link"`) || !strings.Contains(trail, `"link"`) || !strings.Contains(trail, `"unlink"`) {
			t.Error("the link and unlink are not audited")
		}
	})
}
