package reports_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// orgFinding reads the organisation's current finding of a duty once the evaluation has
// caught up with the last change.
func orgFinding(t *testing.T, c *apptest.Client, id string) (status, reasonEn string) {
	t.Helper()
	if res, body := c.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil); res.StatusCode != http.StatusOK || strings.Contains(body, `"pending": true`) {
		t.Fatalf("evaluation: %d %s", res.StatusCode, body)
	}
	_, body := c.Do("GET", "/api/v1/findings?obligation="+id, nil, nil)
	var a struct {
		Findings []struct {
			SubjectKind string `json:"subject_kind"`
			Status      string `json:"status"`
			Reason      struct{ En string }
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("findings of %s: %v %s", id, err, body)
	}
	for _, f := range a.Findings {
		if f.SubjectKind != "system" {
			return f.Status, f.Reason.En
		}
	}
	t.Fatalf("no organisation finding of %s: %s", id, body)
	return "", ""
}

// TestAnnualDutiesFollowReports: the annual assessment duties read the organisation's
// reports, not a date typed on its profile. The demo operator's latest signed-off annual
// report predates its identification, so both duties start as gaps (the first CII cycle
// runs from identification). Signing off this year's report meets CIIR 2021 Art. 17 (the
// assessment was done) but not CSL 2016 Art. 38 (the results reported to the department);
// reporting them — submitted inside ciiguard, exported as a signed bundle for filing
// outside it, or filed by hand on the filings page as the report made outside ciiguard —
// meets that too. Expected statuses are the articles' reading, written here.
func TestAnnualDutiesFollowReports(t *testing.T) {
	const assessed, reported = "CIIR-ANNUAL-RISK-ASSESSMENT", "CSL-CII-ANNUAL-ASSESSMENT"
	for _, route := range []string{"submit", "bundle", "filing"} {
		t.Run(route, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, d store.Dialect) {
				t.Parallel()
				env := apptest.Start(t, d)
				sm := env.Login(t, "security@grid.demo")
				h := jsonHdr(sm.CSRF)
				for _, id := range []string{assessed, reported} {
					if st, why := orgFinding(t, sm, id); st != "gap" {
						t.Fatalf("%s before this year's report: %s (%s), want gap", id, st, why)
					}
				}
				year := time.Now().In(calendar.Shanghai).Year()
				res, body := sm.Do("POST", "/api/v1/reports", nil, h, fmt.Sprintf(`{"kind":"annual","year":%d}`, year))
				r := decode(t, res, body, http.StatusCreated)
				path := fmt.Sprintf("/api/v1/reports/%d", r.ID)
				// A draft is no assessment yet.
				if st, _ := orgFinding(t, sm, assessed); st != "gap" {
					t.Fatalf("%s with a draft only: %s, want gap", assessed, st)
				}
				res, body = sm.Do("POST", path+"/signoff", nil, h)
				decode(t, res, body, http.StatusOK)
				if st, why := orgFinding(t, sm, assessed); st != "met" {
					t.Fatalf("%s after sign-off: %s (%s), want met", assessed, st, why)
				}
				if st, why := orgFinding(t, sm, reported); st != "gap" {
					t.Fatalf("%s signed off, not reported: %s (%s), want gap", reported, st, why)
				}
				switch route {
				case "submit":
					res, body = sm.Do("POST", path+"/submit", nil, h)
				case "bundle":
					res, body = sm.Do("POST", path+"/versions/1/bundle", nil, h)
				case "filing":
					res, body = sm.Do("POST", "/api/v1/filings", nil, h, fmt.Sprintf(`{"kind":"annual_report","title_zh":"%d年度检测评估报告","title_en":"Annual report %d","payload":{"year":%d}}`, year, year, year))
					if res.StatusCode == http.StatusCreated {
						res.StatusCode = http.StatusOK
					}
				}
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s: %d %s", route, res.StatusCode, body)
				}
				if st, why := orgFinding(t, sm, reported); st != "met" {
					t.Fatalf("%s after %s: %s (%s), want met", reported, route, st, why)
				}
			})
		})
	}
}
