package suppliers_test

import (
	"fmt"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
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

		type glance struct {
			FindingsOpen    int    `json:"findings_open"`
			FindingsOverdue int    `json:"findings_overdue"`
			Questionnaire   string `json:"questionnaire"`
			ReviewsFailed   int    `json:"reviews_failed"`
			ReviewsPending  int    `json:"reviews_pending"`
			ReviewsPassed   int    `json:"reviews_passed"`
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
			"甲网络设备有限公司":    {ReviewsPending: 1},
			"华北网络设备股份有限公司": {},
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
		for _, row := range []struct{ name, cell string }{{"示例安全设备有限公司", "1 个待整改"}, {"甲网络设备有限公司", "1 项审查中"}} {
			i := strings.Index(page, row.name)
			if i < 0 {
				t.Fatalf("the list lacks %s", row.name)
			}
			end := strings.Index(page[i:], "</tr>")
			if !strings.Contains(page[i:i+end], row.cell) {
				t.Errorf("%s's row lacks %q: %s", row.name, row.cell, page[i:i+end])
			}
		}
		for _, head := range []string{"问卷问题", "网络安全审查"} {
			if !strings.Contains(page, head) {
				t.Errorf("the list lacks the column %s", head)
			}
		}
	})
}
