package suppliers_test

import (
	"encoding/json"
	"fmt"
	"html"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestMaintenanceReportedLateSeen (both engines): an arrangement from abroad reported after
// it started is the system's CIIR-DOMESTIC-MAINTENANCE gap naming the late report (in both
// languages, from the catalog's labels), and its supplier's page marks it reported late;
// one reported before or on its first day is met and unmarked. A report dated tomorrow is
// refused naming reported_on; the other operator gets 404. The demo's substation system has
// one such arrangement, from Germany.
func TestMaintenanceReportedLateSeen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
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
		var cii []int64
		for _, s := range inv.Systems {
			if s.CIIStatus == "identified" && s.Name != "变电站综合自动化监控系统" {
				cii = append(cii, s.ID)
			}
			if s.Name == "变电站综合自动化监控系统" {
				// The demo's firmware maintenance from Germany, reported eight days late.
				if _, en, zh := subjectFinding(t, sm, "CIIR-DOMESTIC-MAINTENANCE", strconv.FormatInt(s.ID, 10)); !strings.Contains(en, "reported only after they started = 1") || !strings.Contains(zh, "开始后才报告的境外远程维护安排数 = 1") {
					t.Errorf("the demo substation: %q %q", en, zh)
				}
			}
		}
		var sup struct{ ID int64 }
		res, body := sm.Do("POST", "/api/v1/suppliers", nil, h, `{"name":"莱茵远程诊断有限公司","country":"DE","foreign_registration":"HRB 9"}`)
		decode(t, res, body, 201, &sup)
		ev := evidenceOf(t, sm)
		cases := []struct {
			name             string
			sys              int // which of the CII systems
			starts, reported int // days from today
			status           string
			late             bool
		}{
			{"reported three days ahead", 0, 3, 0, "met", false},
			{"reported on its first day, with one ahead", 0, 0, 0, "met", false},
			{"reported three days after it started", 1, -5, -2, "gap", true},
		}
		if len(cii) < 2 {
			t.Fatalf("the demo has %d CII systems besides the substation's, want 2", len(cii))
		}
		for i, c := range cases {
			var mt struct{ ID int64 }
			res, body := sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/maintenance", sup.ID), nil, h,
				fmt.Sprintf(`{"system_id":%d,"from_country":"DE","starts_on":"%s"}`, cii[c.sys], chinaDate(c.starts)))
			decode(t, res, body, 201, &mt)
			rpath := fmt.Sprintf("/api/v1/maintenance/%d/report", mt.ID)
			if i == 0 {
				res, body = sm.Do("POST", rpath, nil, h, `{"reported_on":"`+chinaDate(1)+`","evidence_sha256":"`+ev+`"}`)
				if f := fields(t, body); res.StatusCode != 400 || !strings.Contains(f["reported_on"], "future") {
					t.Errorf("a report dated tomorrow: %d %v", res.StatusCode, f)
				}
				other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
				if res, _ := other.Do("POST", rpath, nil, jsonHdr(other.CSRF), `{"reported_on":"`+chinaDate(0)+`","evidence_sha256":"`+ev+`"}`); res.StatusCode != 404 {
					t.Errorf("the other operator reports this arrangement: %d, want 404", res.StatusCode)
				}
			}
			res, body = sm.Do("POST", rpath, nil, h, `{"reported_on":"`+chinaDate(c.reported)+`","evidence_sha256":"`+ev+`"}`)
			var got struct {
				Late bool `json:"reported_late"`
			}
			if decode(t, res, body, 200, &got); got.Late != c.late {
				t.Errorf("%s: the API says reported_late %v, want %v", c.name, got.Late, c.late)
			}
			st, en, zh := subjectFinding(t, sm, "CIIR-DOMESTIC-MAINTENANCE", strconv.FormatInt(cii[c.sys], 10))
			wantEn := fmt.Sprintf("maintenance arrangements from abroad reported only after they started = %d", map[bool]int{true: 1}[c.late])
			wantZh := fmt.Sprintf("开始后才报告的境外远程维护安排数 = %d", map[bool]int{true: 1}[c.late])
			if st != c.status || !strings.Contains(en, wantEn) || !strings.Contains(zh, wantZh) {
				t.Errorf("%s: %s %q %q, want %s naming %q", c.name, st, en, zh, c.status, wantEn)
			}
			_, page := sm.Do("GET", fmt.Sprintf("/suppliers/%d", sup.ID), nil, map[string]string{"Accept-Language": "zh-CN"})
			page = html.UnescapeString(page)
			marked := strings.Contains(page, fmt.Sprintf(`id="late-%d">开始后才报告`, mt.ID))
			if row := maintenanceRow(t, systemPageZh(t, sm, cii[c.sys])); strings.Contains(row, "开始后才报告 1 项") != c.late {
				t.Errorf("%s: the system page's row %q, want the late report counted: %v", c.name, row, c.late)
			}
			if marked != c.late {
				t.Errorf("%s: the supplier page marks it reported late: %v, want %v", c.name, marked, c.late)
			}
		}
	})
}
