package suppliers_test

import (
	"fmt"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestSupplierListAtAGlance, on both engines: the list (API and page in Chinese) shows each
// supplier's open questionnaire findings and where the review of its products stands. From
// the demo, 示例安全设备有限公司 has one open finding (the accepted questionnaire's missing
// list of sub-suppliers) and no review; a new supplier's router bought for a CII system with
// a national-security risk is under review (1 pending), its second product bought for an
// office system needs none and is not counted.
func TestSupplierListAtAGlance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		cii, plain := systemOf(t, sm, "identified"), systemOf(t, sm, "none")

		var x struct{ ID int64 }
		res, body := sm.Do("POST", "/api/v1/suppliers", nil, h, `{"name":"甲网络设备有限公司","country":"CN","uscc":"`+validUSCC+`"}`)
		decode(t, res, body, 201, &x)
		var router, office apiProduct
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/products", x.ID), nil, h, fmt.Sprintf(`{"name":"核心路由器","version":"R8","type":"critical_network_equipment","systems":[%d]}`, cii))
		decode(t, res, body, 201, &router)
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/products", x.ID), nil, h, fmt.Sprintf(`{"name":"办公交换机","type":"critical_network_equipment","systems":[%d]}`, plain))
		decode(t, res, body, 201, &office)
		res, body = sm.Do("POST", "/api/v1/review/procurements", nil, h, fmt.Sprintf(`{"title":"核心路由器采购","product_id":%d,"systems":[%d],"amount_rmb":2000000,"assessment":{"control":true,"notes":"核心路由"}}`, router.ID, cii))
		decode(t, res, body, 201, nil)
		res, body = sm.Do("POST", "/api/v1/review/procurements", nil, h, fmt.Sprintf(`{"title":"办公交换机采购","product_id":%d,"systems":[%d],"amount_rmb":50000,"assessment":{"notes":"办公网"}}`, office.ID, plain))
		decode(t, res, body, 201, nil)

		// Its sub-suppliers: the router's chips from abroad, its software at home.
		subs := fmt.Sprintf("/api/v1/suppliers/%d/sub-suppliers", x.ID)
		res, body = sm.Do("POST", subs, nil, h, `{"name":"","country":"EU","supplies":"x"}`)
		decode(t, res, body, 400, nil)
		if f := fields(t, body); !strings.Contains(f["name"], "required") || !strings.Contains(f["country"], "ISO 3166-1") {
			t.Errorf("bad sub-supplier: %v", f)
		}
		res, body = sm.Do("POST", subs, nil, h, fmt.Sprintf(`{"name":"某芯片公司","country":"US","supplies":"交换芯片","product_id":%d}`, router.ID+1000))
		decode(t, res, body, 400, nil)
		if f := fields(t, body); !strings.Contains(f["product_id"], "not a product of this supplier") {
			t.Errorf("another product: %v", f)
		}
		water := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		res, body = water.Do("POST", subs, nil, jsonHdr(water.CSRF), `not json`)
		decode(t, res, body, 404, nil)
		res, body = sm.Do("POST", subs, nil, h, fmt.Sprintf(`{"name":"Example Silicon Inc.","country":"us","supplies":"交换芯片","product_id":%d}`, router.ID))
		decode(t, res, body, 201, nil)
		res, body = sm.Do("POST", subs, nil, h, `{"name":"乙软件有限公司","country":"CN","supplies":"网管软件"}`)
		decode(t, res, body, 201, nil)

		type glance struct {
			FindingsOpen    int    `json:"findings_open"`
			FindingsOverdue int    `json:"findings_overdue"`
			Questionnaire   string `json:"questionnaire"`
			ReviewsFailed   int    `json:"reviews_failed"`
			ReviewsPending  int    `json:"reviews_pending"`
			ReviewsPassed   int    `json:"reviews_passed"`
			SubsAbroad      int    `json:"sub_suppliers_abroad"`
		}
		var list struct {
			Suppliers []struct {
				ID     int64
				Name   string
				Glance glance `json:"at_a_glance"`
			}
		}
		res, body = sm.Do("GET", "/api/v1/suppliers", nil, nil)
		decode(t, res, body, 200, &list)
		want := map[string]glance{
			"示例安全设备有限公司":   {FindingsOpen: 1, Questionnaire: "accepted"},
			"甲网络设备有限公司":    {ReviewsPending: 1, SubsAbroad: 1},
			"华北网络设备股份有限公司": {SubsAbroad: 1},
		}
		for _, s := range list.Suppliers {
			if w, ok := want[s.Name]; ok {
				if s.Glance != w {
					t.Errorf("%s: %+v, want %+v", s.Name, s.Glance, w)
				}
				delete(want, s.Name)
			}
		}
		if len(want) > 0 {
			t.Errorf("not listed: %v", want)
		}
		_, page := sm.Do("GET", "/suppliers", nil, map[string]string{"Accept-Language": "zh-CN"})
		for _, row := range []struct{ name, cell string }{{"示例安全设备有限公司", "1 个待整改"}, {"甲网络设备有限公司", "1 项审查中"}, {"甲网络设备有限公司", "境外下级供应商 1 家"}} {
			i := strings.Index(page, row.name)
			if i < 0 {
				t.Fatalf("the list lacks %s", row.name)
			}
			end := strings.Index(page[i:], "</tr>")
			if !strings.Contains(page[i:i+end], row.cell) {
				t.Errorf("%s's row lacks %q: %s", row.name, row.cell, page[i:i+end])
			}
		}
		_, page = sm.Do("GET", fmt.Sprintf("/suppliers/%d", x.ID), nil, map[string]string{"Accept-Language": "zh-CN"})
		for _, want := range []string{"下级供应商", "Example Silicon Inc.", "美国", "境外", "核心路由器 R8", "乙软件有限公司", "该供应商提供的全部产品和服务"} {
			if !strings.Contains(page, want) {
				t.Errorf("the supplier's page lacks %q", want)
			}
		}
		_, page = sm.Do("GET", "/suppliers", nil, map[string]string{"Accept-Language": "zh-CN"})
		for _, head := range []string{"问卷问题", "网络安全审查"} {
			if !strings.Contains(page, head) {
				t.Errorf("the list lacks the column %s", head)
			}
		}
	})
}
