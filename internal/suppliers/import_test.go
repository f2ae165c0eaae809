package suppliers_test

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestImportCSV imports suppliers and products through the API on both engines: a file with
// a bad code, an unknown country, an unknown system and a product kind that is not one is
// refused naming each row and column — in Chinese for a Chinese client — and writes nothing;
// the corrected file (Chinese headers) adds two suppliers and three products, one of them for
// a supplier the register already holds, which is not registered twice; the other operator's
// register is untouched.
func TestImportCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		csvHdr := map[string]string{"X-CSRF-Token": sm.CSRF, "Content-Type": "text/csv", "Accept-Language": "zh-CN"}
		count := func(c *apptest.Client) (int, int) {
			var s struct{ Suppliers []struct{ ID int64 } }
			var p struct{ Products []apiProduct }
			res, body := c.Do("GET", "/api/v1/suppliers", nil, nil)
			decode(t, res, body, 200, &s)
			res, body = c.Do("GET", "/api/v1/products", nil, nil)
			decode(t, res, body, 200, &p)
			return len(s.Suppliers), len(p.Products)
		}
		ns, np := count(sm)
		bad := "supplier_name,country,uscc,foreign_registration,product_name,type,systems\n" +
			"北方路由设备有限公司,CN,91110108MA01ABCD5U,,核心路由器,critical_network_equipment,调度数据网\n" +
			"Nowhere Ltd,XX,,42,,,\n" +
			"南方软件有限公司,CN,91110108MA01ABCD5T,,定制软件,software,不存在的系统\n" +
			"南方软件有限公司,CN,91110108MA01ABCD5T,,云主机,mainframe,\n"
		res, body := sm.Do("POST", "/api/v1/suppliers/import", nil, csvHdr, bad)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad import: %d %s", res.StatusCode, body)
		}
		f := fields(t, body)
		for field, want := range map[string]string{
			"rows[2].uscc":    "character 18 is a check character and should be T",
			"rows[3].country": "is not an ISO 3166-1 alpha-2 country code",
			"rows[4].systems": `names "不存在的系统", which is not a system of this organisation's inventory`,
			"rows[5].type":    "is not a product type",
		} {
			if !strings.Contains(f[field], want) {
				t.Errorf("%s: %q, want one containing %q (all: %v)", field, f[field], want, f)
			}
		}
		// The same file through the page, in Chinese: each refusal with its line and column.
		if res, _ := sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch to Chinese: %d", res.StatusCode)
		}
		var mp bytes.Buffer
		mw := multipart.NewWriter(&mp)
		_ = mw.WriteField("_csrf", sm.CSRF)
		fw, _ := mw.CreateFormFile("file", "suppliers.csv")
		_, _ = fw.Write([]byte(bad))
		_ = mw.Close()
		res, page := sm.Do("POST", "/suppliers/import", nil, map[string]string{"Content-Type": mw.FormDataContentType()}, mp.String())
		page = html.UnescapeString(page)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad import through the page: %d", res.StatusCode)
		}
		for _, want := range []string{"<td>2</td><td>uscc</td><td class=\"form-error\">第18位是校验码，应为T", "<td>3</td><td>country</td><td class=\"form-error\">不是有效的国家或地区代码",
			"<td>4</td><td>systems</td><td class=\"form-error\">所列的\"不存在的系统\"不是本单位系统清单中的系统", "<td>5</td><td>type</td><td class=\"form-error\">不是有效的产品类型"} {
			if !strings.Contains(page, want) {
				t.Errorf("the import page lacks %s", want)
			}
		}
		if s, p := count(sm); s != ns || p != np {
			t.Fatalf("a refused import wrote: %d suppliers, %d products (had %d, %d)", s, p, ns, np)
		}
		good := "\ufeff供应商名称,注册地,统一社会信用代码,境外注册号,产品或服务名称,类别,受赠,使用的系统\n" +
			"北方路由设备有限公司,CN,91110108MA01ABCD5T,,核心路由器,critical_network_equipment,否,调度数据网；数据中心网络\n" +
			"北方路由设备有限公司,CN,91110108MA01ABCD5T,,汇聚交换机,网络关键设备,否,办公网\n" +
			"Acme Wartung GmbH,DE,,HRB 4711,远程运维服务,maintenance,否,\n" +
			"华北网络设备股份有限公司,CN," + demoUSCC(t, sm, "华北网络设备股份有限公司") + ",,,,,\n"
		res, body = sm.Do("POST", "/api/v1/suppliers/import", nil, csvHdr, good)
		var done struct {
			Suppliers int `json:"suppliers_created"`
			Products  int `json:"products_created"`
		}
		decode(t, res, body, 200, &done)
		if done.Suppliers != 2 || done.Products != 3 {
			t.Errorf("good import: %+v, want 2 suppliers and 3 products created", done)
		}
		if s, p := count(sm); s != ns+2 || p != np+3 {
			t.Errorf("after the import: %d suppliers, %d products; want %d, %d", s, p, ns+2, np+3)
		}
		// The catalogue category (目录类别), by its Chinese name; an unknown one is refused on its
		// column, not on the service's field name.
		catHdr := "供应商名称,注册地,境外注册号,产品或服务名称,类别,目录类别\n"
		res, body = sm.Do("POST", "/api/v1/suppliers/import", nil, csvHdr, catHdr+"Acme Wartung GmbH,DE,HRB 4711,光端机,网络关键设备,调制解调器\n")
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(fields(t, body)["rows[2].catalogue_category"], "is not a category of the catalogue") {
			t.Errorf("an unknown catalogue category: %d %s", res.StatusCode, body)
		}
		res, body = sm.Do("POST", "/api/v1/suppliers/import", nil, csvHdr, catHdr+"Acme Wartung GmbH,DE,HRB 4711,边界路由器,网络关键设备,路由器\nAcme Wartung GmbH,DE,HRB 4711,光端机,网络关键设备,不在目录内\n")
		decode(t, res, body, 200, nil)
		var prods struct {
			Products []struct {
				Name     string `json:"name"`
				Category string `json:"catalogue_category"`
				Basis    string `json:"certificate_basis"`
			}
		}
		res, body = sm.Do("GET", "/api/v1/products", nil, nil)
		decode(t, res, body, 200, &prods)
		got := map[string]string{}
		for _, p := range prods.Products {
			got[p.Name] = p.Category + " " + p.Basis
		}
		if got["边界路由器"] != "router threshold_unknown" || got["光端机"] != "not_listed not_listed" {
			t.Errorf("imported categories: 边界路由器 %q, 光端机 %q", got["边界路由器"], got["光端机"])
		}

		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		if s, p := count(other); s != 0 || p != 0 {
			t.Errorf("the other operator's register has %d suppliers, %d products after the grid's import", s, p)
		}
	})
}

// demoUSCC returns the code of the demo supplier named name.
func demoUSCC(t *testing.T, c *apptest.Client, name string) string {
	t.Helper()
	var s struct {
		Suppliers []struct{ Name, USCC string }
	}
	res, body := c.Do("GET", "/api/v1/suppliers", nil, nil)
	decode(t, res, body, 200, &s)
	for _, x := range s.Suppliers {
		if x.Name == name {
			return x.USCC
		}
	}
	t.Fatalf("no demo supplier %s", name)
	return ""
}
