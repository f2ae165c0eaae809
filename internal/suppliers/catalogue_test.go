package suppliers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/suppliers"
)

// The oracle of these tests is the 2023 catalogue (关于调整《网络关键设备和网络安全专用产品
// 目录》的公告, 3 July 2023) as republished, written out here by hand: four kinds of critical
// network equipment with their ranges, and the dedicated security products by category.
//
//	路由器              整系统吞吐量（双向）≥12Tbps；整系统路由表容量≥55万条
//	交换机              整系统吞吐量（双向）≥30Tbps；整系统包转发率≥10Gpps
//	服务器（机架式）    CPU数量≥8个；单CPU内核数≥14个；内存容量≥256GB
//	可编程逻辑控制器    控制器指令执行时间≤0.08微秒
//	安全专用产品        1 数据备份与恢复产品 2 防火墙 3 入侵检测系统 4 入侵防御系统 5 网络和终端隔离产品 …

// TestCatalogueEntriesAsPublished: the built-in table's confirmed entries are the ones read in
// the 2023 text, with its ranges; every entry names its instrument, edition and source, and
// an entry not read in the 2023 text is not marked confirmed.
func TestCatalogueEntriesAsPublished(t *testing.T) {
	want := map[string][]string{ // code → the ranges as the text gives them
		"router":                     {"整系统吞吐量（双向） ≥ 12 Tbps", "整系统路由表容量 ≥ 550000 条"},
		"switch":                     {"整系统吞吐量（双向） ≥ 30 Tbps", "整系统包转发率 ≥ 10 Gpps"},
		"rack_server":                {"CPU数量 ≥ 8 个", "单CPU内核数 ≥ 14 个", "内存容量 ≥ 256 GB"},
		"plc":                        {"控制器指令执行时间 ≤ 0.08 微秒"},
		"data_backup_recovery":       nil,
		"firewall":                   nil,
		"ids":                        nil,
		"ips":                        nil,
		"network_terminal_isolation": nil,
	}
	seen := map[string]bool{}
	for _, e := range suppliers.Catalogue {
		if seen[e.Code] {
			t.Errorf("%s twice", e.Code)
		}
		seen[e.Code] = true
		if e.Instrument == "" || e.Source == "" || (e.Edition != "2023" && e.Edition != "2017") || e.Zh == "" || e.En == "" {
			t.Errorf("%s lacks its instrument, edition, source or names: %+v", e.Code, e)
		}
		ranges, ok := want[e.Code]
		if e.Confirmed != ok || e.Confirmed != strings.HasPrefix(e.Source, "confirmed") {
			t.Errorf("%s: confirmed %v, source %q; the 2023 text read by hand says %v", e.Code, e.Confirmed, e.Source, ok)
		}
		var got []string
		for _, th := range e.Thresholds {
			got = append(got, th.Range(true))
		}
		if ok && !slices.Equal(got, ranges) {
			t.Errorf("%s: ranges %q, want %q", e.Code, got, ranges)
		}
	}
	for code := range want {
		if !seen[code] {
			t.Errorf("the catalogue lacks %s", code)
		}
	}
}

