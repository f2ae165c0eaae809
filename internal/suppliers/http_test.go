package suppliers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// validUSCC was completed by hand from the prefix 91110108MA01ABCD with a separate
// implementation of GB 11714 (position 17: 5) and GB 32100-2015 (position 18: T).
const validUSCC = "91110108MA01ABCD5T"

// TestSupplierAPI runs the register through the API on both engines: the demo's 25
// suppliers and 60 products; bad input refused naming each field (a mistyped check
// character of the code named with the right one, a code for a foreign supplier, an unknown
// country) with nothing written; a second supplier with the same code refused; a core
// router on a CII system uncertified until a certificate valid through tomorrow is
// recorded, and a lapsed one not counting; and the other operator, holding the same roles,
// gets 404 for every record and the auditor 403 for writes.
func TestSupplierAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		count := func() (int, int) {
			var s struct{ Suppliers []struct{ ID int64 } }
			var p struct{ Products []apiProduct }
			res, body := sm.Do("GET", "/api/v1/suppliers", nil, nil)
			decode(t, res, body, 200, &s)
			res, body = sm.Do("GET", "/api/v1/products", nil, nil)
			decode(t, res, body, 200, &p)
			return len(s.Suppliers), len(p.Products)
		}
		ns, np := count()
		if ns != 25 || np != 60 {
			t.Errorf("demo: %d suppliers and %d products, want 25 and 60", ns, np)
		}

		bad := []struct {
			body   string
			fields map[string]string // field → a part of its reason
		}{
			{`{"name":"","country":"CN","uscc":"91110108MA01ABCD5U"}`, map[string]string{"name": "required", "uscc": "character 18 is a check character and should be T"}},
			{`{"name":"戊公司","country":"CN","uscc":"91110108MA01ABCD6T"}`, map[string]string{"uscc": "character 17 is a check character and should be 5"}},
			{`{"name":"甲公司","country":"CN"}`, map[string]string{"uscc": "required for a supplier registered in China"}},
			{`{"name":"乙公司","country":"CN","uscc":"91110108MA01ABCD5"}`, map[string]string{"uscc": "must be 18 characters, not 17"}},
			{`{"name":"Acme GmbH","country":"DE","uscc":"` + validUSCC + `"}`, map[string]string{"uscc": "registered in China", "foreign_registration": "required"}},
			{`{"name":"丙公司","country":"EU","foreign_registration":"1"}`, map[string]string{"country": "ISO 3166-1"}},
			{`{"name":"丁公司","country":"cn ","uscc":"91110108MA01ABCD5I"}`, map[string]string{"uscc": "character 18 is not allowed"}},
		}
		for _, c := range bad {
			res, body := sm.Do("POST", "/api/v1/suppliers", nil, h, c.body)
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400: %s", c.body, res.StatusCode, body)
				continue
			}
			got := fields(t, body)
			for f, want := range c.fields {
				if !strings.Contains(got[f], want) {
					t.Errorf("%s: field %s reason %q, want one containing %q (all: %v)", c.body, f, got[f], want, got)
				}
			}
		}
		if s, p := count(); s != ns || p != np {
			t.Fatalf("refused input was written: %d suppliers, %d products", s, p)
		}

		var sup struct{ ID int64 }
		res, body := sm.Do("POST", "/api/v1/suppliers", nil, h, `{"name":"测试网络设备有限公司","country":"CN","uscc":"`+validUSCC+`","contacts":"张三"}`)
		decode(t, res, body, http.StatusCreated, &sup)
		res, body = sm.Do("POST", "/api/v1/suppliers", nil, h, `{"name":"另一家公司","country":"cn","uscc":"`+validUSCC+`"}`)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, `"uscc"`) {
			t.Errorf("a second supplier with the same code: %d %s", res.StatusCode, body)
		}

		cii := systemOf(t, sm, "identified")
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/products", sup.ID), nil, h, fmt.Sprintf(`{"name":"核心路由器","type":"router","systems":[%d, 999999]}`, cii))
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad product: %d %s", res.StatusCode, body)
		}
		if f := fields(t, body); !strings.Contains(f["type"], "not a product type") || !strings.Contains(f["systems[1]"], "inventory") {
			t.Errorf("bad product's reasons: %v", f)
		}
		var p apiProduct
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/products", sup.ID), nil, h, fmt.Sprintf(`{"name":"核心路由器","version":"X8","type":"critical_network_equipment","systems":[%d,%d]}`, cii, cii))
		decode(t, res, body, http.StatusCreated, &p)
		if !p.NeedsCert || p.Certified || len(p.Systems) != 1 || p.Systems[0] != cii {
			t.Errorf("new router: needs %v certified %v systems %v; want needing, uncertified, on system %d once", p.NeedsCert, p.Certified, p.Systems, cii)
		}

		// Issue 10 items 8 and 14: the supplier's page is titled with its name, and its
		// products table links each product's system to the system's page.
		_, page := sm.Do("GET", fmt.Sprintf("/suppliers/%d", sup.ID), nil, map[string]string{"Accept-Language": "zh-CN"})
		if !strings.Contains(page, "<title>测试网络设备有限公司 · ciiguard</title>") {
			t.Errorf("the supplier's page is not titled with its name")
		}
		if want := fmt.Sprintf(`<a href="/scope/systems/%d">`, cii); !strings.Contains(page, want) {
			t.Errorf("the supplier's page does not link the router's system: want %s", want)
		}
		// The product's page likewise: titled with the product and its version, its system linked.
		_, page = sm.Do("GET", fmt.Sprintf("/suppliers/%d/products/%d", sup.ID, p.ID), nil, map[string]string{"Accept-Language": "zh-CN"})
		if !strings.Contains(page, "<title>核心路由器 X8 · ciiguard</title>") {
			t.Errorf("the product's page is not titled with its name and version")
		}
		if want := fmt.Sprintf(`<a href="/scope/systems/%d">`, cii); !strings.Contains(page, want) {
			t.Errorf("the product's page does not link its system: want %s", want)
		}

		certPath := fmt.Sprintf("/api/v1/products/%d/certificate", p.ID)
		res, body = sm.Do("PUT", certPath, nil, h, `{"number":"","body":"认证机构","expires":"2027-13-01"}`)
		if f := fields(t, body); res.StatusCode != 400 || f["number"] == "" || !strings.Contains(f["expires"], "not a date") {
			t.Errorf("bad certificate: %d %v", res.StatusCode, f)
		}
		for _, c := range []struct {
			expires   string
			certified bool
		}{{chinaDate(-1), false}, {chinaDate(0), true}, {chinaDate(1), true}} {
			res, body = sm.Do("PUT", certPath, nil, h, `{"number":"CCRC-2026-0001","body":"认证机构","expires":"`+c.expires+`"}`)
			decode(t, res, body, 200, &p)
			if p.Certified != c.certified {
				t.Errorf("certificate valid until %s: certified %v, want %v", c.expires, p.Certified, c.certified)
			}
		}

		// The other operator holds the same roles and sees none of it.
		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		oh := jsonHdr(other.CSRF)
		for _, rq := range []struct{ method, path, body string }{
			{"GET", fmt.Sprintf("/api/v1/suppliers/%d", sup.ID), ""},
			{"PUT", fmt.Sprintf("/api/v1/suppliers/%d", sup.ID), `{"name":"x","country":"DE","foreign_registration":"1"}`},
			{"POST", fmt.Sprintf("/api/v1/suppliers/%d/products", sup.ID), `{"name":"x","type":"other"}`},
			{"GET", fmt.Sprintf("/api/v1/products/%d", p.ID), ""},
			{"PUT", fmt.Sprintf("/api/v1/products/%d", p.ID), `{"name":"x","type":"other"}`},
			{"PUT", certPath, `{"number":"1","body":"x","expires":"2030-01-01"}`},
			{"GET", fmt.Sprintf("/suppliers/%d", sup.ID), ""},
			{"GET", fmt.Sprintf("/suppliers/%d/products/%d", sup.ID, p.ID), ""},
		} {
			var res *http.Response
			if rq.body != "" {
				res, _ = other.Do(rq.method, rq.path, nil, oh, rq.body)
			} else {
				res, _ = other.Do(rq.method, rq.path, nil, nil)
			}
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("other operator %s %s: %d, want 404", rq.method, rq.path, res.StatusCode)
			}
		}
		if _, body := other.Do("GET", "/api/v1/products", nil, nil); strings.Contains(body, "核心路由器") {
			t.Errorf("the other operator's product list shows the grid's products: %s", body)
		}
		aud := env.Login(t, "auditor@grid.demo")
		if res, _ := aud.Do("POST", "/api/v1/suppliers", nil, jsonHdr(aud.CSRF), `{"name":"x","country":"DE","foreign_registration":"1"}`); res.StatusCode != http.StatusForbidden {
			t.Errorf("auditor creating a supplier: %d, want 403", res.StatusCode)
		}
	})
}
