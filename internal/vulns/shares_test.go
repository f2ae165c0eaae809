package vulns_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/notify"
	"ciiguard/internal/notify/notifytest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/vulns"
)

// received is what the tests read of an advisory shared with an operator.
type received struct {
	ID         int64  `json:"id"`
	SupplierID int64  `json:"supplier_org_id"`
	SupplierZH string `json:"supplier_name_zh"`
	Advisory   struct {
		Title    string `json:"title"`
		Severity string `json:"severity"`
		Status   string `json:"status"`
	} `json:"advisory"`
	Products []struct {
		ID            int64
		Name, Version string
	} `json:"products"`
	Systems []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"systems"`
}

func (r received) systemNames() []string {
	var out []string
	for _, s := range r.Systems {
		out = append(out, s.Name)
	}
	slices.Sort(out)
	return out
}

// share is what the tests read of a supplier's share.
type share struct {
	ID         int64   `json:"id"`
	OperatorID int64   `json:"operator_id"`
	RevokedAt  *string `json:"revoked_at"`
}

type sharesOf struct {
	Shares    []share
	Customers []struct {
		ID     int64
		NameZH string `json:"name_zh"`
	}
}

// newSupplierOrg makes a second supplier organisation with one supplier user and signs in.
func newSupplierOrg(t *testing.T, env *apptest.Env) (auth.Org, *apptest.Client) {
	t.Helper()
	ctx := context.Background()
	o, err := env.App.Auth.CreateOrg(ctx, auth.Org{Kind: auth.Supplier, NameZH: "示例工控网关有限公司（测试）", NameEN: "Example ICS Gateways (test)"})
	if err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("user%d@gateways.test", o.ID)
	if _, err := env.App.Auth.CreateUser(ctx, auth.NewUser{OrgID: o.ID, Email: email, Name: "测试", Role: auth.SupplierUser, PasswordHash: apptest.DemoPasswordHash()}); err != nil {
		t.Fatal(err)
	}
	return o, env.Login(t, email)
}

func orgOf(t *testing.T, env *apptest.Env, email string) int64 {
	t.Helper()
	u, err := env.App.Auth.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.OrgID
}

// TestSupplierSharing: two suppliers (the demo's 示例安全设备有限公司, A, and a second one, B),
// two operators (grid, which links A in its register, and water, which links B during the
// test), on both engines. Expectations are hand-written from the demo tables: A's firewall
// advisory names 工业防火墙 3.6, which the grid uses on 变电站综合自动化监控系统 and
// 配电自动化系统. Each supplier sees only the operator that links it; each operator sees
// only what was shared with it; every other party — with the permission in its own
// organisation — gets 404 before its input is judged; the operator may not share; a revoked
// share is gone for the operator and stays in the supplier's history.
func TestSupplierSharing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		grid := env.Login(t, "security@grid.demo")
		waterEmail := app.OtherOperatorEmail(auth.SecurityManager)
		water := env.Login(t, waterEmail)
		gridOrg, waterOrg := orgOf(t, env, "security@grid.demo"), orgOf(t, env, waterEmail)
		a := env.Login(t, "user@supplier.demo")
		bOrg, b := newSupplierOrg(t, env)

		// A's advisory and its customers: the grid only.
		var av struct{ Vulnerabilities []vuln }
		code, body := call(t, a, "GET", "/api/v1/vulns", nil, &av)
		must(t, "A's list", code, http.StatusOK, body)
		var adv int64
		for _, v := range av.Vulnerabilities {
			if v.Title == "工业防火墙网页管理界面身份认证绕过漏洞" {
				adv = v.ID
			}
		}
		if adv == 0 {
			t.Fatal("the demo advisory is not A's")
		}
		var so sharesOf
		code, body = call(t, a, "GET", fmt.Sprintf("/api/v1/advisories/%d/shares", adv), nil, &so)
		must(t, "A's shares", code, http.StatusOK, body)
		if len(so.Customers) != 1 || so.Customers[0].ID != gridOrg || so.Customers[0].NameZH != "示例电网有限公司" {
			t.Errorf("A's customers %+v, want the grid (%d) only", so.Customers, gridOrg)
		}
		if len(so.Shares) != 1 || so.Shares[0].OperatorID != gridOrg || so.Shares[0].RevokedAt != nil {
			t.Errorf("A's shares %+v, want one in force with the grid", so.Shares)
		}

		// The grid sees it, linked to its firewall and the two systems.
		list := func(c *apptest.Client) []received {
			t.Helper()
			var l struct{ Advisories []received }
			code, body := call(t, c, "GET", "/api/v1/shared-advisories", nil, &l)
			must(t, "shared list", code, http.StatusOK, body)
			return l.Advisories
		}
		gl := list(grid)
		if len(gl) != 1 || gl[0].SupplierZH != "示例安全设备有限公司" || len(gl[0].Products) != 1 || gl[0].Products[0].Name != "工业防火墙" || gl[0].Products[0].Version != "3.6" {
			t.Fatalf("grid's shared advisories %+v", gl)
		}
		if got, want := gl[0].systemNames(), []string{"变电站综合自动化监控系统", "配电自动化系统"}; !slices.Equal(got, want) {
			t.Errorf("reaches %v, want %v", got, want)
		}
		gridRecv := gl[0].ID

		// Water: nothing shared, the grid's receipt is 404 (API and page); A may not share
		// with water, which does not name it.
		if l := list(water); len(l) != 0 {
			t.Errorf("water sees %+v", l)
		}
		for _, p := range []string{fmt.Sprintf("/api/v1/shared-advisories/%d", gridRecv), fmt.Sprintf("/vulns/shared/%d", gridRecv)} {
			if code, body := call(t, water, "GET", p, nil, nil); code != http.StatusNotFound {
				t.Errorf("water GET %s: %d, want 404: %s", p, code, body)
			}
		}
		code, body = call(t, a, "POST", fmt.Sprintf("/api/v1/advisories/%d/shares", adv), map[string]any{"operator_id": waterOrg}, nil)
		if code != http.StatusBadRequest || !contains(fields(t, body)["operator_id"], "not an operator that names your organisation") {
			t.Errorf("A shares with water: %d %s, want 400 on operator_id", code, body)
		}

		// B, a supplier too, gets 404 for A's advisory on every route, whatever it sends.
		for _, c := range []struct{ method, path, body string }{
			{"GET", fmt.Sprintf("/api/v1/advisories/%d/shares", adv), ""},
			{"POST", fmt.Sprintf("/api/v1/advisories/%d/shares", adv), "{"},
			{"POST", fmt.Sprintf("/api/v1/advisories/%d/shares", adv), fmt.Sprintf(`{"operator_id":%d}`, gridOrg)},
			{"POST", fmt.Sprintf("/api/v1/advisories/%d/shares/%d/revoke", adv, gridOrg), ""},
		} {
			var v any
			if c.body != "" {
				v = c.body
			}
			if code, body := call(t, b, c.method, c.path, v, nil); code != http.StatusNotFound {
				t.Errorf("B %s %s %s: %d, want 404: %s", c.method, c.path, c.body, code, body)
			}
		}
		res, _ := b.Do("POST", fmt.Sprintf("/vulns/%d/shares", adv), url.Values{"_csrf": {b.CSRF}, "operator_id": {"x"}}, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("B's share form on A's advisory: %d, want 404", res.StatusCode)
		}
		// An operator shares nothing: the permission is the supplier's.
		var gv struct{ Vulnerabilities []vuln }
		call(t, grid, "GET", "/api/v1/vulns", nil, &gv)
		if code, body := call(t, grid, "POST", fmt.Sprintf("/api/v1/advisories/%d/shares", gv.Vulnerabilities[0].ID), map[string]any{"operator_id": waterOrg}, nil); code != http.StatusForbidden {
			t.Errorf("the grid shares: %d, want 403: %s", code, body)
		}

		// Water links B: the grid's supplier record is 404 to water before its input is
		// judged; an operator is not a supplier organisation; a second record may not link
		// the same organisation.
		var gs struct{ Suppliers []struct{ ID int64 } }
		code, body = call(t, grid, "GET", "/api/v1/suppliers", nil, &gs)
		must(t, "grid suppliers", code, http.StatusOK, body)
		if code, body := call(t, water, "PUT", fmt.Sprintf("/api/v1/suppliers/%d/platform-org", gs.Suppliers[0].ID), "{", nil); code != http.StatusNotFound {
			t.Errorf("water links the grid's supplier: %d, want 404: %s", code, body)
		}
		var ws struct{ ID int64 }
		code, body = call(t, water, "POST", "/api/v1/suppliers", map[string]any{"name": "示例工控网关有限公司", "country": "DE", "foreign_registration": "HRB 20417"}, &ws)
		must(t, "water's supplier", code, http.StatusCreated, body)
		code, body = call(t, water, "POST", fmt.Sprintf("/api/v1/suppliers/%d/products", ws.ID), map[string]any{"name": "边界安全网关", "version": "2.0", "type": "security_product"}, nil)
		must(t, "water's product", code, http.StatusCreated, body)
		code, body = call(t, water, "PUT", fmt.Sprintf("/api/v1/suppliers/%d/platform-org", ws.ID), map[string]any{"org_id": gridOrg}, nil)
		if code != http.StatusBadRequest || !contains(fields(t, body)["org_id"], "not a supplier organisation") {
			t.Errorf("linking an operator: %d %s, want 400 on org_id", code, body)
		}
		code, body = call(t, water, "PUT", fmt.Sprintf("/api/v1/suppliers/%d/platform-org", ws.ID), map[string]any{"org_id": bOrg.ID}, nil)
		must(t, "water links B", code, http.StatusOK, body)
		var ws2 struct{ ID int64 }
		call(t, water, "POST", "/api/v1/suppliers", map[string]any{"name": "另一家", "country": "DE", "foreign_registration": "HRB 1"}, &ws2)
		if code, body := call(t, water, "PUT", fmt.Sprintf("/api/v1/suppliers/%d/platform-org", ws2.ID), map[string]any{"org_id": bOrg.ID}, nil); code != http.StatusConflict {
			t.Errorf("a second record linking B: %d, want 409: %s", code, body)
		}

		// B's advisory: its customer is water only; shared with water, not with the grid.
		var bv vuln
		code, body = call(t, b, "POST", "/api/v1/vulns", map[string]any{"title": "边界安全网关固件后门账号", "severity": "critical", "disclosed": true,
			"products": []map[string]any{{"name": "边界安全网关", "version": "2.0"}}}, &bv)
		must(t, "B's advisory", code, http.StatusCreated, body)
		code, body = call(t, b, "GET", fmt.Sprintf("/api/v1/advisories/%d/shares", bv.ID), nil, &so)
		must(t, "B's shares", code, http.StatusOK, body)
		if len(so.Customers) != 1 || so.Customers[0].ID != waterOrg || len(so.Shares) != 0 {
			t.Errorf("B's customers %+v shares %+v, want water only and no share", so.Customers, so.Shares)
		}
		code, body = call(t, b, "POST", fmt.Sprintf("/api/v1/advisories/%d/shares", bv.ID), map[string]any{"operator_id": gridOrg}, nil)
		if code != http.StatusBadRequest {
			t.Errorf("B shares with the grid: %d, want 400: %s", code, body)
		}
		code, body = call(t, b, "POST", fmt.Sprintf("/api/v1/advisories/%d/shares", bv.ID), map[string]any{"operator_id": waterOrg}, nil)
		must(t, "B shares with water", code, http.StatusCreated, body)
		if code, body := call(t, b, "POST", fmt.Sprintf("/api/v1/advisories/%d/shares", bv.ID), map[string]any{"operator_id": waterOrg}, nil); code != http.StatusConflict {
			t.Errorf("sharing twice: %d, want 409: %s", code, body)
		}
		wl := list(water)
		if len(wl) != 1 || wl[0].Advisory.Title != "边界安全网关固件后门账号" || len(wl[0].Products) != 1 || wl[0].Products[0].Name != "边界安全网关" || len(wl[0].Systems) != 0 {
			t.Errorf("water's shared advisories %+v, want B's, matched to its gateway, on no system", wl)
		}
		if gl := list(grid); len(gl) != 1 || gl[0].ID != gridRecv {
			t.Errorf("the grid sees %+v, want A's only", gl)
		}
		if code, body := call(t, grid, "GET", fmt.Sprintf("/api/v1/shared-advisories/%d", wl[0].ID), nil, nil); code != http.StatusNotFound {
			t.Errorf("the grid reads water's advisory: %d, want 404: %s", code, body)
		}

		// The grid's pages in Chinese show the advisory and the systems it reaches.
		grid.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		_, page := grid.Do("GET", "/vulns", nil, nil)
		for _, want := range []string{"供应商共享的安全公告", "示例安全设备有限公司", "工业防火墙网页管理界面身份认证绕过漏洞"} {
			if !strings.Contains(page, want) {
				t.Errorf("the list page lacks %q", want)
			}
		}
		_, page = grid.Do("GET", fmt.Sprintf("/vulns/shared/%d", gridRecv), nil, nil)
		for _, want := range []string{"该公告涉及本单位在下列系统上使用的产品", "变电站综合自动化监控系统", "配电自动化系统", "已修复"} {
			if !strings.Contains(page, want) {
				t.Errorf("the advisory's page lacks %q", want)
			}
		}

		// A revokes: the grid no longer sees it; A's history keeps the share as revoked;
		// revoking again is a conflict; sharing again delivers it anew.
		code, body = call(t, a, "POST", fmt.Sprintf("/api/v1/advisories/%d/shares/%d/revoke", adv, gridOrg), nil, nil)
		must(t, "revoke", code, http.StatusOK, body)
		if l := list(grid); len(l) != 0 {
			t.Errorf("after the revocation the grid sees %+v", l)
		}
		if code, body := call(t, grid, "GET", fmt.Sprintf("/api/v1/shared-advisories/%d", gridRecv), nil, nil); code != http.StatusNotFound {
			t.Errorf("the revoked advisory: %d, want 404: %s", code, body)
		}
		if code, body := call(t, a, "POST", fmt.Sprintf("/api/v1/advisories/%d/shares/%d/revoke", adv, gridOrg), nil, nil); code != http.StatusConflict {
			t.Errorf("revoking twice: %d, want 409: %s", code, body)
		}
		call(t, a, "GET", fmt.Sprintf("/api/v1/advisories/%d/shares", adv), nil, &so)
		if len(so.Shares) != 1 || so.Shares[0].RevokedAt == nil {
			t.Errorf("A's history %+v, want the share revoked", so.Shares)
		}
		code, body = call(t, a, "POST", fmt.Sprintf("/api/v1/advisories/%d/shares", adv), map[string]any{"operator_id": gridOrg}, nil)
		must(t, "share again", code, http.StatusCreated, body)
		if l := list(grid); len(l) != 1 || l[0].ID == gridRecv {
			t.Errorf("shared again, the grid sees %+v, want one new receipt", l)
		}
	})
}

// TestSharedAdvisoryAlertsOperator: an advisory shared with the grid that names the
// firewall it uses on two systems alerts the grid's administrator, security manager and
// system owner (those who keep the register and the systems) by e-mail, read back from a
// real SMTP server, naming the supplier and both systems; the analyst and the auditor are not
// alerted, and an advisory that reaches none of the grid's systems alerts nobody.
func TestSharedAdvisoryAlertsOperator(t *testing.T) {
	mail := notifytest.Start(t)
	mods := app.Modules()
	var n *notify.Module
	var vm *vulns.Module
	for _, m := range mods {
		switch x := m.(type) {
		case *notify.Module:
			n = x
		case *vulns.Module:
			vm = x
		}
	}
	n.SetMail(notify.Mail{Addr: mail.Addr, From: "ciiguard@grid.demo", Security: "none"}, "https://ciiguard.example.cn")
	env := apptest.StartWith(t, store.SQLite, mods)
	bg := context.Background()
	if _, err := n.Deliver(bg); err != nil { // the demo's own notices
		t.Fatal(err)
	}
	gridOrg := orgOf(t, env, "security@grid.demo")
	a := env.Login(t, "user@supplier.demo")
	shareNew := func(title, product, version string) {
		t.Helper()
		var v vuln
		code, body := call(t, a, "POST", "/api/v1/vulns", map[string]any{"title": title, "severity": "high", "disclosed": true,
			"products": []map[string]any{{"name": product, "version": version}}}, &v)
		must(t, "advisory", code, http.StatusCreated, body)
		code, body = call(t, a, "POST", fmt.Sprintf("/api/v1/advisories/%d/shares", v.ID), map[string]any{"operator_id": gridOrg}, nil)
		must(t, "share", code, http.StatusCreated, body)
		if _, err := n.Deliver(bg); err != nil {
			t.Fatal(err)
		}
	}
	mark := len(mail.Messages())
	shareNew("工业防火墙策略配置越权漏洞", "工业防火墙", "3.6")
	var got []string
	for _, m := range mail.Messages()[mark:] {
		got = append(got, m.To...)
		for _, want := range []string{"示例安全设备有限公司", "工业防火墙策略配置越权漏洞", "变电站综合自动化监控系统", "配电自动化系统"} {
			if !strings.Contains(m.Subject+m.Body, want) {
				t.Errorf("the alert to %v lacks %q: %s %q", m.To, want, m.Subject, m.Body)
			}
		}
	}
	slices.Sort(got)
	if want := []string{"admin@grid.demo", "owner@grid.demo", "security@grid.demo"}; !slices.Equal(got, want) {
		t.Errorf("alerted %v, want %v", got, want)
	}
	mark = len(mail.Messages())
	shareNew("另一型号防火墙漏洞", "工业防火墙", "9.9")
	if extra := mail.Messages()[mark:]; len(extra) != 0 {
		t.Errorf("an advisory reaching no system alerted %d people", len(extra))
	}

	// The grid then puts a 工业防火墙 9.9 of the same supplier on 配电自动化系统 (the
	// system of its 3.6 that is not the substation's): the next check alerts the same three
	// of the advisory shared before, naming that system only, and the check after it nobody;
	// the first advisory, alerted when shared, is not alerted again.
	sm := env.Login(t, "security@grid.demo")
	var fw struct {
		SupplierID int64   `json:"supplier_id"`
		Systems    []int64 `json:"systems"`
	}
	code, body := call(t, sm, "GET", fmt.Sprintf("/api/v1/products/%d", productID(t, sm, "工业防火墙", "3.6")), nil, &fw)
	must(t, "the firewall", code, http.StatusOK, body)
	var dist int64
	for _, id := range fw.Systems {
		var sys struct{ Name string }
		code, body := call(t, sm, "GET", fmt.Sprintf("/api/v1/scope/systems/%d", id), nil, &sys)
		must(t, "a system", code, http.StatusOK, body)
		if sys.Name == "配电自动化系统" {
			dist = id
		}
	}
	code, body = call(t, sm, "POST", fmt.Sprintf("/api/v1/suppliers/%d/products", fw.SupplierID), map[string]any{"name": "工业防火墙", "version": "9.9",
		"type": "security_product", "systems": []int64{dist}}, nil)
	must(t, "the new firewall", code, http.StatusCreated, body)
	check := func() []notifytest.Message {
		t.Helper()
		mark := len(mail.Messages())
		if err := vm.TellAffected(store.WithOrg(bg, gridOrg)); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Deliver(bg); err != nil {
			t.Fatal(err)
		}
		return mail.Messages()[mark:]
	}
	got = nil
	for _, m := range check() {
		got = append(got, m.To...)
		if !strings.Contains(m.Subject+m.Body, "另一型号防火墙漏洞") || !strings.Contains(m.Body, "配电自动化系统") || strings.Contains(m.Body, "变电站综合自动化监控系统") {
			t.Errorf("the later alert to %v: %s %q", m.To, m.Subject, m.Body)
		}
	}
	slices.Sort(got)
	if want := []string{"admin@grid.demo", "owner@grid.demo", "security@grid.demo"}; !slices.Equal(got, want) {
		t.Errorf("alerted once the product is in use: %v, want %v", got, want)
	}
	if again := check(); len(again) != 0 {
		t.Errorf("the next check alerted %d more", len(again))
	}
}