// TestCatalogueDuty: a hand-written table of products against the 2023 ranges. One figure
// in the range puts a product on the catalogue (≥, or ≤ for the PLC's time, the bound
// included); it is off only when every figure is given and none is in the range; figures
// missing count it, cautiously; a product without a category keeps its kind's old duty.
func TestCatalogueDuty(t *testing.T) {
	type specs = map[string]float64
	cases := []struct {
		name      string
		typ, cat  string
		specs     specs
		needs     bool
		wantBasis string
	}{
		{"router at 12 Tbps exactly", "critical_network_equipment", "router", specs{"throughput_tbps": 12, "routing_table_entries": 100000}, true, suppliers.BasisThresholdReached},
		{"router below both figures", "critical_network_equipment", "router", specs{"throughput_tbps": 11.9, "routing_table_entries": 549999}, false, suppliers.BasisBelowThreshold},
		{"router with 550,000 routes only in range", "critical_network_equipment", "router", specs{"throughput_tbps": 2, "routing_table_entries": 550000}, true, suppliers.BasisThresholdReached},
		{"router with its throughput only, below", "critical_network_equipment", "router", specs{"throughput_tbps": 2}, true, suppliers.BasisThresholdUnknown},
		{"router without figures", "critical_network_equipment", "router", nil, true, suppliers.BasisThresholdUnknown},
		{"switch at 30 Tbps", "critical_network_equipment", "switch", specs{"throughput_tbps": 30, "packet_forwarding_gpps": 1}, true, suppliers.BasisThresholdReached},
		{"switch below", "critical_network_equipment", "switch", specs{"throughput_tbps": 29.9, "packet_forwarding_gpps": 9.9}, false, suppliers.BasisBelowThreshold},
		{"rack server of 8 CPUs", "critical_network_equipment", "rack_server", specs{"cpus": 8, "cores_per_cpu": 8, "memory_gb": 128}, true, suppliers.BasisThresholdReached},
		{"rack server below", "critical_network_equipment", "rack_server", specs{"cpus": 2, "cores_per_cpu": 12, "memory_gb": 192}, false, suppliers.BasisBelowThreshold},
		{"PLC at 0.08 µs", "critical_network_equipment", "plc", specs{"instruction_time_us": 0.08}, true, suppliers.BasisThresholdReached},
		{"PLC slower than 0.08 µs", "critical_network_equipment", "plc", specs{"instruction_time_us": 0.1}, false, suppliers.BasisBelowThreshold},
		{"firewall", "security_product", "firewall", nil, true, suppliers.BasisListed},
		{"firewall software", "software", "firewall", nil, true, suppliers.BasisListed},
		{"WAF, an unconfirmed 2017 entry", "security_product", "web_application_firewall", nil, true, suppliers.BasisListed},
		{"optical transport, on no entry", "critical_network_equipment", suppliers.CategoryNotListed, nil, false, suppliers.BasisNotListed},
		{"a security product without a category", "security_product", "", nil, true, suppliers.BasisTypeDefault},
		{"equipment without a category", "critical_network_equipment", "", nil, true, suppliers.BasisTypeDefault},
		{"software without a category", "software", "", nil, false, suppliers.BasisNoDuty},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			needs, basis := suppliers.CatalogueDuty(suppliers.Product{Type: tc.typ, Category: tc.cat, Specs: tc.specs})
			if needs != tc.needs || basis != tc.wantBasis {
				t.Errorf("needs %v (%s), want %v (%s)", needs, basis, tc.needs, tc.wantBasis)
			}
		})
	}
}

// tags matches HTML tags, to read a page's text as a person does.
var tags = regexp.MustCompile(`<[^>]*>`)

