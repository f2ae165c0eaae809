package oversight_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// entry is what the tests read of a registry entry.
type entry struct {
	ID               int64  `json:"id"`
	OperatorID       int64  `json:"operator_id"`
	USCC             string `json:"uscc"`
	NameZH           string `json:"name_zh"`
	Sector           string `json:"sector"`
	Province         string `json:"province"`
	Linked, Added    bool
	Identified       bool   `json:"identified"`
	Notices          int    `json:"notices"`
	IdentifiedOn     string `json:"identified_on"`
	ChangeReportedOn string `json:"change_reported_on"`
	ReidentifyBy     string `json:"reidentify_by"`
	Reidentify       string `json:"reidentify"`
	NoticeList       []struct {
		Ref       string   `json:"ref"`
		Systems   []string `json:"systems"`
		Delivered bool     `json:"delivered"`
		Applied   any      `json:"applied"`
	} `json:"notice_list"`
}

type registry struct {
	Entries []entry `json:"entries"`
	Counts  struct {
		Total      int `json:"total"`
		Identified int `json:"identified"`
		Reidentify int `json:"reidentify_running"`
		BySector   []struct {
			Code string `json:"code"`
			N    int    `json:"count"`
		} `json:"by_sector"`
		ByProvince []struct {
			Code string `json:"code"`
			N    int    `json:"count"`
		} `json:"by_province"`
	} `json:"counts"`
}

// plusMonths is the hand rule of "within three months": the same day n months later, or
// the last day of that month when it has no such day.
func plusMonths(day string, n int) string {
	t, _ := time.Parse("2006-01-02", day)
	want := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	out := t.AddDate(0, n, 0)
	if out.Month() != want.Month() {
		out = want.AddDate(0, 1, -1)
	}
	return out.Format("2006-01-02")
}

// firstChangeReport is the Beijing day of the operator's first change report, from its
// own list of filings.
func firstChangeReport(t *testing.T, op *apptest.Client) string {
	t.Helper()
	var filed struct {
		Submissions []struct {
			Kind        string    `json:"kind"`
			SubmittedAt time.Time `json:"submitted_at"`
		}
	}
	call(t, op, "GET", "/api/v1/filings", nil, &filed)
	first := ""
	for _, s := range filed.Submissions {
		if day := s.SubmittedAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02"); s.Kind == "change_report" && (first == "" || day < first) {
			first = day
		}
	}
	return first
}

