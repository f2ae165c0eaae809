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
	return subjectFinding(t, c, id, "")
}

// subjectFinding reads the current finding of an obligation for one subject: the system of
// that id, or the organisation when system is "".
func subjectFinding(t *testing.T, c *apptest.Client, id, system string) (status, reasonEn, reasonZh string) {
	t.Helper()
	if res, body := c.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil); res.StatusCode != http.StatusOK || strings.Contains(body, `"pending": true`) {
		t.Fatalf("evaluation: %d %s", res.StatusCode, body)
	}
	_, body := c.Do("GET", "/api/v1/findings?obligation="+id, nil, nil)
	var a struct {
		Findings []struct {
			SubjectKind string `json:"subject_kind"`
			SubjectID   string `json:"subject_id"`
			Status      string `json:"status"`
			Reason      struct{ Zh, En string }
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("findings of %s: %v %s", id, err, body)
	}
	for _, f := range a.Findings {
		if (system == "" && f.SubjectKind != "system") || (system != "" && f.SubjectKind == "system" && f.SubjectID == system) {
			return f.Status, f.Reason.En, f.Reason.Zh
		}
	}
	t.Fatalf("no finding of %s for %q: %s", id, system, body)
	return "", "", ""
}

// TestCertificationFinding: every critical device and security product of the demo operator
// is certified, so the certification duty is met; a core router registered on a CII system
// without a certificate makes it a gap naming the fact in both languages; a certificate that
// lapsed yesterday leaves the gap; one valid for a year makes it met again.
func TestCertificationFinding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		if st, en, _ := finding(t, sm, "CIIR-CERTIFIED-EQUIPMENT"); st != "met" {
			t.Errorf("certification duty on the demo: %s %q", st, en)
		}
		var sups struct{ Suppliers []struct{ ID int64 } }
		res, body := sm.Do("GET", "/api/v1/suppliers", nil, nil)
		decode(t, res, body, 200, &sups)
		var p apiProduct
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/products", sups.Suppliers[0].ID), nil, h,
			fmt.Sprintf(`{"name":"核心路由器","type":"critical_network_equipment","systems":[%d]}`, systemOf(t, sm, "identified")))
		decode(t, res, body, http.StatusCreated, &p)
		st, en, zh := finding(t, sm, "CIIR-CERTIFIED-EQUIPMENT")
		if st != "gap" || !strings.Contains(en, "critical equipment and security products in use without a valid certificate = 1") ||
			!strings.Contains(zh, "在用但无有效认证的网络关键设备和安全专用产品数 = 1") {
			t.Errorf("certification duty with an uncertified router: %s %q %q", st, en, zh)
		}
		cert := func(expires string) {
			res, body := sm.Do("PUT", fmt.Sprintf("/api/v1/products/%d/certificate", p.ID), nil, h, `{"number":"CCRC-2026-0099","body":"认证机构","expires":"`+expires+`"}`)
			decode(t, res, body, 200, nil)
		}
		cert(chinaDate(-1))
		if st, en, _ := finding(t, sm, "CIIR-CERTIFIED-EQUIPMENT"); st != "gap" {
			t.Errorf("certification duty with a certificate that lapsed yesterday: %s %q", st, en)
		}
		cert(chinaDate(365))
		if st, en, _ := finding(t, sm, "CIIR-CERTIFIED-EQUIPMENT"); st != "met" {
			t.Errorf("certification duty after the certificate: %s %q", st, en)
		}
	})
}