// supplierFacts reads org's suppliers fact set as the rules engine does.
func supplierFacts(t *testing.T, env *apptest.Env, org int64) suppliers.Facts {
	t.Helper()
	for _, m := range env.App.Modules {
		if sm, ok := m.(*suppliers.Module); ok {
			f, err := sm.Facts(store.WithOrg(context.Background(), org))
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatal("no suppliers module")
	return suppliers.Facts{}
}

// TestCatalogueCounts (both engines): products registered through the API with their
// category and figures count toward uncertified_in_use and uncertified_on_cii as the
// hand-written table says, the finding of CIIR-CERTIFIED-EQUIPMENT names the count, bad
// categories and figures are refused by field, and the product page says why in Chinese.
func TestCatalogueCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		u, err := env.App.Auth.UserByEmail(context.Background(), "security@grid.demo")
		if err != nil {
			t.Fatal(err)
		}
		base := supplierFacts(t, env, u.OrgID)
		if base.UncertifiedInUse != 0 {
			t.Fatalf("the demo has %d uncertified products in use, want 0", base.UncertifiedInUse)
		}
		cii, office := systemOf(t, sm, "identified"), systemOf(t, sm, "none")
		var sup struct{ ID int64 }
		res, body := sm.Do("POST", "/api/v1/suppliers", nil, h, `{"name":"莱茵网络设备有限公司","country":"DE","foreign_registration":"HRB 9"}`)
		decode(t, res, body, http.StatusCreated, &sup)
		path := fmt.Sprintf("/api/v1/suppliers/%d/products", sup.ID)

		for _, bad := range []struct{ body, field, reason string }{
			{`{"name":"调制解调器","type":"critical_network_equipment","catalogue_category":"modem"}`, "catalogue_category", "is not a category of the catalogue"},
			{`{"name":"防火墙","type":"security_product","catalogue_category":"firewall","catalogue_specs":{"throughput_tbps":5}}`, "catalogue_specs.throughput_tbps", "is not a figure of the category's range"},
			{`{"name":"路由器","type":"critical_network_equipment","catalogue_category":"router","catalogue_specs":{"throughput_tbps":-1}}`, "catalogue_specs.throughput_tbps", "must be a positive number"},
		} {
			res, body := sm.Do("POST", path, nil, h, bad.body)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(fields(t, body)[bad.field], bad.reason) {
				t.Errorf("%s: %d %s, want 400 on %s", bad.body, res.StatusCode, body, bad.field)
			}
		}

		type row struct {
			name, typ, cat, specs string
			system                int64
			needs                 bool
			basis                 string
		}
		rows := []row{
			{"广域网路由器", "critical_network_equipment", "router", `{"throughput_tbps":1.2,"routing_table_entries":300000}`, cii, false, "below_threshold"},
			{"核心路由器", "critical_network_equipment", "router", `{"throughput_tbps":12,"routing_table_entries":100000}`, cii, true, "threshold_reached"},
			{"汇聚交换机", "critical_network_equipment", "switch", `{"throughput_tbps":2.4}`, cii, true, "threshold_unknown"},
			{"光传输设备", "critical_network_equipment", "not_listed", `{}`, cii, false, "not_listed"},
			{"边界防火墙", "security_product", "firewall", `{}`, cii, true, "listed"},
			{"接入交换机", "critical_network_equipment", "", `{}`, office, true, "type_default"},
			{"办公软件", "software", "", `{}`, cii, false, "no_duty"},
			{"控制器", "critical_network_equipment", "plc", `{"instruction_time_us":0.2}`, cii, false, "below_threshold"},
		}
		ids := map[string]int64{}
		for _, r := range rows {
			var p struct {
				ID    int64  `json:"id"`
				Needs bool   `json:"needs_certificate"`
				Basis string `json:"certificate_basis"`
				Gap   bool   `json:"certificate_gap"`
			}
			res, body := sm.Do("POST", path, nil, h, fmt.Sprintf(`{"name":%q,"type":%q,"catalogue_category":%q,"catalogue_specs":%s,"systems":[%d]}`, r.name, r.typ, r.cat, r.specs, r.system))
			decode(t, res, body, http.StatusCreated, &p)
			if p.Needs != r.needs || p.Basis != r.basis || p.Gap != r.needs {
				t.Errorf("%s: needs %v (%s) gap %v, want %v (%s)", r.name, p.Needs, p.Basis, p.Gap, r.needs, r.basis)
			}
			ids[r.name] = p.ID
		}
		// Needing one and uncertified: 核心路由器, 汇聚交换机, 边界防火墙 (CII) and 接入交换机
		// (the office network, not CII).
		f := supplierFacts(t, env, u.OrgID)
		if f.UncertifiedInUse != 4 || f.UncertifiedOnCII != 3 {
			t.Errorf("uncertified_in_use %d, on CII %d; want 4 and 3", f.UncertifiedInUse, f.UncertifiedOnCII)
		}
		st, en, zh := finding(t, sm, "CIIR-CERTIFIED-EQUIPMENT")
		if st != "gap" || !strings.Contains(en, "without a valid certificate = 4") || !strings.Contains(zh, "= 4") {
			t.Errorf("the duty: %s %q %q", st, en, zh)
		}

		// The switch's second figure, below the range: off the catalogue, one fewer.
		res, body = sm.Do("PUT", fmt.Sprintf("/api/v1/products/%d", ids["汇聚交换机"]), nil, h,
			fmt.Sprintf(`{"name":"汇聚交换机","type":"critical_network_equipment","catalogue_category":"switch","catalogue_specs":{"throughput_tbps":2.4,"packet_forwarding_gpps":2},"systems":[%d]}`, cii))
		decode(t, res, body, http.StatusOK, nil)
		if f := supplierFacts(t, env, u.OrgID); f.UncertifiedInUse != 3 || f.UncertifiedOnCII != 2 {
			t.Errorf("with the switch below its range: %d and %d, want 3 and 2", f.UncertifiedInUse, f.UncertifiedOnCII)
		}

		// The pages in Chinese say why, and the form takes the category and figures.
		zhHdr := map[string]string{"Accept-Language": "zh-CN"}
		page := func(name string) string {
			_, b := sm.Do("GET", fmt.Sprintf("/suppliers/%d/products/%d", sup.ID, ids[name]), nil, zhHdr)
			return html.UnescapeString(b)
		}
		for name, want := range map[string][]string{
			"接入交换机":  {"按产品类别视为列入目录", "在用但无有效认证"},
			"广域网路由器": {"路由器 · 网络关键设备", "范围：整系统吞吐量（双向） ≥ 12 Tbps（本产品：1.2）", "不在目录内：全部指标均已填写", "不要求"},
			"边界防火墙":  {"防火墙 · 网络安全专用产品", "列入目录：所属类别为目录中的网络安全专用产品"},
		} {
			p := page(name)
			for _, w := range want {
				if !strings.Contains(p, w) {
					t.Errorf("the page of %s lacks %q", name, w)
				}
			}
		}
		res, form := sm.Do("POST", fmt.Sprintf("/suppliers/%d/products/%d/catalogue", sup.ID, ids["接入交换机"]), map[string][]string{
			"_csrf": {sm.CSRF}, "catalogue_category": {"switch"}, "catalogue_specs.throughput_tbps": {"许多"}}, zhHdr)
		form = html.UnescapeString(form)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(form, `name="catalogue_specs.throughput_tbps" inputmode="decimal" value="许多" aria-invalid="true"`) || !strings.Contains(form, "不是数字") {
			t.Errorf("a figure that is not a number: %d, not marked in Chinese", res.StatusCode)
		}
		res, _ = sm.Do("POST", fmt.Sprintf("/suppliers/%d/products/%d/catalogue", sup.ID, ids["接入交换机"]), map[string][]string{
			"_csrf": {sm.CSRF}, "catalogue_category": {"switch"}, "catalogue_specs.throughput_tbps": {"1"}, "catalogue_specs.packet_forwarding_gpps": {"0.5"}}, zhHdr)
		if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusSeeOther {
			t.Errorf("the catalogue form: %d", res.StatusCode)
		}
		if f := supplierFacts(t, env, u.OrgID); f.UncertifiedInUse != 2 || f.UncertifiedOnCII != 2 {
			t.Errorf("with the access switch placed below its range by the form: %d and %d, want 2 and 2", f.UncertifiedInUse, f.UncertifiedOnCII)
		}

		// The review capability reads the duty through kernel.Products: a purchase of the core
		// router says it is on the catalogue without a certificate; one of the WAN router, off
		// the catalogue, says none is required.
		for name, want := range map[string]string{
			"核心路由器":  "认证要求：列入《网络关键设备和网络安全专用产品目录》（路由器）：产品登记中尚无有效证书",
			"广域网路由器": "认证要求：不要求（不在目录内）",
		} {
			var pr struct {
				ID   int64 `json:"id"`
				Cert struct {
					Needs      bool   `json:"needs_certificate"`
					CategoryZh string `json:"catalogue_category_zh"`
					Registered bool   `json:"registered"`
					Certified  bool   `json:"certified"`
				} `json:"certification"`
			}
			res, body := sm.Do("POST", "/api/v1/review/procurements", nil, h, fmt.Sprintf(`{"title":"%s采购","product_id":%d,"systems":[%d],"amount_rmb":100000,"assessment":{}}`, name, ids[name], cii))
			decode(t, res, body, http.StatusCreated, &pr)
			res, body = sm.Do("GET", fmt.Sprintf("/api/v1/review/procurements/%d", pr.ID), nil, nil)
			decode(t, res, body, http.StatusOK, &pr)
			if pr.Cert.Needs != (name == "核心路由器") || pr.Cert.CategoryZh != "路由器" || !pr.Cert.Registered || pr.Cert.Certified {
				t.Errorf("the purchase of %s: certification %+v", name, pr.Cert)
			}
			_, pg := sm.Do("GET", fmt.Sprintf("/review/procurements/%d", pr.ID), nil, zhHdr)
			if pg = tags.ReplaceAllString(html.UnescapeString(pg), ""); !strings.Contains(pg, want) {
				t.Errorf("the purchase page of %s lacks %q", name, want)
			}
		}

		// The other operator: 404 on the product and its form, its count untouched.
		o := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		if res, _ := o.Do("GET", fmt.Sprintf("/api/v1/products/%d", ids["核心路由器"]), nil, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("the other operator reads the router: %d, want 404", res.StatusCode)
		}
		if res, _ := o.Do("PUT", fmt.Sprintf("/api/v1/products/%d", ids["核心路由器"]), nil, jsonHdr(o.CSRF), `{"catalogue_category":"nonsense"}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("the other operator edits the router: %d, want 404", res.StatusCode)
		}
		var cat struct {
			Catalogue []struct{ Code string } `json:"catalogue"`
		}
		res, body = sm.Do("GET", "/api/v1/product-catalogue", nil, nil)
		decode(t, res, body, http.StatusOK, &cat)
		if len(cat.Catalogue) != len(suppliers.Catalogue) {
			t.Errorf("the catalogue API gives %d entries, want %d", len(cat.Catalogue), len(suppliers.Catalogue))
		}
	})
}

// TestSharedCertificateCounts (both engines): the demo supplier's shared certificate of the
// gateway 网闸 2.8 stands for the grid's lapsed one: the gateway is certified, its page shows
// the shared certificate read-only with its supplier; the supplier revokes the share and the
// gap comes back (uncertified_in_use and uncertified_on_cii one more, the duty a gap);
// shared again, it is met again. The other operator, never shared with, gets 404 on the
// grid's receipt and its count does not move.
func TestSharedCertificateCounts(t *testing.T) {
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
		grid, a := env.Login(t, "security@grid.demo"), env.Login(t, "user@supplier.demo")
		water := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		gridOrg, waterOrg := orgOf("security@grid.demo"), orgOf(app.OtherOperatorEmail(auth.SecurityManager))
		waterBase := supplierFacts(t, env, waterOrg)

		var prods struct {
			Products []struct {
				ID         int64  `json:"id"`
				SupplierID int64  `json:"supplier_id"`
				Name       string `json:"name"`
				Certified  bool   `json:"certified"`
				Source     string `json:"certificate_source"`
				Shared     *struct {
					ReceiptID int64  `json:"shared_credential_id"`
					Number    string `json:"number"`
				} `json:"shared_certificate"`
			} `json:"products"`
		}
		gateway := func() (int64, int64, bool, string, int64) {
			t.Helper()
			res, body := grid.Do("GET", "/api/v1/products", nil, nil)
			decode(t, res, body, http.StatusOK, &prods)
			for _, p := range prods.Products {
				if p.Name == "网闸" {
					var rec int64
					if p.Shared != nil {
						rec = p.Shared.ReceiptID
					}
					return p.ID, p.SupplierID, p.Certified, p.Source, rec
				}
			}
			t.Fatal("the demo has no 网闸")
			return 0, 0, false, "", 0
		}
		pid, sid, ok, src, receipt := gateway()
		if !ok || src != "shared" || receipt == 0 {
			t.Fatalf("the demo's gateway: certified %v by %q (receipt %d), want by the shared certificate", ok, src, receipt)
		}
		base := supplierFacts(t, env, gridOrg)
		if base.UncertifiedInUse != 0 {
			t.Errorf("the demo: %d uncertified in use, want 0", base.UncertifiedInUse)
		}
		_, p := grid.Do("GET", fmt.Sprintf("/suppliers/%d/products/%d", sid, pid), nil, map[string]string{"Accept-Language": "zh-CN"})
		p = html.UnescapeString(p)
		for _, w := range []string{"供应商共享的证书", "示例安全设备有限公司：证书编号 CCRC-", "只读", "已过期", fmt.Sprintf(`href="/shared-credentials/%d"`, receipt), "有效，至"} {
			if !strings.Contains(p, w) {
				t.Errorf("the gateway's page lacks %q", w)
			}
		}

		// The other operator: 404 on the grid's receipt and product.
		for _, path := range []string{fmt.Sprintf("/api/v1/shared-credentials/%d", receipt), fmt.Sprintf("/api/v1/products/%d", pid)} {
			if res, _ := water.Do("GET", path, nil, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("water GET %s: %d, want 404", path, res.StatusCode)
			}
		}

		// The supplier revokes: the gap comes back.
		var creds struct {
			Credentials []struct {
				ID      int64
				Product string
			}
		}
		res, body := a.Do("GET", "/api/v1/credentials", nil, nil)
		decode(t, res, body, http.StatusOK, &creds)
		var cred int64
		for _, c := range creds.Credentials {
			if c.Product == "网闸" {
				cred = c.ID
			}
		}
		res, body = a.Do("POST", fmt.Sprintf("/api/v1/credentials/%d/shares/%d/revoke", cred, gridOrg), nil, jsonHdr(a.CSRF))
		decode(t, res, body, http.StatusOK, nil)
		if _, _, ok, _, _ := gateway(); ok {
			t.Error("the gateway is still certified after the share was revoked")
		}
		f := supplierFacts(t, env, gridOrg)
		if f.UncertifiedInUse != base.UncertifiedInUse+1 || f.UncertifiedOnCII != base.UncertifiedOnCII+1 {
			t.Errorf("after the revocation: %d and %d, want %d and %d", f.UncertifiedInUse, f.UncertifiedOnCII, base.UncertifiedInUse+1, base.UncertifiedOnCII+1)
		}
		if st, en, _ := finding(t, grid, "CIIR-CERTIFIED-EQUIPMENT"); st != "gap" || !strings.Contains(en, "= 1") {
			t.Errorf("the duty after the revocation: %s %q", st, en)
		}
		if w := supplierFacts(t, env, waterOrg); w != waterBase {
			t.Errorf("water's facts moved: %+v, were %+v", w, waterBase)
		}

		// Shared again: certified again.
		res, body = a.Do("POST", fmt.Sprintf("/api/v1/credentials/%d/shares", cred), nil, jsonHdr(a.CSRF), fmt.Sprintf(`{"operator_id":%d}`, gridOrg))
		decode(t, res, body, http.StatusCreated, nil)
		if _, _, ok, src, _ := gateway(); !ok || src != "shared" {
			t.Errorf("shared again: certified %v by %q", ok, src)
		}
		if st, en, _ := finding(t, grid, "CIIR-CERTIFIED-EQUIPMENT"); st != "met" {
			t.Errorf("the duty shared again: %s %q", st, en)
		}
	})
}
