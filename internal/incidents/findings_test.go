package incidents_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

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

// TestFactsDriveFindings: the demo operator's records decide its incident duties through
// the incidents fact set — its demo summary report went late, so the 30-day summary duty is
// a gap naming that fact in both languages, while every CII first report so far went on time;
// a CII incident registered two hours after detection with no report turns the 1-hour duty
// into a gap.
func TestFactsDriveFindings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		st, en, zh := finding(t, sm, "IRM-SUMMARY-REPORT-30-DAYS")
		if st != "gap" || !strings.Contains(en, "summary reports sent late in 12 months = 1") || !strings.Contains(zh, "近12个月总结报告迟报数 = 1") {
			t.Errorf("summary duty on the demo: %s %q %q", st, en, zh)
		}
		if st, en, _ := finding(t, sm, "IRM-CII-1-HOUR-REPORT"); st != "met" {
			t.Errorf("CII 1-hour duty on the demo: %s %q", st, en)
		}
		// The demo's open ransomware incident was detected 15 minutes before the demo was
		// seeded: once the seeded template is over 45 minutes old (a very loaded machine), its
		// first report is overdue too, and the count below includes it.
		res, body := sm.Do("GET", "/api/v1/incidents?limit=1000", nil, nil)
		var demo struct{ Incidents []apiIncident }
		if err := json.Unmarshal([]byte(body), &demo); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("incidents: %d %v", res.StatusCode, err)
		}
		overdue := 1
		for _, in := range demo.Incidents {
			for _, c := range in.Clocks {
				if c.Kind == "first" && c.Running && time.Now().After(c.Due) {
					overdue++
				}
			}
		}
		det := time.Now().Add(-2 * time.Hour)
		res, body = sm.Do("POST", "/api/v1/incidents", nil, jsonHdr(sm.CSRF), fmt.Sprintf(`{"title":"调度主站中断","type":"attack","subtype":"ddos","detected_at":%q,"systems":[%d],"impact":{"cii_full_down_min":15},"reporter":"值班员"}`, chinaMinute(det), ciiSystem(t, sm)))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		for _, id := range []string{"IRM-CII-1-HOUR-REPORT", "CIIR-INCIDENT-THREAT-REPORT"} {
			if st, en, _ := finding(t, sm, id); st != "gap" || !strings.Contains(en, fmt.Sprintf("CII incidents with the first report overdue = %d", overdue)) {
				t.Errorf("%s after an unreported CII incident: %s %q", id, st, en)
			}
		}
	})
}
