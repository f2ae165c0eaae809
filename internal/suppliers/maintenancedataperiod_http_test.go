package suppliers_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestMaintenanceDataPeriodShown (both engines): maintenance from abroad reaching personal
// information from 5 days ago, linked to a transfer abroad of personal information that
// starts only in 10 days, is linked but out of period: PIPL-REMOTE-MAINTENANCE-EXPORT counts
// it as incomplete; the supplier's page says so in Chinese with both days; the transfer's
// API answer gives period_gap starts_before_transfer and its page says the maintenance
// starts before the transfer.
func TestMaintenanceDataPeriodShown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		_, body := sm.Do("GET", "/api/v1/data/assets", nil, nil)
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
		var xt struct{ ID int64 }
		res, body := sm.Do("POST", "/api/v1/data/transfers", nil, h, fmt.Sprintf(`{"recipient":"莱茵数据运维有限公司","recipient_country":"德国","recipient_role":"entrusted",
			"assets":[%d],"fields":"值班人员姓名、电话","purpose":"远程运维","frequency":"occasional","start_on":"%s","people":50}`, piAsset, chinaDate(0)))
		decode(t, res, body, 201, &xt)
		var sup struct{ ID int64 }
		res, body = sm.Do("POST", "/api/v1/suppliers", nil, h, `{"name":"莱茵数据运维有限公司","country":"DE","foreign_registration":"HRB 11"}`)
		decode(t, res, body, 201, &sup)
		var mt struct{ ID int64 }
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/maintenance", sup.ID), nil, h,
			fmt.Sprintf(`{"system_id":%d,"from_country":"DE","starts_on":"%s","data_access":["pi"],"transfer_id":%d}`, systemOf(t, sm, "identified"), chinaDate(-5), xt.ID))
		decode(t, res, body, 201, &mt)

		incomplete := "maintenance arrangements from abroad whose linked transfer abroad has no complete export route = 1"
		if st, en, _ := finding(t, sm, "PIPL-REMOTE-MAINTENANCE-EXPORT"); st != "gap" || !strings.Contains(en, incomplete) {
			t.Errorf("out of period: %s %q, want a gap saying %q", st, en, incomplete)
		}
		_, page := sm.Do("GET", fmt.Sprintf("/suppliers/%d", sup.ID), nil, map[string]string{"Accept-Language": "zh-CN"})
		doc := htmltest.Parse(t, page)
		if got := doc.ID(fmt.Sprintf("link-%d", mt.ID)).Text(); got != "关联的数据出境活动期间未覆盖本次维护期间" {
			t.Errorf("the supplier page's link says %q", got)
		}
		want := "维护自" + chinaDate(-5) + "开始，数据出境活动自" + chinaDate(0) + "才开始：此前的境外访问没有出境途径承载"
		if got := doc.ID(fmt.Sprintf("period-gap-%d", mt.ID)).Text(); got != want {
			t.Errorf("the supplier page's reason: %q, want %q", got, want)
		}
		_, body = sm.Do("GET", fmt.Sprintf("/api/v1/data/transfers/%d", xt.ID), nil, nil)
		var x struct {
			Maintenance []struct {
				ID     int64  `json:"id"`
				Period string `json:"period_gap"`
			} `json:"maintenance_abroad"`
		}
		if err := json.Unmarshal([]byte(body), &x); err != nil || len(x.Maintenance) != 1 || x.Maintenance[0].Period != "starts_before_transfer" {
			t.Errorf("the transfer's API answer: %s", body)
		}
		_, page = sm.Do("GET", fmt.Sprintf("/data/transfers/%d", xt.ID), nil, map[string]string{"Accept-Language": "zh-CN"})
		if got := htmltest.Parse(t, page).ID(fmt.Sprintf("period-gap-%d", mt.ID)).Text(); got != "维护开始早于本数据出境活动：此前的境外访问不由本活动承载" {
			t.Errorf("the transfer page's reason: %q", got)
		}
	})
}
