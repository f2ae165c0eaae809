package incidents_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestRemeasureNeverLowersSilently: an impact re-measured below the grade in force keeps the
// grade, recorded as a raise with its reason and a timeline entry, while the computed grade
// follows the measure.
func TestRemeasureNeverLowersSilently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		det := chinaMinute(time.Now().Add(-30 * time.Minute))
		res, body := sm.Do("POST", "/api/v1/incidents", nil, jsonHdr(sm.CSRF), fmt.Sprintf(`{"title":"损失评估","type":"attack","subtype":"intrusion","detected_at":%q,"impact":{"loss_rmb":6000000},"reporter":"值班员"}`, det))
		var in struct {
			ID       int64  `json:"id"`
			Grade    string `json:"grade"`
			Computed string `json:"computed_grade"`
			Reason   string `json:"raise_reason"`
		}
		if err := json.Unmarshal([]byte(body), &in); err != nil || res.StatusCode != http.StatusCreated || in.Grade != "relatively_major" {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		res, _ = sm.Do("POST", fmt.Sprintf("/incidents/%d/impact", in.ID), url.Values{"impact.loss_rmb": {"400000"}, "measures": {"已追回大部分损失"}}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("re-measure: %d", res.StatusCode)
		}
		_, body = sm.Do("GET", fmt.Sprintf("/api/v1/incidents/%d", in.ID), nil, nil)
		var got struct {
			Incident struct {
				Grade    string `json:"grade"`
				Computed string `json:"computed_grade"`
				Raised   string `json:"raised_grade"`
			}
			Timeline []struct {
				Event  string
				Detail struct{ From, Grade string }
			}
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if got.Incident.Grade != "relatively_major" || got.Incident.Computed != "general" || got.Incident.Raised != "relatively_major" {
			t.Errorf("after re-measuring lower: %+v", got.Incident)
		}
		last := got.Timeline[len(got.Timeline)-1]
		if last.Event != "impact" || last.Detail.From != "relatively_major" || last.Detail.Grade != "relatively_major" {
			t.Errorf("timeline: %+v", got.Timeline)
		}
		_, page := sm.Do("GET", fmt.Sprintf("/incidents/%d", in.ID), nil, nil)
		if !strings.Contains(page, "grade kept when the impact was re-measured lower") && !strings.Contains(page, "影响重新测量后低于原级别标准，保留原级别") {
			t.Error("the page does not say the grade was kept")
		}
	})
}

// TestEvidenceAndReceipt: evidence is attached to an incident by the hash of a file the
// organisation holds (another hash is refused naming the field, nothing written), and a
// sending cites its receipt the same way.
func TestEvidenceAndReceipt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		res, body := sm.Do("POST", "/api/v1/evidence?name=receipt.txt", nil, map[string]string{"X-CSRF-Token": sm.CSRF, "Content-Type": "text/plain"}, "省网信办回执 2026-12-01")
		var f struct{ SHA256 string }
		if err := json.Unmarshal([]byte(body), &f); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("upload: %d %s", res.StatusCode, body)
		}
		det := time.Now().Add(-20 * time.Minute)
		_, body = sm.Do("POST", "/api/v1/incidents", nil, jsonHdr(sm.CSRF), fmt.Sprintf(`{"title":"网页篡改","type":"attack","subtype":"defacement","detected_at":%q,"impact":{"portal_down_min":150},"reporter":"值班员"}`, chinaMinute(det)))
		var in struct{ ID int64 }
		_ = json.Unmarshal([]byte(body), &in)
		p := fmt.Sprintf("/incidents/%d/evidence", in.ID)
		if res, body := sm.Do("POST", p, url.Values{"sha256": {strings.Repeat("a", 64)}}, nil); res.StatusCode != http.StatusBadRequest || !(strings.Contains(body, "请先上传") || strings.Contains(body, "upload it first")) {
			t.Errorf("an unknown hash: %d", res.StatusCode)
		}
		if res, _ := sm.Do("POST", p, url.Values{"sha256": {f.SHA256}, "note": {"处置记录"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("attach: %d", res.StatusCode)
		}
		_, body = sm.Do("POST", fmt.Sprintf("/api/v1/incidents/%d/reports", in.ID), nil, jsonHdr(sm.CSRF), `{"kind":"first"}`)
		var rep struct{ ID int64 }
		_ = json.Unmarshal([]byte(body), &rep)
		send := fmt.Sprintf("/api/v1/incidents/%d/reports/%d/send", in.ID, rep.ID)
		if res, body := sm.Do("POST", send, nil, jsonHdr(sm.CSRF), fmt.Sprintf(`{"sent_at":%q,"to":["provincial_cac"],"channel":"outside","receipt_sha256":%q}`, chinaMinute(det.Add(10*time.Minute)), strings.Repeat("b", 64))); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "receipt_sha256") {
			t.Errorf("an unknown receipt: %d %s", res.StatusCode, body)
		}
		res, body = sm.Do("POST", send, nil, jsonHdr(sm.CSRF), fmt.Sprintf(`{"sent_at":%q,"to":["provincial_cac"],"channel":"outside","receipt_sha256":%q}`, chinaMinute(det.Add(10*time.Minute)), f.SHA256))
		var sent struct {
			Receipt string `json:"receipt_sha256"`
			OnTime  bool   `json:"on_time"`
		}
		if err := json.Unmarshal([]byte(body), &sent); err != nil || res.StatusCode != http.StatusOK || sent.Receipt != f.SHA256 || !sent.OnTime {
			t.Fatalf("send with the receipt: %d %s", res.StatusCode, body)
		}
		_, body = sm.Do("GET", fmt.Sprintf("/api/v1/incidents/%d", in.ID), nil, nil)
		for _, want := range []string{`"event": "evidence"`, f.SHA256, `"event": "report_sent"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the incident lacks %s", want)
			}
		}
	})
}