// TestRegistryOfTheDemoRegulator reads the demo regulator's registry against a hand count
// of demo_registry.go and demo.go: 12 operators (the two demo operators, linked, and ten
// added by credit code), 5 identified (the grid operator's three notices and four added
// operators), one re-identification clock — the grid operator's change report filed 20
// days ago, after its notices of 11 months ago; the water operator filed change reports
// too but is not identified, so no clock runs for it. Filters, counts and the CSV and
// XLSX exports agree.
func TestRegistryOfTheDemoRegulator(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	reg := env.Login(t, "analyst@regulator.demo")
	var all registry
	code, body := call(t, reg, "GET", "/api/v1/oversight/registry", nil, &all)
	mustStatus(t, "registry", code, http.StatusOK, body)
	if all.Counts.Total != 12 || len(all.Entries) != 12 || all.Counts.Identified != 5 || all.Counts.Reidentify != 1 {
		t.Fatalf("registry counts %+v with %d entries; want 12, 5 identified, 1 re-identification running", all.Counts, len(all.Entries))
	}
	sectors := map[string]int{}
	for _, c := range all.Counts.BySector {
		sectors[c.Code] = c.N
	}
	if want := map[string]int{"energy": 9, "public_utilities": 2, "water": 1}; len(sectors) != 3 || sectors["energy"] != 9 || sectors["public_utilities"] != 2 || sectors["water"] != 1 {
		t.Errorf("by sector %v, want %v", sectors, want)
	}
	provinces := map[string]int{}
	for _, c := range all.Counts.ByProvince {
		provinces[c.Code] = c.N
	}
	if len(provinces) != 10 || provinces["11"] != 3 || provinces["65"] != 1 {
		t.Errorf("by province %v, want 10 provinces, Beijing 3, Xinjiang 1", provinces)
	}
	// The grid operator's clock, from its own list of filings.
	var grid entry
	for _, e := range all.Entries {
		if e.NameZH == "示例电网有限公司" {
			grid = e
		}
		if e.NameZH == "示例水务有限公司" && (e.Reidentify != "" || e.Identified || !e.Linked) {
			t.Errorf("water operator %+v: want linked, not identified, no clock", e)
		}
	}
	first := firstChangeReport(t, env.Login(t, "security@grid.demo"))
	if !grid.Identified || !grid.Linked || grid.ChangeReportedOn != first || grid.ReidentifyBy != plusMonths(first, 3) || grid.Reidentify != "due" {
		t.Errorf("grid entry %+v; want identified, linked, change reported %s, re-identify by %s, due", grid, first, plusMonths(first, 3))
	}
	for _, tc := range []struct {
		query string
		n     int
	}{
		{"identified=yes", 5}, {"identified=no", 7}, {"sector=public_utilities", 2}, {"province=11", 3},
		{"q=" + "%E7%AE%A1%E9%81%93", 1}, // 管道
		{"q=91370000", 1}, {"sector=energy&identified=yes&province=44", 1}, {"sector=none", 0},
	} {
		var got registry
		call(t, reg, "GET", "/api/v1/oversight/registry?"+tc.query, nil, &got)
		if len(got.Entries) != tc.n {
			t.Errorf("registry?%s: %d entries, want %d", tc.query, len(got.Entries), tc.n)
		}
	}
	for _, q := range []string{"sector=mining", "province=99", "identified=maybe", "q=" + strings.Repeat("x", 101)} {
		field := q[:strings.Index(q, "=")]
		if code, body := call(t, reg, "GET", "/api/v1/oversight/registry?"+q, nil, nil); code != http.StatusBadRequest || !contains(body, `"field":"`+field+`"`) {
			t.Errorf("registry?%.20s: %d %s; want 400 on %s", q, code, body, field)
		}
	}

	// CSV: a byte-order mark, the header, one row per identified entry.
	res, csvBody := reg.Do("GET", "/api/v1/oversight/registry/export?format=csv&identified=yes", nil, nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(csvBody, "\uFEFF") {
		t.Fatalf("csv export: %d, starts %q", res.StatusCode, csvBody[:min(len(csvBody), 10)])
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvBody, "\uFEFF"))).ReadAll()
	if err != nil || len(rows) != 6 || !strings.Contains(csvBody, grid.USCC) || !strings.Contains(csvBody, "示例电网有限公司") {
		t.Errorf("csv export: %v, %d rows (want header and 5): %s", err, len(rows), csvBody)
	}
	res, xlsx := reg.Do("GET", "/api/v1/oversight/registry/export?format=xlsx", nil, nil)
	f, err := excelize.OpenReader(bytes.NewReader([]byte(xlsx)))
	if res.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("xlsx export: %d %v", res.StatusCode, err)
	}
	xrows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(xrows) != 13 {
		t.Errorf("xlsx export: %v, %d rows, want header and 12", err, len(xrows))
	}
	if code, body := call(t, reg, "GET", "/api/v1/oversight/registry/export?format=pdf", nil, nil); code != http.StatusBadRequest || !contains(body, `"field":"format"`) {
		t.Errorf("export as pdf: %d %s; want 400 on format", code, body)
	}
	// The registry page in Chinese: the sector map and the clock.
	page := env.Login(t, "analyst@regulator.demo")
	page.Do("POST", "/lang", map[string][]string{"lang": {"zh-CN"}, "_csrf": {page.CSRF}}, nil)
	_, html := page.Do("GET", "/oversight/registry", nil, nil)
	for _, want := range []string{`id="reg-total">12<`, `id="reg-identified">5<`, `id="reg-reidentify">1<`, `data-reidentify="due"`, "行业领域分布（按省份）"} {
		if !strings.Contains(html, want) {
			t.Errorf("registry page lacks %s", want)
		}
	}
}

