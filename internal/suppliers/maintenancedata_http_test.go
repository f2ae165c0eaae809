package suppliers_test

import (
	"encoding/json"
	"fmt"
	"html"
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

// TestMaintenanceDataAccessLinksTransfer (both engines): remote access from abroad to
// personal information or important data is a provision of data abroad (PIPL 38–40, DSL 31,
// CSL 2016 37 / 2025 39, CBDF 2024). The demo's German diagnostics reach personal
// information through the data capability's transfer to that vendor, on a complete route:
// PIPL-REMOTE-MAINTENANCE-EXPORT is met and the transfer's page lists the arrangement. A new
// arrangement reaching personal information with no transfer is a gap naming the count (both
// languages) and marked on the supplier page; bad links are refused field by field; linked
// to a new transfer without its assessment it is the other count's gap; linked to the
// vendor's transfer, met again, and listed by the transfer in the API and on its page. The
// other operator gets 404 on the API and the form.
func TestMaintenanceDataAccessLinksTransfer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		const duty = "PIPL-REMOTE-MAINTENANCE-EXPORT"
		without := "maintenance arrangements from abroad reaching personal information or important data with no transfer abroad linked = %d"
		incomplete := "maintenance arrangements from abroad whose linked transfer abroad has no complete export route = %d"

		// The demo: met, and the vendor's transfer lists the German diagnostics.
		_, body := sm.Do("GET", "/api/v1/data/transfers", nil, nil)
		var xs struct {
			Transfers []struct {
				ID        int64  `json:"id"`
				Recipient string `json:"recipient"`
			} `json:"transfers"`
		}
		if err := json.Unmarshal([]byte(body), &xs); err != nil {
			t.Fatal(err)
		}
		var vendor int64
		for _, x := range xs.Transfers {
			if x.Recipient == "莱茵工业控制有限公司" {
				vendor = x.ID
			}
		}
		if vendor == 0 {
			t.Fatalf("no demo transfer to the German vendor: %s", body)
		}
		if st, en, _ := finding(t, sm, duty); st != "met" || !strings.Contains(en, fmt.Sprintf(without, 0)) {
			t.Errorf("the demo: %s %q", st, en)
		}
		type link struct {
			ID           int64    `json:"id"`
			SupplierName string   `json:"supplier_name"`
			DataAccess   []string `json:"data_access"`
		}
		var vt struct {
			Maintenance []link `json:"maintenance_abroad"`
		}
		_, body = sm.Do("GET", fmt.Sprintf("/api/v1/data/transfers/%d", vendor), nil, nil)
		if err := json.Unmarshal([]byte(body), &vt); err != nil || len(vt.Maintenance) != 1 || vt.Maintenance[0].SupplierName != "莱茵工业控制有限公司" ||
			strings.Join(vt.Maintenance[0].DataAccess, ",") != "pi" {
			t.Errorf("the vendor's transfer lists %+v, want the demo's diagnostics reaching pi (%v)", vt.Maintenance, err)
		}

		// A new arrangement reaching personal information, no transfer.
		var sup struct{ ID int64 }
		res, body := sm.Do("POST", "/api/v1/suppliers", nil, h, `{"name":"莱茵数据运维有限公司","country":"DE","foreign_registration":"HRB 11"}`)
		decode(t, res, body, 201, &sup)
		sys := systemOf(t, sm, "identified")
		var mt struct {
			ID         int64    `json:"id"`
			DataAccess []string `json:"data_access"`
			TransferID int64    `json:"transfer_id"`
		}
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/maintenance", sup.ID), nil, h,
			fmt.Sprintf(`{"system_id":%d,"from_country":"DE","starts_on":"%s","data_access":["pi"]}`, sys, chinaDate(5)))
		decode(t, res, body, 201, &mt)
		if st, en, zh := finding(t, sm, duty); st != "gap" || !strings.Contains(en, fmt.Sprintf(without, 1)) ||
			!strings.Contains(zh, "境外远程维护可访问个人信息或重要数据但未关联数据出境活动的安排数 = 1") {
			t.Errorf("access with no transfer: %s %q %q", st, en, zh)
		}
		spage := fmt.Sprintf("/suppliers/%d", sup.ID)
		_, page := sm.Do("GET", spage, nil, map[string]string{"Accept-Language": "zh-CN"})
		if want := fmt.Sprintf(`id="link-%d">未关联数据出境活动`, mt.ID); !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("the supplier page does not say %q", want)
		}

		// Bad links, field by field.
		dpath := fmt.Sprintf("/api/v1/maintenance/%d/data", mt.ID)
		for _, c := range []struct {
			name, body string
			want       map[string]string // field: part of the reason
		}{
			{"unknown and repeated categories, another organisation's transfer", `{"data_access":["general","pi","pi"],"transfer_id":999999}`,
				map[string]string{"data_access[0]": "not a category", "data_access[2]": "named twice", "transfer_id": "not a transfer abroad of your organisation"}},
			{"a transfer with no data reached", fmt.Sprintf(`{"data_access":[],"transfer_id":%d}`, vendor), map[string]string{"transfer_id": "name that data in data_access"}},
			{"a negative transfer", `{"data_access":["pi"],"transfer_id":-3}`, map[string]string{"transfer_id": "not a transfer abroad"}},
		} {
			res, body := sm.Do("PUT", dpath, nil, h, c.body)
			f := fields(t, body)
			for field, want := range c.want {
				if res.StatusCode != 400 || !strings.Contains(f[field], want) {
					t.Errorf("%s: %d, %s: %q, want %q", c.name, res.StatusCode, field, f[field], want)
				}
			}
		}

		// A new transfer of personal information with no assessment: the link is incomplete.
		_, body = sm.Do("GET", "/api/v1/data/assets", nil, nil)
		var as struct {
			Assets []struct {
				ID         int64    `json:"id"`
				Categories []string `json:"categories"`
			} `json:"assets"`
		}
		if err := json.Unmarshal([]byte(body), &as); err != nil {
			t.Fatal(err)
		}
		var piAsset int64
		for _, a := range as.Assets {
			if strings.Join(a.Categories, ",") == "pi" {
				piAsset = a.ID
			}
		}
		var nt struct{ ID int64 }
		res, body = sm.Do("POST", "/api/v1/data/transfers", nil, h, fmt.Sprintf(`{"recipient":"莱茵数据运维有限公司","recipient_country":"德国","recipient_role":"entrusted",
			"assets":[%d],"fields":"值班人员姓名、电话","purpose":"远程运维","frequency":"occasional","start_on":"%s","people":50}`, piAsset, chinaDate(0)))
		decode(t, res, body, 201, &nt)
		res, body = sm.Do("PUT", dpath, nil, h, fmt.Sprintf(`{"data_access":["pi"],"transfer_id":%d}`, nt.ID))
		decode(t, res, body, 200, &mt)
		if mt.TransferID != nt.ID || strings.Join(mt.DataAccess, ",") != "pi" {
			t.Errorf("the link recorded: %+v", mt)
		}
		if st, en, _ := finding(t, sm, duty); st != "gap" || !strings.Contains(en, fmt.Sprintf(incomplete, 1)) || !strings.Contains(en, fmt.Sprintf(without, 0)) {
			t.Errorf("linked to a transfer without its assessment: %s %q", st, en)
		}

		// Linked to the vendor's transfer by the page's form: met, and listed by the transfer.
		form := url.Values{"data_access": {"pi"}, "transfer_id": {fmt.Sprint(vendor)}}
		if res, _ := sm.Do("POST", fmt.Sprintf("%s/maintenance/%d/data", spage, mt.ID), form, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the data form: %d", res.StatusCode)
		}
		if st, en, _ := finding(t, sm, duty); st != "met" {
			t.Errorf("linked to the vendor's transfer: %s %q", st, en)
		}
		_, page = sm.Do("GET", fmt.Sprintf("/data/transfers/%d", vendor), nil, map[string]string{"Accept-Language": "zh-CN"})
		page = html.UnescapeString(page)
		row := page[max(0, strings.Index(page, fmt.Sprintf(`id="maintenance-%d"`, mt.ID))):]
		if i := strings.Index(row, "</tr>"); i < 0 || !strings.HasPrefix(row, "id=") || !strings.Contains(row[:i], "莱茵数据运维有限公司") || !strings.Contains(row[:i], "德国") || !strings.Contains(row[:i], "个人信息") {
			t.Errorf("the transfer page's row of the arrangement: %.300q", row)
		}

		// The other operator: 404 on the API and the form, before the body is judged.
		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		if res, _ := other.Do("PUT", dpath, nil, jsonHdr(other.CSRF), `{"data_access":["pi"]}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("the other operator's PUT: %d, want 404", res.StatusCode)
		}
		if res, _ := other.Do("POST", fmt.Sprintf("%s/maintenance/%d/data", spage, mt.ID), url.Values{"data_access": {"pi"}}, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("the other operator's form: %d, want 404", res.StatusCode)
		}
	})
}
