package oversight_test

import (
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// dashboard is what the tests read of GET /api/v1/oversight/dashboard.
type dashboard struct {
	Registry struct {
		Total         int `json:"total"`
		Identified    int `json:"identified"`
		AnnualDue     int `json:"annual_due"`
		AnnualOverdue int `json:"annual_overdue"`
	} `json:"registry"`
	Sectors []struct {
		Sector struct {
			Code string `json:"code"`
		} `json:"sector"`
		Operators     int `json:"operators"`
		Identified    int `json:"identified"`
		AnnualOverdue int `json:"annual_overdue"`
		AnnualReports int `json:"annual_reports"`
		Incidents     int `json:"incident_reports"`
	} `json:"sectors"`
	Months []string `json:"months"`
	Grades []struct {
		Grade string `json:"grade"`
		Cells []int  `json:"cells"`
	} `json:"incidents_by_grade"`
	Inspections struct {
		Total         int `json:"total"`
		InTimeBox     int `json:"in_time_box"`
		Ended         int `json:"ended"`
		Findings      int `json:"findings"`
		OrdersOpen    int `json:"orders_open"`
		OrdersOverdue int `json:"orders_overdue"`
	} `json:"inspections"`
}

// sectorRow is a sector's figures in the order the test compares them.
func (d dashboard) sectorRows() map[string][5]int {
	out := map[string][5]int{}
	for _, s := range d.Sectors {
		out[s.Sector.Code] = [5]int{s.Operators, s.Identified, s.AnnualOverdue, s.AnnualReports, s.Incidents}
	}
	return out
}

// bjMonthAgo is the Beijing month of the moment n days ago.
func bjMonthAgo(n int) string {
	return time.Now().AddDate(0, 0, -n).In(time.FixedZone("CST", 8*3600)).Format("2006-01")
}

var itemRow = regexp.MustCompile(`<tr id="item-\d+"`)

// TestRegulatorDashboard checks the demo regulator's dashboard against a hand count of the
// demo seed (demo.go, demo_registry.go), on both engines:
//
//   - registry: 12 operators, 5 identified (all energy), 1 annual report clock due (the
//     grid), none overdue;
//   - sectors: energy — the grid and eight operators added by code: 9 operators, 5
//     identified, the grid's 1 annual report (400 days ago: its 2025 report is in
//     ciiguard's reports, not yet submitted) and 2 incident reports; water — the water company: 1, 0, its 3 annual
//     reports and 2 incident reports; public utilities — two added: 2 and nothing filed;
//   - incidents: each demo operator filed a relatively major report 12 (the second 13)
//     days ago and a major one 5 (6) days ago: two of each, in the Beijing months of those
//     days;
//   - inspections: the one open inspection, in its time box, nothing found or ordered.
//
// Then an order and a finding recorded on the inspection count as open until the grid
// responds; the numbers on the home page (zh and en) link to lists holding as many rows.
func TestRegulatorDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		reg := env.Login(t, "analyst@regulator.demo")
		var got dashboard
		code, body := call(t, reg, "GET", "/api/v1/oversight/dashboard", nil, &got)
		mustStatus(t, "dashboard", code, http.StatusOK, body)
		if r := got.Registry; r.Total != 12 || r.Identified != 5 || r.AnnualDue != 1 || r.AnnualOverdue != 0 {
			t.Errorf("registry %+v; want 12, 5 identified, 1 annual due, 0 overdue", r)
		}
		wantSectors := map[string][5]int{"energy": {9, 5, 0, 1, 2}, "water": {1, 0, 0, 3, 2}, "public_utilities": {2, 0, 0, 0, 0}}
		if rows := got.sectorRows(); len(rows) != len(wantSectors) {
			t.Errorf("sectors %v; want %v", rows, wantSectors)
		} else {
			for k, w := range wantSectors {
				if rows[k] != w {
					t.Errorf("sector %s: %v; want %v (operators, identified, annual overdue, annual reports, incident reports)", k, rows[k], w)
				}
			}
		}
		want := map[string]map[string]int{"relatively_major": {}, "major": {}}
		for _, n := range []int{12, 13} {
			want["relatively_major"][bjMonthAgo(n)]++
		}
		for _, n := range []int{5, 6} {
			want["major"][bjMonthAgo(n)]++
		}
		if len(got.Months) != 6 || got.Months[5] != bjMonthAgo(0) {
			t.Fatalf("months %v; want the last six ending with %s", got.Months, bjMonthAgo(0))
		}
		for _, g := range got.Grades {
			for i, n := range g.Cells {
				if n != want[g.Grade][got.Months[i]] {
					t.Errorf("%s in %s: %d, want %d", g.Grade, got.Months[i], n, want[g.Grade][got.Months[i]])
				}
			}
		}
		if p := got.Inspections; p.Total != 1 || p.InTimeBox != 1 || p.Ended != 0 || p.Findings != 0 || p.OrdersOpen != 0 {
			t.Errorf("inspections %+v; want 1 in its time box, nothing found or ordered", p)
		}

		// The home page, in Chinese: the numbers and where they lead.
		_, home := reg.Do("GET", "/", nil, map[string]string{"Accept-Language": "zh-CN"})
		for _, s := range []string{"监管概况", `id="d-operators">12<`, `id="d-annual-overdue">0<`, `id="d-insp-open">1<`, "较大", "特别重大"} {
			if !strings.Contains(home, s) {
				t.Errorf("home page lacks %s", s)
			}
		}
		month := bjMonthAgo(12)
		cell := regexp.MustCompile(`<tr data-grade="relatively_major">.*?<td data-month="` + month + `"><a href="([^"]+)">(\d+)</a>`).FindStringSubmatch(home)
		if cell == nil {
			t.Fatalf("home page: no link for relatively major reports in %s", month)
		}
		n, _ := strconv.Atoi(cell[2])
		_, list := reg.Do("GET", html.UnescapeString(cell[1]), nil, nil)
		if rows := len(itemRow.FindAllString(list, -1)); rows != n || n != want["relatively_major"][month] || !strings.Contains(list, `id="more-filters"`) {
			t.Errorf("the relatively major cell says %d and leads to %s with %d rows; want %d", n, cell[1], rows, want["relatively_major"][month])
		}
		energy := regexp.MustCompile(`<tr data-sector="energy">.*?<td class="annual-reports"><a href="([^"]+)">(\d+)</a>`).FindStringSubmatch(strings.ReplaceAll(home, "\n", ""))
		if energy == nil || energy[2] != "1" {
			t.Fatalf("home page: energy's annual reports %v, want a link and 1", energy)
		}
		if _, list = reg.Do("GET", html.UnescapeString(energy[1]), nil, nil); len(itemRow.FindAllString(list, -1)) != 1 || strings.Contains(list, "示例水务有限公司") {
			t.Errorf("energy's annual reports lead to %s with %d rows, want 1", energy[1], len(itemRow.FindAllString(list, -1)))
		}
		_, home = reg.Do("GET", "/", nil, map[string]string{"Accept-Language": "en"})
		if !strings.Contains(home, "Supervision dashboard") || !strings.Contains(home, "relatively major") {
			t.Errorf("home page in English lacks the dashboard")
		}

		// An order and a finding: open until the operator responds.
		insp := env.Login(t, "inspector@regulator.demo")
		var xs struct {
			Inspections []struct {
				ID int64 `json:"id"`
			} `json:"inspections"`
		}
		call(t, insp, "GET", "/api/v1/oversight/inspections", nil, &xs)
		id := strconv.FormatInt(xs.Inspections[0].ID, 10)
		today := bjToday()
		for _, a := range []map[string]any{{"kind": "finding", "text": "日志留存不足"}, {"kind": "order", "text": "限期整改", "due_on": today}} {
			code, body := call(t, insp, "POST", "/api/v1/oversight/inspections/"+id+"/actions", a, nil)
			mustStatus(t, "record an action", code, http.StatusCreated, body)
		}
		call(t, reg, "GET", "/api/v1/oversight/dashboard", nil, &got)
		if p := got.Inspections; p.Findings != 1 || p.OrdersOpen != 1 || p.OrdersOverdue != 0 {
			t.Errorf("after a finding and an order due today: %+v; want 1 finding, 1 open order, none overdue", p)
		}
		var open struct {
			Inspections []struct{} `json:"inspections"`
		}
		call(t, reg, "GET", "/api/v1/oversight/inspections?actions=orders_open", nil, &open)
		if len(open.Inspections) != 1 {
			t.Errorf("inspections with open orders: %d, want 1", len(open.Inspections))
		}
		grid := env.Login(t, "security@grid.demo")
		code, body = call(t, grid, "POST", "/api/v1/filings/inspections/"+id+"/responses", map[string]any{"text": "已整改"}, nil)
		mustStatus(t, "respond", code, http.StatusCreated, body)
		call(t, reg, "GET", "/api/v1/oversight/dashboard", nil, &got)
		call(t, reg, "GET", "/api/v1/oversight/inspections?actions=orders_open", nil, &open)
		if got.Inspections.OrdersOpen != 0 || got.Inspections.Findings != 1 || len(open.Inspections) != 0 {
			t.Errorf("after the response: %+v, %d listed; want no open order", got.Inspections, len(open.Inspections))
		}

		// Bad filters name their field; another regulator's dashboard is empty.
		for path, field := range map[string]string{"/api/v1/oversight/inbox?grade=severe": "grade", "/api/v1/oversight/inbox?month=2026-13": "month",
			"/api/v1/oversight/inbox?sector=moon": "sector", "/api/v1/oversight/inspections?state=soon": "state", "/api/v1/oversight/inspections?actions=all": "actions"} {
			if code, body := call(t, reg, "GET", path, nil, nil); code != http.StatusBadRequest || !strings.Contains(body, `"field":"`+field+`"`) {
				t.Errorf("%s: %d %s, want 400 naming %s", path, code, body, field)
			}
		}
		var empty dashboard
		call(t, secondRegulator(t, env), "GET", "/api/v1/oversight/dashboard", nil, &empty)
		if empty.Registry.Total != 0 || len(empty.Sectors) != 0 || empty.Inspections.Total != 0 {
			t.Errorf("another regulator's dashboard %+v, want empty", empty)
		}
		for _, g := range empty.Grades {
			for _, n := range g.Cells {
				if n != 0 {
					t.Errorf("another regulator sees incident reports: %+v", empty.Grades)
				}
			}
		}
	})
}