// TestNoticeReachesTheOperator, on both engines: the regulator records an identification
// notice for the water operator (linked on the demo) naming one system of its inventory
// and one it does not have; the operator reads the notice with its date, the named system
// is identified on that date with the notice's number in its inventory, the other is
// reported as not found — to the operator only. Sent again, nothing changes. A change
// report then starts the re-identification clock (today + 3 months), and a new notice
// stops it.
func TestNoticeReachesTheOperator(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		water := env.Login(t, "security@water.demo")
		var sys struct{ ID int64 }
		code, body := call(t, water, "POST", "/api/v1/scope/systems", map[string]any{"name": "供水调度系统", "sector": "water", "mlps_level": 3, "graded_on": "2025-01-02"}, &sys)
		mustStatus(t, "create a system", code, http.StatusCreated, body)

		reg := env.Login(t, "analyst@regulator.demo")
		var all registry
		call(t, reg, "GET", "/api/v1/oversight/registry?q=%E6%B0%B4%E5%8A%A1", nil, &all) // 水务
		if len(all.Entries) != 1 {
			t.Fatalf("water operator in the registry: %d entries", len(all.Entries))
		}
		id := strconv.FormatInt(all.Entries[0].ID, 10)
		today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
		on := time.Now().AddDate(0, -1, 0).Format("2006-01-02")
		notice := map[string]any{"ref": "示水认〔2026〕1号", "issued_on": on, "basis": "《关键信息基础设施安全保护条例》第九条、第十条",
			"systems": []string{"供水调度系统", "不存在的系统"}}
		var sent map[string]any
		code, body = call(t, reg, "POST", "/api/v1/oversight/registry/"+id+"/notices", notice, &sent)
		mustStatus(t, "send the notice", code, http.StatusCreated, body)
		if sent["delivered"] != true || contains(body, "no_system") || contains(body, "applied") {
			t.Errorf("the regulator's answer %s: want delivered, and nothing of what it did to the inventory", body)
		}
		var got struct {
			Notices []struct {
				IssuedOn string `json:"issued_on"`
				Ref      string `json:"ref"`
				Applied  []struct {
					Name     string `json:"name"`
					SystemID int64  `json:"system_id"`
					Result   string `json:"result"`
				} `json:"applied"`
			} `json:"notices"`
		}
		read := func() {
			code, body := call(t, water, "GET", "/api/v1/filings/notices", nil, &got)
			mustStatus(t, "the operator's notices", code, http.StatusOK, body)
		}
		read()
		if len(got.Notices) != 1 || got.Notices[0].IssuedOn != on || got.Notices[0].Ref != "示水认〔2026〕1号" || len(got.Notices[0].Applied) != 2 ||
			got.Notices[0].Applied[0].Result != "identified" || got.Notices[0].Applied[0].SystemID != sys.ID || got.Notices[0].Applied[1].Result != "no_system" {
			t.Fatalf("the operator's notices: %+v", got.Notices)
		}
		// Issue 10 item 8: the notice's list of systems, on the filings page, links the
		// one the inventory holds to its page; the name it does not hold stays plain text.
		_, page := water.Do("GET", "/filings", nil, map[string]string{"Accept-Language": "zh-CN"})
		if want := fmt.Sprintf(`<td><a href="/scope/systems/%d">供水调度系统</a>、不存在的系统</td>`, sys.ID); !strings.Contains(page, want) {
			t.Errorf("the filings page's notice does not link its system: want %s", want)
		}
		var s struct {
			CIIStatus         string `json:"cii_status"`
			IdentifiedOn      string `json:"identified_on"`
			IdentificationDoc string `json:"identification_doc"`
		}
		call(t, water, "GET", "/api/v1/scope/systems/"+strconv.FormatInt(sys.ID, 10), nil, &s)
		if s.CIIStatus != "identified" || s.IdentifiedOn != on || s.IdentificationDoc != "示水认〔2026〕1号" {
			t.Errorf("the system after the notice: %+v; want identified on %s", s, on)
		}
		code, body = call(t, reg, "POST", "/api/v1/oversight/registry/"+id+"/notices", notice, nil)
		mustStatus(t, "send it again", code, http.StatusCreated, body)
		read()
		if len(got.Notices) != 2 || got.Notices[0].Applied[0].Result != "unchanged" {
			t.Errorf("the same notice twice: %+v; want the second unchanged", got.Notices)
		}

		// The Art. 11 clock: the demo's change reports of the water operator, filed after
		// the notice's date, run it from the first of them.
		first := firstChangeReport(t, water)
		var e entry
		call(t, reg, "GET", "/api/v1/oversight/registry/"+id, nil, &e)
		if !e.Identified || e.IdentifiedOn != on || e.ChangeReportedOn != first || e.ReidentifyBy != plusMonths(first, 3) || e.Reidentify != "due" || len(e.NoticeList) != 2 {
			t.Errorf("entry after the notice: %+v; want changed on %s, due by %s", e, first, plusMonths(first, 3))
		}
		// A notice dated today re-identifies: the clock stops.
		notice["issued_on"], notice["ref"] = today, "示水认〔2026〕2号"
		code, body = call(t, reg, "POST", "/api/v1/oversight/registry/"+id+"/notices", notice, nil)
		mustStatus(t, "re-identify", code, http.StatusCreated, body)
		e = entry{}
		call(t, reg, "GET", "/api/v1/oversight/registry/"+id, nil, &e)
		if e.Reidentify != "" || e.ReidentifyBy != "" {
			t.Errorf("entry after re-identification: %+v; want the clock stopped", e)
		}
		read()
		if got.Notices[0].Applied[0].Result != "re_identified" {
			t.Errorf("re-identification: %+v", got.Notices[0])
		}
		// A change report filed after that notice starts it again, today + 3 months.
		code, body = call(t, water, "POST", "/api/v1/filings", map[string]any{"kind": "change_report", "title_zh": "供水调度系统重大变化", "title_en": "Major change",
			"payload": map[string]any{"text": "新增水厂"}}, nil)
		mustStatus(t, "file a change report", code, http.StatusCreated, body)
		e = entry{}
		call(t, reg, "GET", "/api/v1/oversight/registry/"+id, nil, &e)
		if e.ChangeReportedOn != today || e.ReidentifyBy != plusMonths(today, 3) || e.Reidentify != "due" {
			t.Errorf("entry after a new change report: %+v; want due by %s", e, plusMonths(today, 3))
		}
	})
}

