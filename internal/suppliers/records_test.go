package suppliers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// evidenceOf returns the SHA-256 of one of the client's organisation's evidence files.
func evidenceOf(t *testing.T, c *apptest.Client) string {
	t.Helper()
	_, body := c.Do("GET", "/api/v1/evidence", nil, nil)
	var out struct {
		Files []struct {
			SHA256 string `json:"sha256"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Files) == 0 {
		t.Fatalf("evidence: %v %s", err, body)
	}
	return out.Files[0].SHA256
}

// TestAgreementsAssessmentsMaintenance walks the supply-chain duties on both engines from the
// demo, where each is met but the substation system's unreported maintenance from Japan:
// a new supplier's product without an agreement makes both agreement duties gaps; an
// agreement silent on incident reporting satisfies CSL 36 but not CIIR 20 until one that
// binds it and a performance review are recorded; a donated product in use fails the pre-use
// duty until a passing assessment is approved by another person (a failed one needs its
// findings); an arrangement from
// Germany on a CII system is that system's gap until reported with evidence. Bad input names
// each field; the other operator gets 404 on every record.
func TestAgreementsAssessmentsMaintenance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		for _, id := range []string{"CIIR-SUPPLIER-SECURITY-AGREEMENT", "CSL-CII-SUPPLIER-AGREEMENT", "CIIR-OUTSOURCED-DONATED-TESTING"} {
			if st, en, _ := finding(t, sm, id); st != "met" {
				t.Errorf("%s on the demo: %s %q", id, st, en)
			}
		}
		substation := ""
		_, body := sm.Do("GET", "/api/v1/scope/systems?limit=1000", nil, nil)
		var inv struct {
			Systems []struct {
				ID        int64  `json:"id"`
				Name      string `json:"name"`
				CIIStatus string `json:"cii_status"`
			} `json:"systems"`
		}
		if err := json.Unmarshal([]byte(body), &inv); err != nil {
			t.Fatal(err)
		}
		var otherCII int64
		for _, s := range inv.Systems {
			if s.Name == "变电站综合自动化监控系统" {
				substation = strconv.FormatInt(s.ID, 10)
			} else if s.CIIStatus == "identified" && otherCII == 0 {
				otherCII = s.ID
			}
		}
		if st, en, zh := subjectFinding(t, sm, "CIIR-DOMESTIC-MAINTENANCE", substation); st != "gap" || !strings.Contains(en, "maintenance arrangements from abroad not reported = 1") || !strings.Contains(zh, "未报告的境外远程维护安排数 = 1") {
			t.Errorf("the substation's maintenance from Japan: %s %q %q", st, en, zh)
		}
		if st, en, _ := subjectFinding(t, sm, "CIIR-DOMESTIC-MAINTENANCE", strconv.FormatInt(otherCII, 10)); st != "met" {
			t.Errorf("a CII system maintained onshore: %s %q", st, en)
		}

		var sup struct{ ID int64 }
		res, body := sm.Do("POST", "/api/v1/suppliers", nil, h, `{"name":"莱茵运维服务有限公司","country":"DE","foreign_registration":"HRB 1"}`)
		decode(t, res, body, 201, &sup)
		var prod apiProduct
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/products", sup.ID), nil, h, fmt.Sprintf(`{"name":"受赠调度软件","type":"software","donated":true,"systems":[%d]}`, otherCII))
		decode(t, res, body, 201, &prod)
		if st, en, _ := finding(t, sm, "CSL-CII-SUPPLIER-AGREEMENT"); st != "gap" || !strings.Contains(en, "suppliers without a security and confidentiality agreement in force = 1") {
			t.Errorf("CSL 36 with a supplier without an agreement: %s %q", st, en)
		}
		if st, en, _ := finding(t, sm, "CIIR-OUTSOURCED-DONATED-TESTING"); st != "gap" || !strings.Contains(en, "outsourced or donated products in use without a passed and approved pre-use assessment = 1") {
			t.Errorf("pre-use duty with a donated product: %s %q", st, en)
		}

		// Bad agreement: every field named, nothing written.
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/agreements", sup.ID), nil, h,
			`{"title":"","signed_on":"`+chinaDate(3)+`","expires_on":"2020-01-01","duties":["bribery"],"evidence_sha256":"abc"}`)
		f := fields(t, body)
		for _, want := range []string{"title", "signed_on", "duties[0]", "evidence_sha256"} {
			if res.StatusCode != 400 || f[want] == "" {
				t.Errorf("bad agreement: %d, no reason for %s: %v", res.StatusCode, want, f)
			}
		}
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/agreements", sup.ID), nil, h,
			`{"title":"保密协议","signed_on":"`+chinaDate(-10)+`","duties":["confidentiality","security"]}`)
		decode(t, res, body, 201, nil)
		if st, en, _ := finding(t, sm, "CSL-CII-SUPPLIER-AGREEMENT"); st != "met" {
			t.Errorf("CSL 36 once every supplier signed: %s %q", st, en)
		}
		if st, en, _ := finding(t, sm, "CIIR-SUPPLIER-SECURITY-AGREEMENT"); st != "gap" || !strings.Contains(en, "suppliers whose agreement does not bind them to report incidents to the operator = 1") {
			t.Errorf("CIIR 20 with an agreement silent on incidents: %s %q", st, en)
		}
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/agreements", sup.ID), nil, h,
			`{"title":"补充协议","signed_on":"`+chinaDate(0)+`","duties":["incident_reporting"]}`)
		decode(t, res, body, 201, nil)
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/reviews", sup.ID), nil, h, `{"reviewed_on":"`+chinaDate(0)+`","result":"issues"}`)
		if f := fields(t, body); res.StatusCode != 400 || f["notes"] == "" {
			t.Errorf("a review with issues and no notes: %d %v", res.StatusCode, f)
		}
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/reviews", sup.ID), nil, h, `{"reviewed_on":"`+chinaDate(0)+`","result":"satisfactory"}`)
		decode(t, res, body, 201, nil)
		if st, en, _ := finding(t, sm, "CIIR-SUPPLIER-SECURITY-AGREEMENT"); st != "met" {
			t.Errorf("CIIR 20 once bound and reviewed: %s %q", st, en)
		}

		// Pre-use assessment.
		apath := fmt.Sprintf("/api/v1/products/%d/assessments", prod.ID)
		res, body = sm.Do("POST", apath, nil, h, `{"assessed_on":"`+chinaDate(0)+`","result":"failed"}`)
		if f := fields(t, body); res.StatusCode != 400 || f["findings"] == "" {
			t.Errorf("a failed assessment without findings: %d %v", res.StatusCode, f)
		}
		res, body = sm.Do("POST", apath, nil, h, `{"assessed_on":"`+chinaDate(-1)+`","result":"failed","findings":"存在后门账号"}`)
		decode(t, res, body, 201, nil)
		if st, _, _ := finding(t, sm, "CIIR-OUTSOURCED-DONATED-TESTING"); st != "gap" {
			t.Errorf("pre-use duty after a failed assessment: %s", st)
		}
		var passed struct{ ID int64 }
		res, body = sm.Do("POST", apath, nil, h, `{"assessed_on":"`+chinaDate(0)+`","result":"passed"}`)
		decode(t, res, body, 201, &passed)
		if st, _, _ := finding(t, sm, "CIIR-OUTSOURCED-DONATED-TESTING"); st != "gap" {
			t.Errorf("pre-use duty after a passed assessment awaiting approval: %s", st)
		}
		admin := env.Login(t, "admin@grid.demo")
		res, body = admin.Do("POST", fmt.Sprintf("/api/v1/assessments/%d/approve", passed.ID), nil, jsonHdr(admin.CSRF), `{}`)
		decode(t, res, body, 200, nil)
		if st, en, _ := finding(t, sm, "CIIR-OUTSOURCED-DONATED-TESTING"); st != "met" {
			t.Errorf("pre-use duty after a passed assessment approved: %s %q", st, en)
		}

		// Maintenance from abroad on another CII system.
		mpath := fmt.Sprintf("/api/v1/suppliers/%d/maintenance", sup.ID)
		res, body = sm.Do("POST", mpath, nil, h, `{"system_id":999999,"from_country":"CN","starts_on":"x"}`)
		if f := fields(t, body); res.StatusCode != 400 || f["system_id"] == "" || !strings.Contains(f["from_country"], "is China") || f["starts_on"] == "" {
			t.Errorf("bad arrangement: %d %v", res.StatusCode, f)
		}
		var mt struct{ ID int64 }
		res, body = sm.Do("POST", mpath, nil, h, fmt.Sprintf(`{"system_id":%d,"from_country":"DE","starts_on":"%s"}`, otherCII, chinaDate(5)))
		decode(t, res, body, 201, &mt)
		if st, en, _ := subjectFinding(t, sm, "CIIR-DOMESTIC-MAINTENANCE", strconv.FormatInt(otherCII, 10)); st != "gap" {
			t.Errorf("a CII system with maintenance from Germany unreported: %s %q", st, en)
		}
		rpath := fmt.Sprintf("/api/v1/maintenance/%d/report", mt.ID)
		res, body = sm.Do("POST", rpath, nil, h, `{"reported_on":"`+chinaDate(0)+`"}`)
		if f := fields(t, body); res.StatusCode != 400 || f["evidence_sha256"] == "" {
			t.Errorf("a report without evidence: %d %v", res.StatusCode, f)
		}
		res, body = sm.Do("POST", rpath, nil, h, `{"reported_on":"`+chinaDate(0)+`","evidence_sha256":"`+evidenceOf(t, sm)+`"}`)
		decode(t, res, body, 200, nil)
		if st, en, _ := subjectFinding(t, sm, "CIIR-DOMESTIC-MAINTENANCE", strconv.FormatInt(otherCII, 10)); st != "met" {
			t.Errorf("the arrangement reported: %s %q", st, en)
		}

		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		oh := jsonHdr(other.CSRF)
		for _, rq := range [][2]string{
			{fmt.Sprintf("/api/v1/suppliers/%d/agreements", sup.ID), `{"title":"x","signed_on":"2026-01-01","duties":["security"]}`},
			{fmt.Sprintf("/api/v1/suppliers/%d/reviews", sup.ID), `{"reviewed_on":"2026-01-01","result":"satisfactory"}`},
			{mpath, `{"system_id":1,"from_country":"DE","starts_on":"2026-01-01"}`},
			{rpath, `{"reported_on":"2026-01-01","evidence_sha256":"` + strings.Repeat("a", 64) + `"}`},
			{apath, `{"assessed_on":"2026-01-01","result":"passed"}`},
		} {
			if res, _ := other.Do("POST", rq[0], nil, oh, rq[1]); res.StatusCode != http.StatusNotFound {
				t.Errorf("other operator POST %s: %d, want 404", rq[0], res.StatusCode)
			}
		}
	})
}
