package oversight_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// annualEntry is what the tests read of an entry's annual report clock.
type annualEntry struct {
	ID           int64  `json:"id"`
	OperatorID   int64  `json:"operator_id"`
	NameZH       string `json:"name_zh"`
	Identified   bool   `json:"identified"`
	IdentifiedOn string `json:"identified_on"`
	AnnualLastOn string `json:"annual_last_on"`
	AnnualDueOn  string `json:"annual_due_on"`
	Annual       string `json:"annual"`
}

type annualRegistry struct {
	Entries []annualEntry `json:"entries"`
	Counts  struct {
		AnnualDue     int `json:"annual_due"`
		AnnualOverdue int `json:"annual_overdue"`
	} `json:"counts"`
}

// bjToday is today's Beijing day.
func bjToday() string { return time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") }

// latestAnnualReport is the Beijing day of the operator's latest annual report on or after
// from, read from its own list of filings.
func latestAnnualReport(t *testing.T, op *apptest.Client, from string) string {
	t.Helper()
	var filed struct {
		Submissions []struct {
			Kind        string    `json:"kind"`
			SubmittedAt time.Time `json:"submitted_at"`
		}
	}
	call(t, op, "GET", "/api/v1/filings", nil, &filed)
	last := ""
	for _, s := range filed.Submissions {
		if day := s.SubmittedAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02"); s.Kind == "annual_report" && day >= from && day > last {
			last = day
		}
	}
	return last
}

