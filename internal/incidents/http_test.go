package incidents_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

var jsonHdr = func(csrf string) map[string]string {
	return map[string]string{"X-CSRF-Token": csrf, "Content-Type": "application/json"}
}

type apiIncident struct {
	ID         int64    `json:"id"`
	Grade      string   `json:"grade"`
	Route      string   `json:"route"`
	Criterion  string   `json:"criterion"`
	Recipients []string `json:"recipients"`
	Clocks     []struct {
		Kind        string    `json:"kind"`
		Due         time.Time `json:"due"`
		Running     bool      `json:"running"`
		OnTime      bool      `json:"on_time"`
		MinutesLate int64     `json:"minutes_late"`
	} `json:"clocks"`
}

// ciiSystem returns the id of one of the demo operator's identified CII systems.
func ciiSystem(t *testing.T, c *apptest.Client) int64 {
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
		if s.CIIStatus == "identified" {
			return s.ID
		}
	}
	t.Fatal("the demo operator has no identified CII system")
	return 0
}

func chinaMinute(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01-02T15:04") }

// TestIncidentAPI registers a PI leak on a CII system through the API on both engines: the
// grade, the route, the clock from detection; bad input is refused naming each field with
// nothing written; the grade is raised, never lowered; the first report is drafted and sent
// late to the minute; and another organisation sees none of it (404).
func TestIncidentAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		sys := ciiSystem(t, sm)
		count := func() int {
			_, body := sm.Do("GET", "/api/v1/incidents?limit=1000", nil, nil)
			var out struct{ Incidents []apiIncident }
			if err := json.Unmarshal([]byte(body), &out); err != nil {
				t.Fatal(err)
			}
			return len(out.Incidents)
		}
		before := count()

		// Bad input: every bad field named, nothing written.
		res, body := sm.Do("POST", "/api/v1/incidents", nil, h, fmt.Sprintf(`{"title":"","type":"nope","detected_at":"yesterday","systems":[%d, 999999],"impact":{"pi_leaked":-1,"province_share_pct":101},"reporter":"值班员"}`, sys))
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad incident: %d %s", res.StatusCode, body)
		}
		for _, f := range []string{`"title"`, `"type"`, `"detected_at"`, `"systems[1]"`, `"impact.pi_leaked"`, `"impact.province_share_pct"`} {
			if !strings.Contains(body, f) {
				t.Errorf("the refusal does not name %s: %s", f, body)
			}
		}
		if n := count(); n != before {
			t.Fatalf("a refused incident was written: %d incidents, had %d", n, before)
		}

		det := time.Now().Add(-2 * time.Hour).Truncate(time.Minute)
		res, body = sm.Do("POST", "/api/v1/incidents", nil, h, fmt.Sprintf(`{"title":"客户信息泄露","type":"data","subtype":"leak","detected_at":%q,"systems":[%d],"impact":{"pi_leaked":1200000},"reporter":"值班员"}`, chinaMinute(det), sys))
		var inc apiIncident
		if err := json.Unmarshal([]byte(body), &inc); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		if inc.Grade != "relatively_major" || inc.Criterion != "relatively_major:pi_leaked:1000000" || inc.Route != "cii" ||
			strings.Join(inc.Recipients, ",") != "protection_dept,police" || len(inc.Clocks) != 1 || !inc.Clocks[0].Due.Equal(det.Add(time.Hour)) || !inc.Clocks[0].Running {
			t.Fatalf("created: %s", body)
		}
		path := fmt.Sprintf("/api/v1/incidents/%d", inc.ID)

		// Raise: never to the same or a lower grade; with a reason to a higher one.
		if res, body := sm.Do("POST", path+"/grade", nil, h, `{"grade":"general","reason":"误报"}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"grade"`) {
			t.Errorf("lowering the grade: %d %s", res.StatusCode, body)
		}
		if res, body := sm.Do("POST", path+"/grade", nil, h, `{"grade":"major","reason":""}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"reason"`) {
			t.Errorf("raising without a reason: %d %s", res.StatusCode, body)
		}
		res, body = sm.Do("POST", path+"/grade", nil, h, `{"grade":"major","reason":"涉及敏感个人信息"}`)
		var raised struct {
			Grade    string `json:"grade"`
			Computed string `json:"computed_grade"`
			Reason   string `json:"raise_reason"`
		}
		if err := json.Unmarshal([]byte(body), &raised); err != nil || res.StatusCode != http.StatusOK || raised.Grade != "major" || raised.Computed != "relatively_major" || raised.Reason != "涉及敏感个人信息" {
			t.Fatalf("raise: %d %s", res.StatusCode, body)
		}

		// The first report, drafted and sent 61 minutes after detection: 1 minute late.
		res, body = sm.Do("POST", path+"/reports", nil, h, `{"kind":"first"}`)
		var rep struct {
			ID          int64 `json:"id"`
			OnTime      bool  `json:"on_time"`
			MinutesLate int64 `json:"minutes_late"`
		}
		if err := json.Unmarshal([]byte(body), &rep); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("new report: %d %s", res.StatusCode, body)
		}
		send := fmt.Sprintf("%s/reports/%d/send", path, rep.ID)
		if res, body := sm.Do("POST", send, nil, h, `{"sent_at":"","to":["mayor"],"channel":"fax"}`); res.StatusCode != http.StatusBadRequest ||
			!strings.Contains(body, `"sent_at"`) || !strings.Contains(body, `"to"`) || !strings.Contains(body, `"channel"`) {
			t.Errorf("bad sending: %d %s", res.StatusCode, body)
		}
		res, body = sm.Do("POST", send, nil, h, fmt.Sprintf(`{"sent_at":%q,"to":["protection_dept","police"],"channel":"outside"}`, chinaMinute(det.Add(61*time.Minute))))
		if err := json.Unmarshal([]byte(body), &rep); err != nil || res.StatusCode != http.StatusOK || rep.OnTime || rep.MinutesLate != 1 {
			t.Fatalf("send: %d %s", res.StatusCode, body)
		}
		_, body = sm.Do("GET", path, nil, nil)
		var got struct{ Incident apiIncident }
		if err := json.Unmarshal([]byte(body), &got); err != nil || got.Incident.Clocks[0].Running || got.Incident.Clocks[0].MinutesLate != 1 {
			t.Fatalf("clock after sending: %s", body)
		}
		if res, _ := sm.Do("PUT", fmt.Sprintf("%s/reports/%d", path, rep.ID), nil, h, `{"zh":{"unit":"改"}}`); res.StatusCode != http.StatusConflict {
			t.Errorf("editing a sent report: %d, want 409", res.StatusCode)
		}

		// Another organisation: 404 everywhere, on the pages and the API.
		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		oh := jsonHdr(other.CSRF)
		for _, p := range []string{path, fmt.Sprintf("%s/reports/%d", path, rep.ID), fmt.Sprintf("%s/reports/%d/pdf", path, rep.ID),
			fmt.Sprintf("/incidents/%d", inc.ID), fmt.Sprintf("/incidents/%d/reports/%d", inc.ID, rep.ID)} {
			if res, _ := other.Do("GET", p, nil, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("other operator GET %s: %d, want 404", p, res.StatusCode)
			}
		}
		for _, p := range []string{path + "/grade", path + "/close", path + "/reports", send} {
			if res, _ := other.Do("POST", p, nil, oh, `{"grade":"especially_major","reason":"x","handling_ended_at":"2026-01-01T00:00","kind":"followup","sent_at":"2026-01-01T00:00","to":["police"],"channel":"outside"}`); res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusBadRequest {
				t.Errorf("other operator POST %s: %d, want 404", p, res.StatusCode)
			}
		}
		if res, _ := other.Do("POST", fmt.Sprintf("/incidents/%d/notes", inc.ID), url.Values{"note": {"x"}}, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("other operator note: %d, want 404", res.StatusCode)
		}
		if _, body := other.Do("GET", "/api/v1/incidents", nil, nil); strings.Contains(body, "客户信息泄露") {
			t.Error("another operator lists the incident")
		}
	})
}
