package suppliers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// finding reads the current finding of one organisation-level obligation through the API,
// once every change made so far is evaluated.
func finding(t *testing.T, c *apptest.Client, id string) (status, reasonEn, reasonZh string) {
	t.Helper()
	if res, body := c.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil); res.StatusCode != http.StatusOK || strings.Contains(body, `"pending": true`) {
		t.Fatalf("evaluation: %d %s", res.StatusCode, body)
	}
	_, body := c.Do("GET", "/api/v1/findings?obligation="+id, nil, nil)
	var a struct {
		Findings []struct {
			Status string `json:"status"`
			Reason struct{ Zh, En string }
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(body), &a); err != nil || len(a.Findings) != 1 {
		t.Fatalf("findings of %s: %v %s", id, err, body)
	}
	f := a.Findings[0]
	return f.Status, f.Reason.En, f.Reason.Zh
}

// TestCertificationFinding: the demo operator's lapsed certificate (the dispatch data
// network's core switch) makes the certification duty a gap naming the fact in both
// languages; recording a certificate valid for a year makes it met.
func TestCertificationFinding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		st, en, zh := finding(t, sm, "CIIR-CERTIFIED-EQUIPMENT")
		if st != "gap" || !strings.Contains(en, "critical equipment and security products in use without a valid certificate = 1") ||
			!strings.Contains(zh, "在用但无有效认证的网络关键设备和安全专用产品数 = 1") {
			t.Errorf("certification duty on the demo: %s %q %q", st, en, zh)
		}
		var list struct{ Products []apiProduct }
		res, body := sm.Do("GET", "/api/v1/products", nil, nil)
		decode(t, res, body, 200, &list)
		var lapsed []apiProduct
		for _, p := range list.Products {
			if p.NeedsCert && len(p.Systems) > 0 && !p.Certified {
				lapsed = append(lapsed, p)
			}
		}
		if len(lapsed) != 1 || lapsed[0].Name != "调度数据网核心交换机" {
			t.Fatalf("uncertified products in use on the demo: %+v; want the dispatch network's core switch", lapsed)
		}
		res, body = sm.Do("PUT", fmt.Sprintf("/api/v1/products/%d/certificate", lapsed[0].ID), nil, jsonHdr(sm.CSRF),
			`{"number":"CCRC-2026-0099","body":"认证机构","expires":"`+chinaDate(365)+`"}`)
		decode(t, res, body, 200, nil)
		if st, en, _ := finding(t, sm, "CIIR-CERTIFIED-EQUIPMENT"); st != "met" {
			t.Errorf("certification duty after the certificate: %s %q", st, en)
		}
	})
}
