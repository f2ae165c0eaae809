package suppliers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// The oracle of these tests is worked by hand: the demo operator's CII system gets three
// uncertified products in use, a router at 12 Tbps with 100,000 routes (on the 2023 router
// range, ≥ 12 Tbps, by its throughput alone), a firewall (a security product of the 2023
// list) and, later, a product in an entry the installation adds. The installation's
// operations user then
//
//	raises the router's throughput figure to 16 Tbps  → 12 < 16 and 100,000 < 550,000: off the catalogue
//	marks the firewall entry not applicable          → the firewall needs no certificate
//	adds the security entry qkd_gateway              → a product in it needs one
//	withdraws the firewall override                  → the firewall needs one again
//
// and the organisation's uncertified_in_use moves 2 → 1 → 0 → 1 → 2 without a product
// being edited.

// catalogueEntry is an entry of GET /api/v1/product-catalogue.
type catalogueEntry struct {
	Code          string `json:"code"`
	Origin        string `json:"origin"`
	NotApplicable bool   `json:"not_applicable"`
	Confirmed     bool   `json:"confirmed"`
	Thresholds    []struct {
		Metric string  `json:"metric"`
		Value  float64 `json:"value"`
	} `json:"thresholds"`
	Override *struct {
		Reason string `json:"reason"`
		By     string `json:"made_by"`
	} `json:"override"`
}

func effectiveCatalogue(t *testing.T, c *apptest.Client) map[string]catalogueEntry {
	t.Helper()
	var out struct {
		Catalogue []catalogueEntry `json:"catalogue"`
	}
	res, body := c.Do("GET", "/api/v1/product-catalogue", nil, nil)
	decode(t, res, body, http.StatusOK, &out)
	m := map[string]catalogueEntry{}
	for _, e := range out.Catalogue {
		m[e.Code] = e
	}
	return m
}

