package review_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel/cjkfont"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

func jsonHdr(csrf string) map[string]string {
	return map[string]string{"X-CSRF-Token": csrf, "Content-Type": "application/json"}
}

type apiProcurement struct {
	ID          int64  `json:"id"`
	Required    bool   `json:"review_required"`
	CaseID      int64  `json:"case_id"`
	CaseState   string `json:"case_state"`
	Status      string `json:"status"`
	Approvable  bool   `json:"approvable"`
	ExposureMin int64  `json:"exposure_min_rmb"`
	ExposureMax int64  `json:"exposure_max_rmb"`
}

type apiProblem struct {
	Status int `json:"status"`
	Errors []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

// systemIDs returns one identified CII system and one system that is not CII of the
// context user's organisation.
func systemIDs(t *testing.T, c *apptest.Client) (cii, plain int64) {
	t.Helper()
	_, body := c.Do("GET", "/api/v1/scope/systems?limit=1000", nil, nil)
	var out struct {
		Systems []struct {
			ID        int64  `json:"id"`
			CIIStatus string `json:"cii_status"`
		} `json:"systems"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("systems: %v: %s", err, body)
	}
	for _, s := range out.Systems {
		if s.CIIStatus == "identified" && cii == 0 {
			cii = s.ID
		}
		if s.CIIStatus != "identified" && s.CIIStatus != "candidate" && plain == 0 {
			plain = s.ID
		}
	}
	if cii == 0 || plain == 0 {
		t.Fatalf("the demo operator lacks a CII (%d) or a non-CII (%d) system", cii, plain)
	}
	return cii, plain
}

// clockPaused reads whether a case's clock stands.
func clockPaused(t *testing.T, body string) bool {
	t.Helper()
	var c struct {
		Clock *struct {
			Paused bool `json:"paused"`
		} `json:"clock"`
	}
	if err := json.Unmarshal([]byte(body), &c); err != nil || c.Clock == nil {
		t.Fatalf("case without a clock: %v %s", err, body)
	}
	return c.Clock.Paused
}

func today() string { return time.Now().In(calendar.Shanghai).Format(time.DateOnly) }

// TestProcurementGateAPI walks the gate through the API on both engines: a core router for
// an identified CII system whose assessment finds a risk requires the review (CSR 2022 Art. 5:
// "关键信息基础设施运营者采购网络产品和服务的，应当预判该产品和服务投入使用后可能带来的国家安全
// 风险。影响或者可能影响国家安全的，应当向网络安全审查办公室申报网络安全审查"); approving it is
// refused with 409 naming CIIR 2021 Art. 19 ("采购网络产品和服务可能影响国家安全的，应当按照国家
// 网络安全规定通过安全审查") and the fine of Art. 41 ("处采购金额1倍以上10倍以下罚款") worked for
// RMB 2,000,000 by hand: 2,000,000 to 20,000,000; the case runs to cleared through the
// Measures' states (submission refused without the Art. 8 materials, a pause for material,
// a move out of order refused); then approval succeeds. Bad input is refused naming each
// field with nothing written, and the other operator gets 404 for every record.
func TestProcurementGateAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		cii, plain := systemIDs(t, sm)
		count := func() int {
			_, body := sm.Do("GET", "/api/v1/review/procurements?limit=1000", nil, nil)
			var out struct{ Procurements []apiProcurement }
			if err := json.Unmarshal([]byte(body), &out); err != nil {
				t.Fatal(err)
			}
			return len(out.Procurements)
		}
		before := count()

		res, body := sm.Do("POST", "/api/v1/review/procurements", nil, h, fmt.Sprintf(`{"title":"","product":"","product_type":"router","country":"china","systems":[%d, 999999],"amount_rmb":0,"assessment":{}}`, cii))
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad procurement: %d %s", res.StatusCode, body)
		}
		for _, f := range []string{`"title"`, `"product"`, `"supplier"`, `"product_type"`, `"country"`, `"systems[1]"`, `"amount_rmb"`} {
			if !strings.Contains(body, f) {
				t.Errorf("the refusal does not name %s: %s", f, body)
			}
		}
		if n := count(); n != before {
			t.Fatalf("a refused procurement was written: %d, had %d", n, before)
		}

		// A purchase for a system that is not CII needs no review, whatever the answers.
		res, body = sm.Do("POST", "/api/v1/review/procurements", nil, h, fmt.Sprintf(`{"title":"办公网交换机","product":"S5735 V200R022","product_type":"critical_network_equipment","supplier":"某网络公司","country":"CN","systems":[%d],"amount_rmb":80000,"assessment":{"control":true}}`, plain))
		var office apiProcurement
		if err := json.Unmarshal([]byte(body), &office); err != nil || res.StatusCode != http.StatusCreated || office.Required || office.CaseID != 0 || !office.Approvable {
			t.Fatalf("non-CII purchase: %d %s", res.StatusCode, body)
		}

		res, body = sm.Do("POST", "/api/v1/review/procurements", nil, h, fmt.Sprintf(`{"title":"核心路由器扩容","product":"NE40E-X16A V800R022","product_type":"critical_network_equipment","supplier":"某通信设备公司","country":"CN","systems":[%d],"amount_rmb":2000000,"assessment":{"control":true,"continuity":true,"notes":"核心路由器失效将中断调度数据网"}}`, cii))
		var p apiProcurement
		if err := json.Unmarshal([]byte(body), &p); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		if !p.Required || p.CaseID == 0 || p.CaseState != "preparing" || p.Approvable || p.ExposureMin != 2_000_000 || p.ExposureMax != 20_000_000 {
			t.Fatalf("created: %s", body)
		}
		ppath := fmt.Sprintf("/api/v1/review/procurements/%d", p.ID)
		cpath := fmt.Sprintf("/api/v1/review/cases/%d", p.CaseID)

		refused := func(stage string) {
			t.Helper()
			res, body := sm.Do("POST", ppath+"/approve", nil, h)
			var pr apiProblem
			if err := json.Unmarshal([]byte(body), &pr); err != nil || res.StatusCode != http.StatusConflict ||
				res.Header.Get("Content-Type") != "application/problem+json" || len(pr.Errors) != 1 || pr.Errors[0].Field != "approval" {
				t.Fatalf("approval %s: %d %s", stage, res.StatusCode, body)
			}
			for _, want := range []string{"CIIR 2021 Art. 19", "CSL 2016 Art. 35", "CIIR 2021 Art. 41", "RMB 2,000,000 to 20,000,000"} {
				if !strings.Contains(pr.Errors[0].Reason, want) {
					t.Errorf("approval %s: the refusal does not say %q: %s", stage, want, pr.Errors[0].Reason)
				}
			}
			_, body = sm.Do("GET", ppath, nil, nil)
			var got apiProcurement
			if err := json.Unmarshal([]byte(body), &got); err != nil || got.Status != "pending" {
				t.Fatalf("after the refusal (%s) the procurement is %s", stage, body)
			}
		}
		refused("while preparing")

		move := func(to string, code int) string {
			t.Helper()
			res, body := sm.Do("POST", cpath+"/move", nil, h, fmt.Sprintf(`{"to":%q,"date":%q}`, to, today()))
			if res.StatusCode != code {
				t.Fatalf("move to %s: %d %s, want %d", to, res.StatusCode, body, code)
			}
			return body
		}
		if body := move("submitted", http.StatusBadRequest); !strings.Contains(body, `"materials"`) {
			t.Errorf("submitting without the Art. 8 materials: %s", body)
		}
		if res, body := sm.Do("PUT", cpath+"/materials", nil, h, `{"declaration":true,"impact_analysis":true,"purchase_docs":true}`); res.StatusCode != http.StatusOK {
			t.Fatalf("materials: %d %s", res.StatusCode, body)
		}
		move("submitted", http.StatusOK)
		if body := move("cleared", http.StatusBadRequest); !strings.Contains(body, `"to"`) {
			t.Errorf("skipping to cleared: %s", body)
		}
		if res, body := sm.Do("POST", cpath+"/move", nil, h, `{"to":"initial_review","date":"2999-01-01"}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"date"`) {
			t.Errorf("a move dated in the future: %d %s", res.StatusCode, body)
		}
		move("initial_review", http.StatusOK)
		refused("under initial review")

		// The office asks for material: the clock stands, and cannot move on until supplied.
		if res, body := sm.Do("POST", cpath+"/pause", nil, h, fmt.Sprintf(`{"date":%q,"note":"补充源代码审计报告"}`, today())); res.StatusCode != http.StatusOK || !clockPaused(t, body) {
			t.Fatalf("pause: %d %s", res.StatusCode, body)
		}
		move("members_opinions", http.StatusBadRequest)
		if res, body := sm.Do("POST", cpath+"/resume", nil, h, fmt.Sprintf(`{"date":%q}`, today())); res.StatusCode != http.StatusOK || clockPaused(t, body) {
			t.Fatalf("resume: %d %s", res.StatusCode, body)
		}
		move("members_opinions", http.StatusOK)
		move("cleared", http.StatusOK)

		res, body = sm.Do("POST", ppath+"/approve", nil, h)
		if err := json.Unmarshal([]byte(body), &p); err != nil || res.StatusCode != http.StatusOK || p.Status != "approved" || p.CaseState != "cleared" {
			t.Fatalf("approval after clearance: %d %s", res.StatusCode, body)
		}
		_, body = sm.Do("GET", cpath, nil, nil)
		var got struct {
			Events []struct{ Event, State string }
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		var trail []string
		for _, e := range got.Events {
			trail = append(trail, e.Event+":"+e.State)
		}
		want := "opened:preparing materials:preparing move:submitted move:initial_review pause:initial_review resume:initial_review move:members_opinions move:cleared"
		if strings.Join(trail, " ") != want {
			t.Errorf("history:\n got %s\nwant %s", strings.Join(trail, " "), want)
		}

		// The bid annex, as a Word document, for the owner only.
		if res, body := sm.Do("GET", ppath+"/annex.docx?lang=zh-CN", nil, nil); res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "PK") ||
			res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" {
			t.Errorf("annex: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if _, err := (&cjkfont.Loader{}).Load(); err == nil {
			if res, body := sm.Do("GET", ppath+"/annex.pdf?lang=en", nil, nil); res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "%PDF-") ||
				res.Header.Get("Content-Type") != "application/pdf" {
				t.Errorf("annex PDF: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
		}

		// The other operator: 404 for every record, and none listed.
		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		oh := jsonHdr(other.CSRF)
		for _, pth := range []string{ppath, cpath, ppath + "/annex.docx", ppath + "/annex.pdf", fmt.Sprintf("/review/procurements/%d/annex.pdf", p.ID), fmt.Sprintf("/review/procurements/%d", p.ID), fmt.Sprintf("/review/cases/%d", p.CaseID)} {
			if res, _ := other.Do("GET", pth, nil, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("other operator GET %s: %d, want 404", pth, res.StatusCode)
			}
		}
		for _, r := range [][2]string{{"POST", ppath + "/approve"}, {"PUT", cpath + "/materials"}, {"POST", cpath + "/move"}, {"POST", cpath + "/pause"}, {"POST", cpath + "/resume"}, {"POST", cpath + "/extend"}} {
			if res, _ := other.Do(r[0], r[1], nil, oh, fmt.Sprintf(`{"to":"revoked","date":%q,"days":5}`, today())); res.StatusCode != http.StatusNotFound {
				t.Errorf("other operator %s %s: %d, want 404", r[0], r[1], res.StatusCode)
			}
		}
		if _, body := other.Do("GET", "/api/v1/review/procurements", nil, nil); strings.Contains(body, "核心路由器扩容") {
			t.Error("the other operator lists the procurement")
		}
		if _, body := other.Do("GET", "/api/v1/review/cases", nil, nil); strings.Contains(body, "核心路由器扩容") {
			t.Error("the other operator lists the case")
		}
	})
}
