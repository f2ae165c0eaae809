package data_test

import (
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

// reviewKind is one kind's clock as the API returns it.
type reviewKind struct {
	Kind            string `json:"kind"`
	Last            string `json:"last"`
	LastFromProfile bool   `json:"last_from_profile"`
	Due             string `json:"due"`
	Overdue         bool   `json:"overdue"`
	Reviews         []struct {
		ID             int64  `json:"id"`
		Period         string `json:"period"`
		DueOn          string `json:"due_on"`
		DoneOn         string `json:"done_on"`
		SubmittedTo    string `json:"submitted_to"`
		ReportSHA256   string `json:"report_sha256"`
		ReportUploaded bool   `json:"report_uploaded"`
		Status         string `json:"status"`
	} `json:"reviews"`
}

func reviews(t *testing.T, c *apptest.Client) map[string]reviewKind {
	t.Helper()
	res, body := c.Do("GET", "/api/v1/data/reviews", nil, nil)
	var out struct{ Kinds []reviewKind }
	decode(t, res, body, 200, &out)
	m := map[string]reviewKind{}
	for _, k := range out.Kinds {
		m[k.Kind] = k
	}
	return m
}

// TestYearlyReviews follows the demo operator's yearly self-inspection (PI13 Art. 16) and
// important-data risk report (NDSR 2024 Art. 33) on both engines, against days written by
// hand from the demo's story: the self-inspection done 140 days ago is next due 365 days
// after it; last year's report went to the regulator 335 days ago and this year's is
// scheduled for 30 days from now, which is also 365 days after the last — due, not overdue,
// so the NDSR and DSL duties are met with that due day. Submitting it moves the clock to
// a year from today; submitting twice is a conflict; a scheduled day already past makes the
// self-inspection overdue. Refusals name the field; another operator gets 404.
func TestYearlyReviews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		today := time.Now().In(calendar.Shanghai)
		day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }
		year := today.Year()

		rv := reviews(t, sm)
		si, risk := rv["pi_self_inspection"], rv["risk_assessment"]
		if si.Last != day(-140) || si.LastFromProfile || si.Due != day(225) || si.Overdue || len(si.Reviews) != 1 || si.Reviews[0].Status != "done" || !si.Reviews[0].ReportUploaded {
			t.Errorf("self-inspection: %+v; want done %s, next due %s", si, day(-140), day(225))
		}
		if risk.Last != day(-335) || risk.Due != day(30) || risk.Overdue || len(risk.Reviews) != 2 {
			t.Fatalf("risk report: %+v; want last %s, due %s, two records", risk, day(-335), day(30))
		}
		var open int64
		for _, r := range risk.Reviews {
			switch r.Period {
			case fmt.Sprint(year):
				if r.Status != "scheduled" || r.DueOn != day(30) || r.DoneOn != "" {
					t.Errorf("this year's report: %+v", r)
				}
				open = r.ID
			case fmt.Sprint(year - 1):
				if r.Status != "done" || r.SubmittedTo == "" || !r.ReportUploaded {
					t.Errorf("last year's report: %+v", r)
				}
				// The report is in the evidence store.
				if res, _ := sm.Do("GET", "/evidence/"+r.ReportSHA256, nil, nil); res.StatusCode != http.StatusOK {
					t.Errorf("last year's report file: %d", res.StatusCode)
				}
			}
		}
		for _, id := range []string{"NDSR-ANNUAL-DATA-RISK-ASSESSMENT", "DSL-IMPORTANT-DATA-RISK-ASSESSMENT"} {
			if st, reason, due := finding(t, sm, id); st != "met" || beijingDay(due) != day(30) {
				t.Errorf("%s: %s due %s (%s), want met, due %s", id, st, due, reason, day(30))
			}
		}

		// Refusals.
		res, body := sm.Do("POST", "/api/v1/data/reviews", nil, h, `{"kind":"audit","period":"26","due_on":"2026-02-30"}`)
		f := fields(t, body)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(f["kind"], "pi_self_inspection") || !strings.Contains(f["period"], "year") || !strings.Contains(f["due_on"], "not a date") {
			t.Errorf("bad schedule: %d %s", res.StatusCode, body)
		}
		res, body = sm.Do("POST", "/api/v1/data/reviews", nil, h, fmt.Sprintf(`{"kind":"risk_assessment","period":"%d"}`, year))
		if res.StatusCode != http.StatusConflict {
			t.Errorf("the year scheduled twice: %d %s", res.StatusCode, body)
		}
		path := fmt.Sprintf("/api/v1/data/reviews/%d/complete", open)
		res, body = sm.Do("POST", path, nil, h, `{"done_on":"`+day(1)+`","summary":"","report_sha256":"abc"}`)
		f = fields(t, body)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(f["done_on"], "future") || !strings.Contains(f["summary"], "required") ||
			!strings.Contains(f["submitted_to"], "NDSR 2024 Art. 33") || !strings.Contains(f["report_sha256"], "not a SHA-256") {
			t.Errorf("bad completion: %d %s", res.StatusCode, body)
		}
		if got := reviews(t, sm)["risk_assessment"]; got.Last != day(-335) {
			t.Errorf("a refused completion moved the clock: %+v", got)
		}

		// Another operator's user.
		other := env.Login(t, "admin@water.demo")
		good := `{"done_on":"` + day(0) + `","summary":"评估了重要数据处理活动","submitted_to":"示例能源监管局","report_sha256":"` + strings.Repeat("c", 64) + `"}`
		if res, _ := other.Do("POST", path, nil, jsonHdr(other.CSRF), good); res.StatusCode != http.StatusNotFound {
			t.Errorf("another operator completing the report: %d, want 404", res.StatusCode)
		}
		if res, _ := other.Do("POST", fmt.Sprintf("/data/reviews/%d/complete", open), nil, map[string]string{"X-CSRF-Token": other.CSRF}); res.StatusCode != http.StatusNotFound {
			t.Errorf("another operator's page completing the report: %d, want 404", res.StatusCode)
		}
		if got := reviews(t, other)["risk_assessment"]; len(got.Reviews) != 0 {
			t.Errorf("another operator sees the grid's reports: %+v", got)
		}

		res, body = sm.Do("POST", path, nil, h, good)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("completion: %d %s", res.StatusCode, body)
		}
		if got := reviews(t, sm)["risk_assessment"]; got.Last != day(0) || got.Due != day(365) || got.Overdue {
			t.Errorf("after the submission: last %s due %s, want %s and %s", got.Last, got.Due, day(0), day(365))
		}
		if res, body := sm.Do("POST", path, nil, h, good); res.StatusCode != http.StatusConflict || !strings.Contains(body, day(0)) {
			t.Errorf("submitted twice: %d %s", res.StatusCode, body)
		}
		// A self-inspection scheduled for yesterday and not done: overdue since then.
		res, body = sm.Do("POST", "/api/v1/data/reviews", nil, h, fmt.Sprintf(`{"kind":"pi_self_inspection","period":"%d","due_on":"%s"}`, year+1, day(-1)))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("schedule: %d %s", res.StatusCode, body)
		}
		if got := reviews(t, sm)["pi_self_inspection"]; got.Due != day(-1) || !got.Overdue {
			t.Errorf("self-inspection scheduled for yesterday: due %s overdue %v", got.Due, got.Overdue)
		}
		res, body = sm.Do("GET", "/api/v1/data", nil, nil)
		var sum struct {
			Facts struct {
				Overdue bool   `json:"pi_self_inspection_overdue"`
				Due     string `json:"pi_self_inspection_due"`
			}
		}
		decode(t, res, body, 200, &sum)
		if !sum.Facts.Overdue || beijingDay(sum.Facts.Due) != day(-1) {
			t.Errorf("the fact set: %+v", sum.Facts)
		}
	})
}