// TestAnnualReportClock reads the annual report clock of the demo registry and of a new
// operator on both engines. Hand counts from demo_registry.go and demo.go: the grid is
// identified 11 months ago and has filed no annual report since (the 2024 one it filed by
// hand is older; its 2025 report, made in ciiguard, is signed off and not yet submitted),
// so its first report is due on the first anniversary, within the month; the water company is not
// identified (no clock); the four identified operators added by code file outside
// ciiguard ("outside"); no report is overdue. A new operator identified 13 months ago
// with nothing filed is overdue since the first anniversary; the report it then files falls
// in its second year, so the next is due on the third anniversary. The department's setting refuses a day that does not exist, is its own (another
// regulator's setting changes nothing), and the page labels it as the department's
// requirement in both languages.
func TestAnnualReportClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		reg := env.Login(t, "analyst@regulator.demo")
		grid := env.Login(t, "security@grid.demo")
		var all annualRegistry
		code, body := call(t, reg, "GET", "/api/v1/oversight/registry", nil, &all)
		mustStatus(t, "registry", code, http.StatusOK, body)
		states := map[string]int{}
		for _, e := range all.Entries {
			states[e.Annual]++
			if e.NameZH == "示例电网有限公司" || e.Annual == "due" {
				if !e.Identified {
					t.Fatalf("%s: %+v", e.NameZH, e)
				}
				last := latestAnnualReport(t, grid, e.IdentifiedOn)
				if last != "" || e.AnnualLastOn != "" || e.AnnualDueOn != plusMonths(e.IdentifiedOn, 12) {
					t.Errorf("grid's clock %+v, its latest annual report since identification %q; want none, due %s (first anniversary)", e, last, plusMonths(e.IdentifiedOn, 12))
				}
			}
		}
		if states["due"] != 1 || states["overdue"] != 0 || states["outside"] != 4 || states[""] != 7 || all.Counts.AnnualDue != 1 || all.Counts.AnnualOverdue != 0 {
			t.Fatalf("annual clocks %v, counts %+v; want 1 due, 0 overdue, 4 outside, 7 none", states, all.Counts)
		}

		// A new operator, identified 13 months ago, nothing filed: overdue.
		op := newOperator(t, env)
		code, body = call(t, op, "PUT", "/api/v1/filings/regulator", map[string]any{"regulator_id": regulatorID(t, env)}, nil)
		mustStatus(t, "name the regulator", code, http.StatusOK, body)
		var found annualRegistry
		call(t, reg, "GET", "/api/v1/oversight/registry?q=%E6%96%B0%E8%BF%90%E8%90%A5%E8%80%85", nil, &found) // 新运营者
		if len(found.Entries) != 1 {
			t.Fatalf("new operator in the registry: %+v", found.Entries)
		}
		id := strconv.FormatInt(found.Entries[0].ID, 10)
		on := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, -13, 0).Format("2006-01-02")
		code, body = call(t, reg, "POST", "/api/v1/oversight/registry/"+id+"/notices", map[string]any{"ref": "示认〔2025〕9号", "issued_on": on,
			"basis": "《关键信息基础设施安全保护条例》第九条、第十条", "systems": []string{"生产系统"}}, nil)
		mustStatus(t, "notice", code, http.StatusCreated, body)
		var overdue annualRegistry
		call(t, reg, "GET", "/api/v1/oversight/registry?annual=overdue", nil, &overdue)
		if len(overdue.Entries) != 1 || overdue.Entries[0].AnnualDueOn != plusMonths(on, 12) || overdue.Entries[0].AnnualLastOn != "" || overdue.Counts.AnnualOverdue != 1 {
			t.Fatalf("overdue filter %+v; want the new operator, due %s", overdue, plusMonths(on, 12))
		}
		res, page := reg.Do("GET", "/oversight/registry?annual=overdue", nil, map[string]string{"Accept-Language": "zh-CN"})
		if res.StatusCode != http.StatusOK || !contains(page, `data-annual="overdue" data-annual-due="`+plusMonths(on, 12)+`"`) || !contains(page, "年度报告已逾期") ||
			!contains(page, "本部门要求") || !contains(page, `id="reg-annual-overdue">1<`) || contains(page, "示例电网有限公司") {
			t.Errorf("registry page filtered to overdue, in Chinese: %d %s", res.StatusCode, page)
		}
		res, csvBody := reg.Do("GET", "/oversight/registry/export?format=csv&annual=overdue", nil, map[string]string{"Accept-Language": "en"})
		if rows := strings.Split(strings.TrimSpace(csvBody), "\n"); res.StatusCode != http.StatusOK || len(rows) != 2 ||
			!strings.HasSuffix(strings.TrimSpace(rows[0]), "Annual report last filed,Annual report due by (our department's requirement),Annual report") ||
			!strings.HasSuffix(strings.TrimSpace(rows[1]), ","+plusMonths(on, 12)+",annual report overdue") {
			t.Errorf("CSV export of the overdue: %d %q", res.StatusCode, csvBody)
		}
		_, page = reg.Do("GET", "/oversight/registry?annual=overdue", nil, map[string]string{"Accept-Language": "en"})
		if !contains(page, "annual report overdue") || !contains(page, "our department&#39;s requirement") {
			t.Errorf("registry page in English lacks the clock or its label: %s", page)
		}
		code, body = call(t, op, "POST", "/api/v1/filings", map[string]any{"kind": "annual_report", "title_zh": "年度检测评估报告", "title_en": "Annual report", "payload": map[string]any{"year": 2026}}, nil)
		mustStatus(t, "file an annual report", code, http.StatusCreated, body)
		call(t, reg, "GET", "/api/v1/oversight/registry?q=%E6%96%B0%E8%BF%90%E8%90%A5%E8%80%85", nil, &found)
		if e := found.Entries[0]; e.Annual != "due" || e.AnnualLastOn != bjToday() || e.AnnualDueOn != plusMonths(on, 36) {
			t.Errorf("after filing: %+v; want due %s, last %s", e, plusMonths(on, 36), bjToday())
		}

		// The setting: refused days name the field; another regulator's is its own.
		for _, bad := range []string{"02-30", "13-01", "3-31"} {
			code, body = call(t, reg, "PUT", "/api/v1/oversight/settings/annual", map[string]any{"annual_day": bad}, nil)
			if code != http.StatusBadRequest || !contains(body, "annual_day") {
				t.Errorf("setting %q: %d %s, want 400 naming annual_day", bad, code, body)
			}
		}
		other := secondRegulator(t, env)
		code, body = call(t, other, "PUT", "/api/v1/oversight/settings/annual", map[string]any{"annual_day": "01-31"}, nil)
		mustStatus(t, "other regulator's setting", code, http.StatusOK, body)
		var mine struct {
			Day string `json:"annual_day"`
		}
		call(t, reg, "GET", "/api/v1/oversight/settings/annual", nil, &mine)
		if mine.Day != "" {
			t.Errorf("the demo regulator's setting %q after another regulator set its own, want the default", mine.Day)
		}
		insp := env.Login(t, "inspector@regulator.demo")
		code, _ = call(t, insp, "PUT", "/api/v1/oversight/settings/annual", map[string]any{"annual_day": "03-31"}, nil)
		mustStatus(t, "inspector sets the requirement", code, http.StatusForbidden, "")
		res, page = reg.Do("POST", "/oversight/registry/annual-setting", url.Values{"annual_mode": {"day"}, "annual_day": {"02-30"}}, map[string]string{"Accept-Language": "zh-CN"})
		if res.StatusCode != http.StatusBadRequest || !contains(page, "须为空（认定之日起满一年") {
			t.Errorf("page form with 02-30: %d, want 400 with the reason in Chinese: %s", res.StatusCode, page)
		}
		res, _ = reg.Do("POST", "/oversight/registry/annual-setting", url.Values{"annual_mode": {"day"}, "annual_day": {"12-31"}}, nil)
		call(t, reg, "GET", "/api/v1/oversight/settings/annual", nil, &mine)
		if res.StatusCode >= 400 || mine.Day != "12-31" {
			t.Fatalf("page form with 12-31: %d, setting %q", res.StatusCode, mine.Day)
		}
		call(t, reg, "GET", "/api/v1/oversight/registry?q=%E6%96%B0%E8%BF%90%E8%90%A5%E8%80%85", nil, &found)
		// Hand rule: the first 31 December after identification, then yearly; the report
		// filed today falls in the year ending on the first 31 December on or after today.
		ty, _ := strconv.Atoi(bjToday()[:4])
		if e := found.Entries[0]; e.AnnualDueOn != strconv.Itoa(ty+1)+"-12-31" || e.Annual != "due" {
			t.Errorf("under 12-31: %+v; want due %d-12-31", e, ty+1)
		}
	})
}