// TestRegistryRefusals: a hand-written table of bad registry input, each a 4xx naming its
// field.
func TestRegistryRefusals(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	reg := env.Login(t, "admin@regulator.demo")
	var all registry
	call(t, reg, "GET", "/api/v1/oversight/registry", nil, &all)
	id := strconv.FormatInt(all.Entries[0].ID, 10)
	good := map[string]any{"ref": "示认〔2026〕9号", "issued_on": "2026-01-05", "basis": "CIIR 2021 Art. 9", "systems": []string{"甲系统"}}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range good {
			m[a] = b
		}
		m[k] = v
		return m
	}
	many := make([]string, 51)
	for i := range many {
		many[i] = "系统" + strconv.Itoa(i)
	}
	for _, tc := range []struct {
		name, path string
		in         any
		code       int
		field      string
	}{
		{"code too short", "/api/v1/oversight/registry", map[string]any{"uscc": "9111", "sector": "energy", "name_zh": "甲"}, 400, "uscc"},
		{"code with a wrong check character", "/api/v1/oversight/registry", map[string]any{"uscc": "91110000MA00000013", "sector": "energy", "name_zh": "甲"}, 400, "uscc"},
		{"no sector", "/api/v1/oversight/registry", map[string]any{"uscc": "91110000MA0000058F", "name_zh": "甲"}, 400, "sector"},
		{"unknown province", "/api/v1/oversight/registry", map[string]any{"uscc": "91110000MA0000058F", "name_zh": "甲", "sector": "energy", "province": "99"}, 400, "province"},
		{"no name for an operator not on the installation", "/api/v1/oversight/registry", map[string]any{"uscc": "91110000MA0000058F", "sector": "energy"}, 400, "name_zh"},
		{"code already in the registry", "/api/v1/oversight/registry", map[string]any{"uscc": all.Entries[0].USCC, "sector": "energy", "name_zh": "甲"}, 409, "uscc"},
		{"notice without a number", "/api/v1/oversight/registry/" + id + "/notices", with("ref", ""), 400, "ref"},
		{"notice dated tomorrow", "/api/v1/oversight/registry/" + id + "/notices", with("issued_on", time.Now().AddDate(0, 0, 2).Format("2006-01-02")), 400, "issued_on"},
		{"notice date not a day", "/api/v1/oversight/registry/" + id + "/notices", with("issued_on", "2026-02-30"), 400, "issued_on"},
		{"notice naming no system", "/api/v1/oversight/registry/" + id + "/notices", with("systems", []string{" "}), 400, "systems"},
		{"notice naming 51 systems", "/api/v1/oversight/registry/" + id + "/notices", with("systems", many), 400, "systems"},
		{"notice without a basis", "/api/v1/oversight/registry/" + id + "/notices", with("basis", ""), 400, "basis"},
	} {
		code, body := call(t, reg, "POST", tc.path, tc.in, nil)
		if code != tc.code || !contains(body, `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s; want %d naming %q", tc.name, code, body, tc.code, tc.field)
		}
	}
	if code, body := call(t, reg, "PUT", "/api/v1/oversight/registry/"+id, map[string]any{"sector": "mining"}, nil); code != 400 || !contains(body, `"field":"sector"`) {
		t.Errorf("unknown sector: %d %s", code, body)
	}
}

// TestRegistryStaysWithItsRegulator, on both engines: a regulator of another sector and
// region sees none of the demo regulator's registry — an empty list and export, 404 for
// its entries, their notices and their edits — and, adding the grid operator by credit
// code itself, none of the demo regulator's notices or the grid's filings; an operator
// gets 403 on the registry and reads only its own notices.
func TestRegistryStaysWithItsRegulator(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		var all registry
		call(t, env.Login(t, "analyst@regulator.demo"), "GET", "/api/v1/oversight/registry", nil, &all)
		other := secondRegulator(t, env)
		var mine registry
		call(t, other, "GET", "/api/v1/oversight/registry", nil, &mine)
		if len(mine.Entries) != 0 || mine.Counts.Total != 0 {
			t.Fatalf("another regulator's registry lists %d entries", len(mine.Entries))
		}
		if _, csvBody := other.Do("GET", "/api/v1/oversight/registry/export", nil, nil); strings.Count(csvBody, "\n") != 1 {
			t.Errorf("another regulator's export: %q; want the header only", csvBody)
		}
		for _, e := range all.Entries {
			id := strconv.FormatInt(e.ID, 10)
			for _, c := range []struct{ method, path string }{
				{"GET", "/api/v1/oversight/registry/" + id}, {"PUT", "/api/v1/oversight/registry/" + id},
				{"POST", "/api/v1/oversight/registry/" + id + "/notices"}, {"GET", "/oversight/registry/" + id},
			} {
				var in any
				if c.method == "PUT" {
					in = map[string]any{"sector": "finance"}
				}
				if c.method == "POST" {
					in = map[string]any{"ref": "示金认〔2026〕1号", "issued_on": "2026-01-05", "basis": "CIIR 2021 Art. 9", "systems": []string{"调度自动化系统（D5000）"}}
				}
				if code, body := call(t, other, c.method, c.path, in, nil); code != http.StatusNotFound {
					t.Errorf("another regulator %s %s: %d %s; want 404", c.method, c.path, code, body)
				}
			}
		}
		gridUSCC := ""
		for _, e := range all.Entries {
			if e.NameZH == "示例电网有限公司" {
				gridUSCC = e.USCC
			}
		}
		var added entry
		code, body := call(t, other, "POST", "/api/v1/oversight/registry", map[string]any{"uscc": gridUSCC, "sector": "finance"}, &added)
		mustStatus(t, "another regulator adds the grid operator", code, http.StatusCreated, body)
		call(t, other, "GET", "/api/v1/oversight/registry/"+strconv.FormatInt(added.ID, 10), nil, &added)
		if added.NameZH != "示例电网有限公司" || added.Identified || added.Notices != 0 || len(added.NoticeList) != 0 || added.Reidentify != "" || added.Linked {
			t.Errorf("the grid operator in another regulator's registry: %+v; want its name only", added)
		}
		if code, _ := call(t, env.Login(t, "admin@grid.demo"), "GET", "/api/v1/oversight/registry", nil, nil); code != http.StatusForbidden {
			t.Errorf("an operator reads the registry: %d, want 403", code)
		}
		var notices struct{ Notices []any }
		call(t, env.Login(t, "security@water.demo"), "GET", "/api/v1/filings/notices", nil, &notices)
		if len(notices.Notices) != 0 {
			t.Errorf("the water operator reads %d notices; the demo sent it none", len(notices.Notices))
		}
		call(t, env.Login(t, "security@grid.demo"), "GET", "/api/v1/filings/notices", nil, &notices)
		if len(notices.Notices) != 3 {
			t.Errorf("the grid operator reads %d notices; want its 3", len(notices.Notices))
		}
	})
}
