package suppliers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// sharedCred is what the tests read of a credential shared with an operator.
type sharedCred struct {
	ID         int64  `json:"id"`
	SupplierZH string `json:"supplier_name_zh"`
	Valid      bool   `json:"valid"`
	Credential struct {
		Kind, Product, Version, Number, Outcome string
	} `json:"credential"`
	Products []struct{ Name, Version string } `json:"products"`
	Systems  []struct{ Name string }          `json:"systems"`
}

func (c sharedCred) systemNames() []string {
	var out []string
	for _, s := range c.Systems {
		out = append(out, s.Name)
	}
	slices.Sort(out)
	return out
}

// credShares is what the tests read of one of a supplier's credentials.
type credShares struct {
	Shares []struct {
		OperatorID int64   `json:"operator_id"`
		RevokedAt  *string `json:"revoked_at"`
	} `json:"shares"`
	Customers []struct {
		ID     int64  `json:"id"`
		NameZH string `json:"name_zh"`
	} `json:"customers"`
}

// TestCredentialSharing (both engines): two suppliers — the demo's 示例安全设备有限公司 (A),
// which the grid links in its register, and a second one (B), which water links during the
// test — and two operators. Expectations are hand-written from the demo tables: the grid
// uses A's 工业防火墙 3.6 on 变电站综合自动化监控系统 and 配电自动化系统. A records a
// certificate and a review outcome (bad input refused field by field, nothing written) and
// shares them with the grid, its only customer; B's expired certificate goes to water. Each
// operator sees only what was shared with it, linked to its own products and systems; every
// other party gets 404 before its input is judged, an operator may not share (403); the
// pages are in Chinese; a revoked share is gone for the operator and stays in A's history.
func TestCredentialSharing(t *testing.T) {
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
		grid, water := env.Login(t, "security@grid.demo"), env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		gridOrg, waterOrg := orgOf("security@grid.demo"), orgOf(app.OtherOperatorEmail(auth.SecurityManager))
		a := env.Login(t, "user@supplier.demo")
		bOrg, b := newSupplierOrg(t, env)
		do := func(c *apptest.Client, method, path, body string, want int, v any) string {
			t.Helper()
			var h map[string]string
			if method != "GET" {
				h = jsonHdr(c.CSRF)
			}
			var args []string
			if body != "" {
				args = append(args, body)
			}
			res, out := c.Do(method, path, nil, h, args...)
			if res.StatusCode != want {
				t.Errorf("%s %s %s: %d, want %d: %s", method, path, body, res.StatusCode, want, out)
			} else if v != nil {
				if err := json.Unmarshal([]byte(out), v); err != nil {
					t.Fatalf("%s %s: %v %s", method, path, err, out)
				}
			}
			return out
		}
		zh := map[string]string{"Accept-Language": "zh-CN"}
		page := func(c *apptest.Client, path string, want int) string {
			t.Helper()
			res, body := c.Do("GET", path, nil, zh)
			if res.StatusCode != want {
				t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
			}
			return html.UnescapeString(body)
		}

		// The demo's own share (the gateway's renewed certificate) is there before the test:
		// what follows is counted beside it.
		var list struct{ Credentials []struct{ ID int64 } }
		do(a, "GET", "/api/v1/credentials", "", http.StatusOK, &list)
		aBase := len(list.Credentials)

		// Bad input: every field named, nothing written.
		body := do(a, "POST", "/api/v1/credentials", `{"kind":"certificate","product":"","number":"","body":"","dated":"x","outcome":"cleared"}`, http.StatusBadRequest, nil)
		f := fields(t, body)
		for _, k := range []string{"product", "number", "body", "dated", "outcome", "expires"} {
			if f[k] == "" {
				t.Errorf("a bad certificate: no reason for %s: %v", k, f)
			}
		}
		body = do(a, "POST", "/api/v1/credentials", `{"kind":"review","product":"工业防火墙","number":"审查〔2026〕1号","body":"网络安全审查办公室","dated":"`+chinaDate(1)+`","expires":"`+chinaDate(30)+`"}`, http.StatusBadRequest, nil)
		f = fields(t, body)
		if !strings.Contains(f["dated"], "future") || !strings.Contains(f["outcome"], "cleared or not_cleared") || !strings.Contains(f["expires"], "not a review outcome") {
			t.Errorf("a bad review outcome: %v", f)
		}
		do(a, "GET", "/api/v1/credentials", "", http.StatusOK, &list)
		if len(list.Credentials) != aBase {
			t.Fatalf("refused input wrote %d credentials", len(list.Credentials))
		}

		// A's certificate and review outcome; its customers are the grid only.
		var cert, rev struct{ ID int64 }
		do(a, "POST", "/api/v1/credentials", `{"kind":"certificate","product":"工业防火墙","version":"3.6","number":"CCRC-2025-ISP-0417","body":"中国网络安全审查认证和市场监管大数据中心","dated":"`+chinaDate(-300)+`","expires":"`+chinaDate(65)+`"}`, http.StatusCreated, &cert)
		do(a, "POST", "/api/v1/credentials", `{"kind":"review","product":"工业防火墙","number":"审查〔2026〕17号","body":"网络安全审查办公室","outcome":"cleared","dated":"`+chinaDate(-30)+`"}`, http.StatusCreated, &rev)
		var cs credShares
		do(a, "GET", fmt.Sprintf("/api/v1/credentials/%d", cert.ID), "", http.StatusOK, &cs)
		if len(cs.Customers) != 1 || cs.Customers[0].ID != gridOrg || cs.Customers[0].NameZH != "示例电网有限公司" || len(cs.Shares) != 0 {
			t.Errorf("A's customers %+v shares %+v, want the grid only and no share", cs.Customers, cs.Shares)
		}
		body = do(a, "POST", fmt.Sprintf("/api/v1/credentials/%d/shares", cert.ID), fmt.Sprintf(`{"operator_id":%d}`, waterOrg), http.StatusBadRequest, nil)
		if !strings.Contains(fields(t, body)["operator_id"], "not an operator that names your organisation") {
			t.Errorf("A shares with water: %s", body)
		}
		do(a, "POST", fmt.Sprintf("/api/v1/credentials/%d/shares", cert.ID), fmt.Sprintf(`{"operator_id":%d}`, gridOrg), http.StatusCreated, nil)
		do(a, "POST", fmt.Sprintf("/api/v1/credentials/%d/shares", cert.ID), fmt.Sprintf(`{"operator_id":%d}`, gridOrg), http.StatusConflict, nil)
		do(a, "POST", fmt.Sprintf("/api/v1/credentials/%d/shares", rev.ID), fmt.Sprintf(`{"operator_id":%d}`, gridOrg), http.StatusCreated, nil)

		// The grid sees both, linked to its firewall and the two systems.
		shared := func(c *apptest.Client) []sharedCred {
			t.Helper()
			var l struct{ Credentials []sharedCred }
			do(c, "GET", "/api/v1/shared-credentials", "", http.StatusOK, &l)
			return l.Credentials
		}
		gl := shared(grid)
		if len(gl) != aBase+2 {
			t.Fatalf("the grid sees %+v, want A's two beside the demo's", gl)
		}
		var gridCert, gridRev sharedCred
		for _, x := range gl {
			switch x.Credential.Number {
			case "CCRC-2025-ISP-0417":
				gridCert = x
			case "审查〔2026〕17号":
				gridRev = x
			}
		}
		if gridCert.SupplierZH != "示例安全设备有限公司" || !gridCert.Valid || gridCert.Credential.Number != "CCRC-2025-ISP-0417" ||
			len(gridCert.Products) != 1 || gridCert.Products[0].Name != "工业防火墙" || gridCert.Products[0].Version != "3.6" {
			t.Errorf("the grid's certificate %+v", gridCert)
		}
		if got, want := gridCert.systemNames(), []string{"变电站综合自动化监控系统", "配电自动化系统"}; !slices.Equal(got, want) {
			t.Errorf("the certificate reaches %v, want %v", got, want)
		}
		if gridRev.Credential.Outcome != "cleared" || gridRev.Valid || len(gridRev.Products) != 1 {
			t.Errorf("the grid's review outcome %+v", gridRev)
		}

		// Water sees nothing and gets 404 for the grid's receipts; B gets 404 for A's
		// credential on every route, whatever it sends; an operator may not record or share.
		if l := shared(water); len(l) != 0 {
			t.Errorf("water sees %+v", l)
		}
		for _, p := range []string{fmt.Sprintf("/api/v1/shared-credentials/%d", gridCert.ID), fmt.Sprintf("/shared-credentials/%d", gridCert.ID)} {
			if res, _ := water.Do("GET", p, nil, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("water GET %s: %d, want 404", p, res.StatusCode)
			}
		}
		for _, c := range [][3]string{
			{"GET", fmt.Sprintf("/api/v1/credentials/%d", cert.ID), ""},
			{"POST", fmt.Sprintf("/api/v1/credentials/%d/shares", cert.ID), "{"},
			{"POST", fmt.Sprintf("/api/v1/credentials/%d/shares", cert.ID), fmt.Sprintf(`{"operator_id":%d}`, gridOrg)},
			{"POST", fmt.Sprintf("/api/v1/credentials/%d/shares/%d/revoke", cert.ID, gridOrg), ""},
		} {
			do(b, c[0], c[1], c[2], http.StatusNotFound, nil)
		}
		if res, _ := b.Do("POST", fmt.Sprintf("/credentials/%d/shares", cert.ID), url.Values{"_csrf": {b.CSRF}, "operator_id": {"x"}}, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("B's share form on A's credential: %d, want 404", res.StatusCode)
		}
		page(b, fmt.Sprintf("/credentials/%d", cert.ID), http.StatusNotFound)
		do(grid, "POST", "/api/v1/credentials", `{"kind":"review"}`, http.StatusForbidden, nil)
		do(grid, "POST", fmt.Sprintf("/api/v1/credentials/%d/shares", cert.ID), fmt.Sprintf(`{"operator_id":%d}`, waterOrg), http.StatusForbidden, nil)

		// Water links B; B's certificate, lapsed yesterday, goes to water only.
		var ws struct{ ID int64 }
		do(water, "POST", "/api/v1/suppliers", `{"name":"示例工控网关有限公司","country":"DE","foreign_registration":"HRB 20417"}`, http.StatusCreated, &ws)
		do(water, "POST", fmt.Sprintf("/api/v1/suppliers/%d/products", ws.ID), `{"name":"边界安全网关","version":"2.0","type":"security_product"}`, http.StatusCreated, nil)
		do(water, "PUT", fmt.Sprintf("/api/v1/suppliers/%d/platform-org", ws.ID), fmt.Sprintf(`{"org_id":%d}`, bOrg), http.StatusOK, nil)
		var bc struct{ ID int64 }
		do(b, "POST", "/api/v1/credentials", `{"kind":"certificate","product":"边界 安全网关","version":"2.0","number":"CCRC-2024-ISP-0099","body":"中国网络安全审查认证和市场监管大数据中心","dated":"`+chinaDate(-400)+`","expires":"`+chinaDate(-1)+`"}`, http.StatusCreated, &bc)
		do(b, "POST", fmt.Sprintf("/api/v1/credentials/%d/shares", bc.ID), fmt.Sprintf(`{"operator_id":%d}`, gridOrg), http.StatusBadRequest, nil)
		do(b, "POST", fmt.Sprintf("/api/v1/credentials/%d/shares", bc.ID), fmt.Sprintf(`{"operator_id":%d}`, waterOrg), http.StatusCreated, nil)
		wl := shared(water)
		if len(wl) != 1 || wl[0].Valid || len(wl[0].Products) != 1 || wl[0].Products[0].Name != "边界安全网关" || len(wl[0].Systems) != 0 {
			t.Errorf("water's shared credentials %+v, want B's lapsed certificate, matched to its gateway, on no system", wl)
		}
		if l := shared(grid); len(l) != aBase+2 {
			t.Errorf("the grid sees %d, want A's two beside the demo's", len(l))
		}
		if len(wl) == 1 {
			do(grid, "GET", fmt.Sprintf("/api/v1/shared-credentials/%d", wl[0].ID), "", http.StatusNotFound, nil)
			if p := page(water, fmt.Sprintf("/shared-credentials/%d", wl[0].ID), http.StatusOK); !strings.Contains(p, "已过期") || !strings.Contains(p, "边界安全网关 2.0") {
				t.Errorf("water's page of B's certificate lacks 已过期 or its gateway")
			}
		}

		// The pages in Chinese.
		p := page(grid, "/shared-credentials", http.StatusOK)
		for _, want := range []string{"供应商共享的证书与审查结论", "示例安全设备有限公司", "安全认证（检测）证书", "有效，至" + chinaDate(65), "网络安全审查结论", "审查通过", "变电站综合自动化监控系统"} {
			if !strings.Contains(p, want) {
				t.Errorf("the grid's list lacks %q", want)
			}
		}
		p = page(grid, fmt.Sprintf("/shared-credentials/%d", gridCert.ID), http.StatusOK)
		for _, want := range []string{"CCRC-2025-ISP-0417", "本单位的相关产品", "工业防火墙 3.6", "配电自动化系统", "只读"} {
			if !strings.Contains(p, want) {
				t.Errorf("the grid's certificate page lacks %q", want)
			}
		}
		p = page(a, fmt.Sprintf("/credentials/%d", cert.ID), http.StatusOK)
		for _, want := range []string{"安全认证（检测）证书：工业防火墙 3.6", "已共享的客户", "示例电网有限公司", "共享中", "撤销共享", "已共享给所有客户"} {
			if !strings.Contains(p, want) {
				t.Errorf("A's certificate page lacks %q", want)
			}
		}
		if strings.Contains(p, `id="share-form"`) {
			t.Error("A's certificate page offers to share with no customer left")
		}
		if _, en := a.Do("GET", fmt.Sprintf("/credentials/%d", cert.ID), nil, map[string]string{"Accept-Language": "en"}); !strings.Contains(en, "<h1>Security certificate: 工业防火墙 3.6</h1>") {
			t.Error("the English page's title is not 'Security certificate: 工业防火墙 3.6'")
		}
		a.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		res, form := a.Do("POST", "/credentials", url.Values{"_csrf": {a.CSRF}, "kind": {"certificate"}, "product": {"工业防火墙"}, "number": {"X-1"},
			"body": {"某机构"}, "dated": {chinaDate(0)}, "outcome": {"cleared"}}, nil)
		form = html.UnescapeString(form)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(form, `id="expires" name="expires" type="date" value="" aria-invalid="true"`) || !strings.Contains(form, "不是日期（年-月-日）") {
			t.Errorf("the form without a last valid day: %d, the field not marked in Chinese", res.StatusCode)
		}

		// A revokes the certificate's share: gone for the grid, kept in A's history; twice is
		// a conflict; sharing again delivers a new receipt.
		do(a, "POST", fmt.Sprintf("/api/v1/credentials/%d/shares/%d/revoke", cert.ID, gridOrg), "", http.StatusOK, nil)
		if l := shared(grid); len(l) != aBase+1 || slices.ContainsFunc(l, func(x sharedCred) bool { return x.ID == gridCert.ID }) {
			t.Errorf("after the revocation the grid sees %+v, want the review outcome beside the demo's", l)
		}
		do(grid, "GET", fmt.Sprintf("/api/v1/shared-credentials/%d", gridCert.ID), "", http.StatusNotFound, nil)
		do(a, "POST", fmt.Sprintf("/api/v1/credentials/%d/shares/%d/revoke", cert.ID, gridOrg), "", http.StatusConflict, nil)
		do(a, "GET", fmt.Sprintf("/api/v1/credentials/%d", cert.ID), "", http.StatusOK, &cs)
		if len(cs.Shares) != 1 || cs.Shares[0].RevokedAt == nil {
			t.Errorf("A's history %+v, want the share revoked", cs.Shares)
		}
		do(a, "POST", fmt.Sprintf("/api/v1/credentials/%d/shares", cert.ID), fmt.Sprintf(`{"operator_id":%d}`, gridOrg), http.StatusCreated, nil)
		if l := shared(grid); len(l) != aBase+2 || slices.ContainsFunc(l, func(x sharedCred) bool { return x.ID == gridCert.ID }) {
			t.Errorf("shared again, the grid sees %+v, want a new receipt", l)
		}
	})
}