// TestCatalogueOverrides (both engines): the installation's operations user overrides the
// catalogue through the API; products' needs-certificate and the organisation's uncertified
// count follow the hand-worked table above without any product edit; bad overrides are
// refused naming the field; a tenant's administrator and security manager are refused.
func TestCatalogueOverrides(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		ops := env.Login(t, "ops@ciiguard.demo")
		h, oh := jsonHdr(sm.CSRF), jsonHdr(ops.CSRF)
		u, err := env.App.Auth.UserByEmail(context.Background(), "security@grid.demo")
		if err != nil {
			t.Fatal(err)
		}
		uncertified := func() int64 { return supplierFacts(t, env, u.OrgID).UncertifiedInUse }
		if n := uncertified(); n != 0 {
			t.Fatalf("the demo has %d uncertified products in use, want 0", n)
		}
		cii := systemOf(t, sm, "identified")
		var sup struct{ ID int64 }
		res, body := sm.Do("POST", "/api/v1/suppliers", nil, h, `{"name":"北海网络设备有限公司","country":"DE","foreign_registration":"HRB 77"}`)
		decode(t, res, body, http.StatusCreated, &sup)
		add := func(name, typ, cat, specs string, want int) int64 {
			t.Helper()
			var p struct {
				ID int64 `json:"id"`
			}
			res, body := sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/products", sup.ID), nil, h,
				fmt.Sprintf(`{"name":%q,"type":%q,"catalogue_category":%q,"catalogue_specs":%s,"systems":[%d]}`, name, typ, cat, specs, cii))
			decode(t, res, body, want, &p)
			return p.ID
		}
		router := add("核心路由器", "critical_network_equipment", "router", `{"throughput_tbps":12,"routing_table_entries":100000}`, http.StatusCreated)
		firewall := add("边界防火墙", "security_product", "firewall", `{}`, http.StatusCreated)
		duty := func(id int64) (bool, string) {
			t.Helper()
			var p struct {
				Needs bool   `json:"needs_certificate"`
				Basis string `json:"certificate_basis"`
			}
			res, body := sm.Do("GET", fmt.Sprintf("/api/v1/products/%d", id), nil, nil)
			decode(t, res, body, http.StatusOK, &p)
			return p.Needs, p.Basis
		}
		if n := uncertified(); n != 2 {
			t.Fatalf("with the router and the firewall: uncertified_in_use %d, want 2", n)
		}

		// A tenant's administrator and security manager may read the catalogue, not change it.
		admin := env.Login(t, "admin@grid.demo")
		for _, c := range []*apptest.Client{sm, admin} {
			if res, _ := c.Do("PUT", "/api/v1/catalogue-overrides/router", nil, jsonHdr(c.CSRF), `{"kind":"threshold","values":{"throughput_tbps":16},"reason":"x"}`); res.StatusCode != http.StatusForbidden {
				t.Errorf("a tenant user changes the catalogue: %d, want 403", res.StatusCode)
			}
			if res, _ := c.Do("GET", "/api/v1/catalogue-overrides", nil, nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("a tenant user lists the overrides: %d, want 403", res.StatusCode)
			}
		}

		// Bad overrides, each refused naming its field.
		for _, bad := range []struct{ code, body, field string }{
			{"router", `{"kind":"threshold","values":{"throughput_tbps":16}}`, "reason"},
			{"router", `{"kind":"sometimes","reason":"r"}`, "kind"},
			{"firewall", `{"kind":"threshold","values":{"throughput_tbps":16},"reason":"r"}`, "code"},
			{"router", `{"kind":"threshold","values":{"ports":16},"reason":"r"}`, "values.ports"},
			{"router", `{"kind":"threshold","values":{"throughput_tbps":-1},"reason":"r"}`, "values.throughput_tbps"},
			{"router", `{"kind":"threshold","reason":"r"}`, "values"},
			{"modem", `{"kind":"not_applicable","reason":"r"}`, "code"},
			{"router", `{"kind":"added","reason":"r","entry":{"group":"security","zh":"路由器","en":"Router","description_zh":"d","description_en":"d","instrument":"i","source":"s"}}`, "code"},
			{"Bad-Code", `{"kind":"added","reason":"r","entry":{"group":"security","zh":"x","en":"x","description_zh":"d","description_en":"d","instrument":"i","source":"s"}}`, "code"},
			{"optical_transport", `{"kind":"added","reason":"r","entry":{"group":"equipment","zh":"光传输设备","en":"Optical transport","description_zh":"d","description_en":"d","instrument":"i","source":"s"}}`, "entry.thresholds"},
			{"optical_transport", `{"kind":"added","reason":"r","entry":{"group":"gadget","zh":"x","en":"x","description_zh":"d","description_en":"d","instrument":"i","source":"s"}}`, "entry.group"},
			{"optical_transport", `{"kind":"added","reason":"r","entry":{"group":"security","zh":"x","en":"x","description_zh":"d","description_en":"d","source":"s"}}`, "entry.instrument"},
			{"optical_transport", `{"kind":"added","reason":"r"}`, "entry"},
		} {
			res, body := ops.Do("PUT", "/api/v1/catalogue-overrides/"+bad.code, nil, oh, bad.body)
			if res.StatusCode != http.StatusBadRequest || fields(t, body)[bad.field] == "" {
				t.Errorf("%s %s: %d %s, want 400 naming %s", bad.code, bad.body, res.StatusCode, body, bad.field)
			}
		}
		if n := uncertified(); n != 2 {
			t.Errorf("after refused overrides: %d, want 2", n)
		}

		set := func(code, body string) {
			t.Helper()
			res, b := ops.Do("PUT", "/api/v1/catalogue-overrides/"+code, nil, oh, body)
			decode(t, res, b, http.StatusOK, nil)
		}
		steps := []struct {
			name    string
			do      func()
			product int64
			needs   bool
			basis   string
			count   int64
		}{
			{"the router's throughput figure raised to 16 Tbps", func() {
				set("router", `{"kind":"threshold","values":{"throughput_tbps":16},"reason":"设备类别范围按新公告调整（测试）"}`)
			}, router, false, "below_threshold", 1},
			{"the firewall entry marked not applicable", func() {
				set("firewall", `{"kind":"not_applicable","reason":"本安装按法律意见不适用（测试）"}`)
			}, firewall, false, "not_applicable_here", 0},
		}
		for _, s := range steps {
			s.do()
			if needs, basis := duty(s.product); needs != s.needs || basis != s.basis {
				t.Errorf("%s: needs %v (%s), want %v (%s)", s.name, needs, basis, s.needs, s.basis)
			}
			if n := uncertified(); n != s.count {
				t.Errorf("%s: uncertified_in_use %d, want %d", s.name, n, s.count)
			}
		}
		st, en, _ := finding(t, sm, "CIIR-CERTIFIED-EQUIPMENT")
		if st == "gap" {
			t.Errorf("with nothing uncertified the certification duty is still a gap: %s", en)
		}

		// An added entry: a product placed in it needs a certificate.
		set("qkd_gateway", `{"kind":"added","reason":"网信办新公布的类别（测试）","entry":{"group":"security","zh":"量子密钥分发网关","en":"Quantum key distribution gateway","description_zh":"用于量子密钥分发的网关产品","description_en":"A gateway distributing keys by quantum key distribution","instrument":"测试公告（2026年）","source":"test fixture","confirmed":false}}`)
		qkd := add("量子网关", "security_product", "qkd_gateway", `{}`, http.StatusCreated)
		if needs, basis := duty(qkd); !needs || basis != "listed" {
			t.Errorf("a product in the added entry: needs %v (%s), want true (listed)", needs, basis)
		}
		if n := uncertified(); n != 1 {
			t.Errorf("with the added entry's product: %d, want 1", n)
		}

		// The catalogue every reader sees says what changed, who changed it and why.
		cat := effectiveCatalogue(t, sm)
		if e := cat["router"]; e.Origin != "changed" || e.Thresholds[0].Value != 16 || e.Thresholds[1].Value != 550000 || e.Override == nil || !strings.HasPrefix(e.Override.By, "ops@ciiguard.demo") {
			t.Errorf("the router entry: %+v", e)
		}
		if e := cat["firewall"]; e.Origin != "changed" || !e.NotApplicable || !e.Confirmed {
			t.Errorf("the firewall entry: %+v", e)
		}
		if e := cat["qkd_gateway"]; e.Origin != "added" || e.Confirmed {
			t.Errorf("the added entry: %+v", e)
		}
		if e := cat["ids"]; e.Origin != "builtin" || e.Override != nil {
			t.Errorf("an entry nobody changed: %+v", e)
		}

		// The firewall's page says why it needs none, naming the override, who and the reason.
		zhHdr := map[string]string{"Accept-Language": "zh-CN"}
		_, pg := sm.Do("GET", fmt.Sprintf("/suppliers/%d/products/%d", sup.ID, firewall), nil, zhHdr)
		pg = tags.ReplaceAllString(html.UnescapeString(pg), "")
		for _, w := range []string{"本安装已修改", "本安装不适用", "标记为不适用（ops@ciiguard.demo", "理由：本安装按法律意见不适用（测试）", "此处无需认证：本安装已将该产品所属目录条目标记为不适用"} {
			if !strings.Contains(pg, w) {
				t.Errorf("the firewall's page lacks %q", w)
			}
		}

		// The readers' page of the catalogue in force: labelled, without the operations forms.
		res, pg = sm.Do("GET", "/product-catalogue", nil, zhHdr)
		pg = html.UnescapeString(pg)
		if res.StatusCode != http.StatusOK || strings.Contains(pg, `id="override-na"`) || strings.Contains(pg, "/withdraw") {
			t.Errorf("the readers' catalogue page: %d, or it offers the operations forms", res.StatusCode)
		}
		pg = tags.ReplaceAllString(pg, "")
		for _, w := range []string{"量子密钥分发网关", "本安装新增", "本安装已修改", "内置范围：整系统吞吐量（双向） ≥ 12 Tbps", "整系统吞吐量（双向） ≥ 16 Tbps", "条目已核实", "未核实"} {
			if !strings.Contains(pg, w) {
				t.Errorf("the readers' catalogue page lacks %q", w)
			}
		}

		// Withdrawn: the firewall is on the catalogue again; the history keeps every change.
		res, body = ops.Do("POST", "/api/v1/catalogue-overrides/firewall/withdraw", nil, oh, `{}`)
		if res.StatusCode != http.StatusBadRequest || fields(t, body)["reason"] == "" {
			t.Errorf("a withdrawal without a reason: %d %s", res.StatusCode, body)
		}
		if res, _ := ops.Do("POST", "/api/v1/catalogue-overrides/switch/withdraw", nil, oh, `{"reason":"r"}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("withdrawing an override that does not exist: %d, want 404", res.StatusCode)
		}
		res, body = ops.Do("POST", "/api/v1/catalogue-overrides/firewall/withdraw", nil, oh, `{"reason":"法律意见更新（测试）"}`)
		decode(t, res, body, http.StatusNoContent, nil)
		if needs, basis := duty(firewall); !needs || basis != "listed" {
			t.Errorf("the firewall after the withdrawal: needs %v (%s)", needs, basis)
		}
		if n := uncertified(); n != 2 {
			t.Errorf("after the withdrawal: %d, want 2", n)
		}
		var hist struct {
			Overrides []struct{ Code string } `json:"overrides"`
			History   []struct {
				Code, Action, Reason, By string
				Before                   *json.RawMessage
			} `json:"history"`
		}
		res, body = ops.Do("GET", "/api/v1/catalogue-overrides", nil, nil)
		decode(t, res, body, http.StatusOK, &hist)
		var got []string
		for _, c := range hist.History {
			got = append(got, c.Code+" "+c.Action)
		}
		if want := "firewall withdraw,qkd_gateway create,firewall create,router create"; strings.Join(got, ",") != want || len(hist.Overrides) != 2 || hist.History[0].Before == nil {
			t.Errorf("the history: %q (overrides %d), want %q", got, len(hist.Overrides), want)
		}
	})
}

// TestCatalogueOverrideForms (SQLite): the operations user's page lists the effective
// catalogue and its forms; a refused form comes back with its field marked, in Chinese; a
// saved one redirects and shows in the history.
func TestCatalogueOverrideForms(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	ops := env.Login(t, "ops@ciiguard.demo")
	zh := map[string]string{"Accept-Language": "zh-CN"}
	post := func(path string, form map[string][]string) (*http.Response, string) {
		form["_csrf"] = []string{ops.CSRF}
		res, b := ops.Do("POST", path, form, zh)
		return res, html.UnescapeString(b)
	}
	for _, c := range []struct {
		name, path string
		form       map[string][]string
		marked     []string // id="…" of the controls marked invalid
	}{
		{"a figure that is not a number", "/catalogue-overrides/threshold", map[string][]string{"_form": {"th"}, "figure": {"router/throughput_tbps"}, "value": {"许多"}, "reason": {"r"}}, []string{"th-value"}},
		{"a negative figure, no reason", "/catalogue-overrides/threshold", map[string][]string{"_form": {"th"}, "figure": {"router/throughput_tbps"}, "value": {"-3"}}, []string{"th-value", "th-reason"}},
		{"not applicable without a reason", "/catalogue-overrides/not-applicable", map[string][]string{"_form": {"na"}, "code": {"anti_spam"}}, []string{"na-reason"}},
		{"an added entry with a bad range line", "/catalogue-overrides/added", map[string][]string{"_form": {"add"}, "code": {"x_gateway"}, "group": {"equipment"}, "thresholds": {"a | b | c"}}, []string{"add-thresholds"}},
		{"an added equipment entry without its texts", "/catalogue-overrides/added", map[string][]string{"_form": {"add"}, "code": {"x_gateway"}, "group": {"equipment"}}, []string{"add-zh", "add-en", "add-description-zh", "add-instrument", "add-source", "add-reason", "add-thresholds"}},
		{"a withdrawal without a reason", "/catalogue-overrides/router/withdraw", map[string][]string{"_form": {"wd-router"}}, nil},
	} {
		res, pg := post(c.path, c.form)
		if c.marked == nil { // no override to withdraw yet: 404
			if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %d", c.name, res.StatusCode)
			}
			continue
		}
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c.name, res.StatusCode)
			continue
		}
		for _, id := range c.marked {
			if !strings.Contains(pg, `id="`+id+`-error"`) || !regexp.MustCompile(`aria-describedby="[^"]*\b`+id+`-error"`).MatchString(pg) {
				t.Errorf("%s: %s not marked", c.name, id)
			}
		}
		if strings.Contains(pg, "is required") || strings.Contains(pg, "must be") {
			t.Errorf("%s: English refusal on the Chinese page", c.name)
		}
	}
	res, _ := post("/catalogue-overrides/not-applicable", map[string][]string{"_form": {"na"}, "code": {"anti_spam"}, "reason": {"2023年目录未保留（测试）"}})
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusSeeOther {
		t.Fatalf("marking anti_spam not applicable: %d", res.StatusCode)
	}
	_, pg := ops.Do("GET", "/catalogue-overrides", nil, zh)
	pg = tags.ReplaceAllString(html.UnescapeString(pg), "")
	for _, w := range []string{"反垃圾邮件产品", "本安装不适用", "2023年目录未保留（测试）", "创建", "撤销本项调整"} {
		if !strings.Contains(pg, w) {
			t.Errorf("the overrides page lacks %q", w)
		}
	}
	// The Chinese page cites the instruments and sources in Chinese only.
	for _, w := range []string{"CAC, MIIT", "confirmed:", "unconfirmed:", "secondary:", "Announcement"} {
		if strings.Contains(pg, w) {
			t.Errorf("the Chinese overrides page shows %q", w)
		}
	}
	if !strings.Contains(pg, "《关于调整〈网络关键设备和网络安全专用产品目录〉的公告》") || !strings.Contains(pg, "已核实：2023年公告转载本") {
		t.Errorf("the Chinese overrides page lacks the instrument or source in Chinese")
	}
	res, _ = post("/catalogue-overrides/router/withdraw", map[string][]string{"_form": {"wd-router"}, "reason": {"r"}})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("withdrawing an override that does not exist by the form: %d", res.StatusCode)
	}
	res, pg = post("/catalogue-overrides/anti_spam/withdraw", map[string][]string{"_form": {"wd-anti_spam"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(pg, `id="wd-anti_spam-reason-error"`) {
		t.Errorf("a withdrawal without a reason by the form: %d", res.StatusCode)
	}
}
