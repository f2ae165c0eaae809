package suppliers_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// systemPageZh returns one system's page in Chinese, its markup unescaped.
func systemPageZh(t *testing.T, c *apptest.Client, id int64) string {
	t.Helper()
	res, body := c.Do("GET", fmt.Sprintf("/scope/systems/%d", id), nil, map[string]string{"Accept-Language": "zh-CN"})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("system page %d: %d", id, res.StatusCode)
	}
	return html.UnescapeString(body)
}

// maintenanceRow is the text of the system page's row on maintenance from abroad.
func maintenanceRow(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `id="maintenance-abroad"`)
	if i < 0 {
		t.Errorf("no maintenance row on the system page")
		return ""
	}
	row := page[i:]
	if j := strings.Index(row, "</tr>"); j >= 0 {
		row = row[:j]
	}
	return row
}

// TestMaintenanceAbroadDerivesSystemFacts (both engines): the system facts
// system.maintenance_abroad and system.maintenance_abroad_reported are the supply-chain
// register's, through kernel.MaintenanceAbroad. A CII system maintained onshore meets
// CIIR-DOMESTIC-MAINTENANCE; an arrangement from Germany recorded on a supplier's page makes
// the system "maintained from abroad", unreported, and the duty a gap naming both facts (in
// both languages, from the catalog's labels); the report clears it. A declaration typed by
// hand in the inventory before the register existed still counts, labelled so on the page;
// the other operator sees none of it (404).
func TestMaintenanceAbroadDerivesSystemFacts(t *testing.T) {
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
		}
		if len(cii) < 2 {
			t.Fatalf("the demo has %d CII systems besides the substation's, want 2", len(cii))
		}
		sys, other := cii[0], cii[1]
		sid := strconv.FormatInt(sys, 10)
		if st, en, _ := subjectFinding(t, sm, "CIIR-DOMESTIC-MAINTENANCE", sid); st != "met" {
			t.Fatalf("a CII system maintained onshore: %s %q", st, en)
		}
		if row := maintenanceRow(t, systemPageZh(t, sm, sys)); !strings.Contains(row, "供应商登记簿：无境外运维安排") || !strings.Contains(row, "否") {
			t.Errorf("onshore system's row: %q", row)
		}

		var sup struct{ ID int64 }
		res, body := sm.Do("POST", "/api/v1/suppliers", nil, h, `{"name":"莱茵远程运维有限公司","country":"DE","foreign_registration":"HRB 77"}`)
		decode(t, res, body, 201, &sup)
		var mt struct{ ID int64 }
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/maintenance", sup.ID), nil, h,
			fmt.Sprintf(`{"system_id":%d,"from_country":"DE","description":"远程诊断","starts_on":"%s"}`, sys, chinaDate(3)))
		decode(t, res, body, 201, &mt)
		st, en, zh := subjectFinding(t, sm, "CIIR-DOMESTIC-MAINTENANCE", sid)
		if st != "gap" || !strings.Contains(en, "maintained from abroad = yes") || !strings.Contains(en, "maintenance from abroad reported = no") ||
			!strings.Contains(zh, "境外远程维护 = 是") || !strings.Contains(zh, "境外维护已报告 = 否") {
			t.Errorf("an unreported arrangement from Germany: %s %q %q", st, en, zh)
		}
		if row := maintenanceRow(t, systemPageZh(t, sm, sys)); !strings.Contains(row, "供应商登记簿：境外运维安排 1 项，未报告 1 项") || !strings.Contains(row, "是") {
			t.Errorf("the row with the arrangement: %q", row)
		}

		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/maintenance/%d/report", mt.ID), nil, h, `{"reported_on":"`+chinaDate(0)+`","evidence_sha256":"`+evidenceOf(t, sm)+`"}`)
		decode(t, res, body, 200, nil)
		if st, en, _ := subjectFinding(t, sm, "CIIR-DOMESTIC-MAINTENANCE", sid); st != "met" || !strings.Contains(en, "maintenance from abroad reported = yes") {
			t.Errorf("the arrangement reported: %s %q", st, en)
		}
		if row := maintenanceRow(t, systemPageZh(t, sm, sys)); !strings.Contains(row, "供应商登记簿：境外运维安排 1 项，未报告 0 项") {
			t.Errorf("the row once reported: %q", row)
		}

		// A declaration by hand in the inventory, from before the register: still counted, and
		// labelled as typed by hand.
		res, body = sm.Do("PATCH", fmt.Sprintf("/api/v1/scope/systems/%d", other), nil, h, `{"maintenance_abroad":true}`)
		decode(t, res, body, 200, nil)
		oid := strconv.FormatInt(other, 10)
		if st, en, _ := subjectFinding(t, sm, "CIIR-DOMESTIC-MAINTENANCE", oid); st != "gap" || !strings.Contains(en, "maintained from abroad = yes") {
			t.Errorf("maintenance from abroad declared by hand: %s %q", st, en)
		}
		if row := maintenanceRow(t, systemPageZh(t, sm, other)); !strings.Contains(row, "手工填报") || !strings.Contains(row, "供应商登记簿：无境外运维安排") {
			t.Errorf("the row of a declaration by hand: %q", row)
		}
		res, body = sm.Do("PATCH", fmt.Sprintf("/api/v1/scope/systems/%d", other), nil, h, `{"maintenance_abroad":true,"maintenance_abroad_reported":true}`)
		decode(t, res, body, 200, nil)
		if st, en, _ := subjectFinding(t, sm, "CIIR-DOMESTIC-MAINTENANCE", oid); st != "met" {
			t.Errorf("the declaration by hand reported: %s %q", st, en)
		}

		o := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		if res, _ := o.Do("GET", fmt.Sprintf("/scope/systems/%d", sys), nil, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("the other operator on the system page: %d, want 404", res.StatusCode)
		}
		if res, _ := o.Do("POST", fmt.Sprintf("/api/v1/maintenance/%d/report", mt.ID), nil, jsonHdr(o.CSRF), `{"reported_on":"`+chinaDate(0)+`","evidence_sha256":"`+strings.Repeat("a", 64)+`"}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("the other operator reporting the arrangement: %d, want 404", res.StatusCode)
		}
	})
}
