package emergency_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/emergency"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

func hdr(c *apptest.Client) map[string]string {
	return map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}
}

// systemID returns the id of the demo operator's system of that name.
func systemID(t *testing.T, c *apptest.Client, name string) int64 {
	t.Helper()
	_, body := c.Do("GET", "/api/v1/scope/systems?limit=1000", nil, nil)
	var out struct {
		Systems []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"systems"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("systems: %v", err)
	}
	for _, s := range out.Systems {
		if s.Name == name {
			return s.ID
		}
	}
	t.Fatalf("no system %s", name)
	return 0
}

// finding is the current status of a duty for a system, once the evaluation caught up.
func finding(t *testing.T, c *apptest.Client, obligation string, system int64) string {
	t.Helper()
	c.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil)
	_, body := c.Do("GET", "/api/v1/findings?obligation="+obligation, nil, nil)
	var out struct {
		Findings []struct {
			SubjectKind string `json:"subject_kind"`
			SubjectID   string `json:"subject_id"`
			Status      string `json:"status"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("findings: %v", err)
	}
	for _, f := range out.Findings {
		if f.SubjectKind == "system" && f.SubjectID == fmt.Sprint(system) {
			return f.Status
		}
	}
	t.Fatalf("no finding of %s for system %d", obligation, system)
	return ""
}

// systemFacts reads the emergency facts of one system through the API.
func systemFacts(t *testing.T, c *apptest.Client, system int64) map[string]any {
	t.Helper()
	_, body := c.Do("GET", "/api/v1/emergency/facts", nil, nil)
	var out struct {
		Systems []map[string]any `json:"systems"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("facts: %v", err)
	}
	for _, s := range out.Systems {
		if s["system_id"] == float64(system) {
			return s
		}
	}
	return nil
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, body)
	}
	return v
}

// TestDrillCallsForRevision walks the main flow through the API on both engines: a plan
// for an identified CII system (no earlier record: its plan-and-drill duty is overdue), a
// drill that meets the duty, then a drill whose findings call for revising the plan, with a
// follow-up item that becomes a task linked to the drill: the plan is due for revision and
// the duty is a gap again until the plan is revised. The second demo operator, who holds
// the same roles, reads 404 for every record and lists none of them.
func TestDrillCallsForRevision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		// A new system of the inventory has no record here: never drilled, no plan.
		res, body := c.Do("POST", "/api/v1/scope/systems", nil, hdr(c), `{"name":"应急测试系统","sector":"energy","mlps_level":3,"cii_status":"identified","identified_on":"2026-01-05","identification_doc":"示能监安认〔2026〕1号"}`)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create system: %d %s", res.StatusCode, body)
		}
		sys := decode[struct{ ID int64 }](t, body).ID
		if got := finding(t, c, "CIIR-EMERGENCY-PLAN-DRILL", sys); got != "overdue" {
			t.Fatalf("a system without any record: %s, want overdue (never drilled)", got)
		}
		now := time.Now().In(calendar.Shanghai)
		day := func(daysAgo int) string { return now.AddDate(0, 0, -daysAgo).Format(time.DateOnly) }
		res, body = c.Do("POST", "/api/v1/emergency/plans", nil, hdr(c), fmt.Sprintf(`{"title":"应急测试系统专项预案","version":"V1","systems":[%d],"contacts":"值班电话 010-1234","approved_by":"王刚","approved_on":%q}`, sys, day(30)))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create plan: %d %s", res.StatusCode, body)
		}
		plan := decode[emergency.Plan](t, body)
		if want := now.AddDate(0, 0, -30).AddDate(1, 0, 0).Format(time.DateOnly); plan.ReviewOn != want {
			t.Errorf("review date %s, want %s (the approval plus the default 12 months)", plan.ReviewOn, want)
		}
		res, body = c.Do("POST", "/api/v1/emergency/drills", nil, hdr(c), fmt.Sprintf(`{"held_on":%q,"scenario":"主站失电切换","systems":[%d],"participants":"运维班组","plan_id":%d}`, day(20), sys, plan.ID))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("first drill: %d %s", res.StatusCode, body)
		}
		if got := finding(t, c, "CIIR-EMERGENCY-PLAN-DRILL", sys); got != "met" {
			t.Fatalf("planned and drilled 20 days ago: %s, want met", got)
		}
		owner := env.App.Auth
		u, err := owner.UserByEmail(t.Context(), "owner@grid.demo")
		if err != nil {
			t.Fatal(err)
		}
		res, body = c.Do("POST", "/api/v1/emergency/drills", nil, hdr(c), fmt.Sprintf(`{"held_on":%q,"scenario":"勒索软件","systems":[%d],"participants":"运维班组","plan_id":%d,
			"findings":"切换步骤过时","revision_needed":true,"followups":[{"title":"更新切换步骤","owner_id":%d,"due":%q}]}`, day(2), sys, plan.ID, u.ID, now.AddDate(0, 1, 0).Format(time.DateOnly)))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("second drill: %d %s", res.StatusCode, body)
		}
		drill := decode[emergency.Drill](t, body)
		if len(drill.Tasks) != 1 || drill.Tasks[0].Title != "更新切换步骤" || drill.Tasks[0].Owner != "张伟 Zhang Wei" || !drill.Tasks[0].Open {
			t.Fatalf("the follow-up task: %+v", drill.Tasks)
		}
		// Issue 10 item 14: the plan's and the drill's pages have their own titles.
		zh := map[string]string{"Accept-Language": "zh-CN"}
		if _, page := c.Do("GET", fmt.Sprintf("/emergency/plans/%d", plan.ID), nil, zh); !strings.Contains(page, "<title>应急测试系统专项预案 · ciiguard</title>") {
			t.Error("the plan's page is not titled with the plan's title")
		}
		if _, page := c.Do("GET", fmt.Sprintf("/emergency/drills/%d", drill.ID), nil, zh); !strings.Contains(page, "<title>演练：勒索软件（"+day(2)+"） · ciiguard</title>") {
			t.Error("the drill's page is not titled with its scenario and date")
		}
		_, body = c.Do("GET", "/api/v1/tasks", nil, nil)
		if !strings.Contains(body, `"link": "drill:`+fmt.Sprint(drill.ID)+`"`) {
			t.Errorf("the tasks list does not show the drill's task")
		}
		_, body = c.Do("GET", fmt.Sprintf("/api/v1/emergency/plans/%d", plan.ID), nil, nil)
		if p := decode[emergency.Plan](t, body); !p.RevisionDue || p.RevisionDrill != drill.ID {
			t.Fatalf("the plan after a drill called for its revision: due %v, drill %d", p.RevisionDue, p.RevisionDrill)
		}
		if f := systemFacts(t, c, sys); f == nil || f["plan_revision_due"] != true || f["drill_current"] != true {
			t.Fatalf("facts: %v", f)
		}
		if got := finding(t, c, "CIIR-EMERGENCY-PLAN-DRILL", sys); got != "gap" {
			t.Fatalf("revision outstanding: %s, want gap", got)
		}
		res, body = c.Do("POST", fmt.Sprintf("/api/v1/emergency/plans/%d/revise", plan.ID), nil, hdr(c), fmt.Sprintf(`{"version":"V2","approved_by":"王刚","approved_on":%q}`, day(0)))
		if p := decode[emergency.Plan](t, body); res.StatusCode != 200 || p.RevisionDue || p.Version != "V2" {
			t.Fatalf("revise: %d %s", res.StatusCode, body)
		}
		if got := finding(t, c, "CIIR-EMERGENCY-PLAN-DRILL", sys); got != "met" {
			t.Fatalf("after the revision: %s, want met", got)
		}

		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		for _, p := range []string{fmt.Sprintf("/api/v1/emergency/plans/%d", plan.ID), fmt.Sprintf("/api/v1/emergency/drills/%d", drill.ID),
			fmt.Sprintf("/emergency/plans/%d", plan.ID), fmt.Sprintf("/emergency/drills/%d", drill.ID)} {
			if res, _ := other.Do("GET", p, nil, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("another organisation reading %s: %d, want 404", p, res.StatusCode)
			}
		}
		if res, _ := other.Do("POST", fmt.Sprintf("/api/v1/emergency/plans/%d/revise", plan.ID), nil, hdr(other), `{"version":"V9","approved_by":"x","approved_on":"2026-01-01"}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("another organisation revising: %d, want 404", res.StatusCode)
		}
		if _, body := other.Do("GET", "/api/v1/emergency", nil, nil); strings.Contains(body, "应急测试系统专项预案") || strings.Contains(body, "勒索软件") {
			t.Error("another organisation lists the records")
		}
		// Naming the first organisation's system from the second is refused, by field.
		if res, body := other.Do("POST", "/api/v1/emergency/plans", nil, hdr(other), fmt.Sprintf(`{"title":"x","version":"1","systems":[%d],"contacts":"x","approved_by":"x","approved_on":%q}`, sys, day(1))); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"systems"`) {
			t.Errorf("another organisation's system: %d %s", res.StatusCode, body)
		}
	})
}

// TestBackupTestResults: a restore that took longer than its RTO is missed and a backup
// kept abroad fails the duty although its test met; the result follows the latest test.
func TestBackupTestResults(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		sys := systemID(t, c, "变电站综合自动化监控系统")
		now := time.Now().In(calendar.Shanghai)
		day := func(daysAgo int) string { return now.AddDate(0, 0, -daysAgo).Format(time.DateOnly) }
		record := func(inChina bool, tested string, rto int) emergency.BackupTest {
			t.Helper()
			res, body := c.Do("POST", "/api/v1/emergency/backup-tests", nil, hdr(c), fmt.Sprintf(`{"systems":[%d],"location":"灾备中心","in_china":%v,"tested_on":%q,
				"rpo_target_min":15,"rto_target_min":60,"rpo_achieved_min":15,"rto_achieved_min":%d}`, sys, inChina, tested, rto))
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("record: %d %s", res.StatusCode, body)
			}
			return decode[emergency.BackupTest](t, body)
		}
		cases := []struct { // in order; each the system's latest test
			inChina bool
			tested  string
			rto     int
			result  string
			status  string
		}{
			{true, day(5), 61, "missed", "gap"}, // one minute over the RTO
			{true, day(4), 60, "met", "met"},    // exactly the RTO
			{false, day(3), 30, "met", "gap"},   // met, but kept abroad
			{true, day(2), 30, "met", "met"},
		}
		for _, cs := range cases {
			b := record(cs.inChina, cs.tested, cs.rto)
			if b.Result != cs.result {
				t.Errorf("%+v: result %s, want %s", cs, b.Result, cs.result)
			}
			if got := finding(t, c, "CIIR-DR-BACKUP", sys); got != cs.status {
				t.Errorf("%+v: CIIR-DR-BACKUP %s, want %s", cs, got, cs.status)
			}
		}
	})
}

// TestEmergencyInput: bad input is refused with 400 naming the field and the reason, and
// nothing is stored.
func TestEmergencyInput(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "security@grid.demo")
	tomorrow := time.Now().In(calendar.Shanghai).AddDate(0, 0, 1).Format(time.DateOnly)
	for _, cs := range []struct{ path, body, field string }{
		{"/api/v1/emergency/plans", `{"title":"","version":"1","contacts":"x","approved_by":"x","approved_on":"2026-01-01"}`, "title"},
		{"/api/v1/emergency/plans", `{"title":"坏预案","version":"1","contacts":"x","approved_by":"x","approved_on":"01/02/2026"}`, "approved_on"},
		{"/api/v1/emergency/plans", `{"title":"坏预案","version":"1","contacts":"x","approved_by":"x","approved_on":"` + tomorrow + `"}`, "approved_on"},
		{"/api/v1/emergency/plans", `{"title":"坏预案","version":"1","contacts":"x","approved_by":"x","approved_on":"2026-01-01","review_on":"2025-12-01"}`, "review_on"},
		{"/api/v1/emergency/plans", `{"title":"坏预案","version":"1","systems":[999999],"contacts":"x","approved_by":"x","approved_on":"2026-01-01"}`, "systems"},
		{"/api/v1/emergency/drills", `{"held_on":"2026-01-01","scenario":"坏演练","participants":"x","revision_needed":true,"findings":"x"}`, "plan_id"},
		{"/api/v1/emergency/drills", `{"held_on":"2026-01-01","scenario":"坏演练","participants":"x","plan_id":999999}`, "plan_id"},
		{"/api/v1/emergency/drills", `{"held_on":"` + tomorrow + `","scenario":"坏演练","participants":"x"}`, "held_on"},
		{"/api/v1/emergency/drills", `{"held_on":"2026-01-01","scenario":"坏演练","participants":"x","followups":[{"title":"","owner_id":1,"due":"2026-12-01"}]}`, "followups[0].title"},
		{"/api/v1/emergency/drills", `{"held_on":"2026-01-01","scenario":"坏演练","participants":"x","followups":[{"title":"x","owner_id":999999,"due":"2026-12-01"}]}`, "followups[0].owner_id"},
		{"/api/v1/emergency/drills", `{"held_on":"2026-01-01","scenario":"坏演练","participants":"x","followups":[{"title":"x","owner_id":1,"due":"soon"}]}`, "followups[0].due"},
		{"/api/v1/emergency/backup-tests", `{"systems":[],"location":"坏备份","in_china":true,"tested_on":"2026-01-01","rpo_target_min":1,"rto_target_min":1,"rpo_achieved_min":1,"rto_achieved_min":1}`, "systems"},
		{"/api/v1/emergency/backup-tests", `{"systems":[1],"location":"坏备份","tested_on":"2026-01-01","rpo_target_min":1,"rto_target_min":1,"rpo_achieved_min":1,"rto_achieved_min":1}`, "in_china"},
		{"/api/v1/emergency/backup-tests", `{"systems":[1],"location":"坏备份","in_china":true,"tested_on":"2026-01-01","rpo_target_min":-1,"rto_target_min":1,"rpo_achieved_min":1,"rto_achieved_min":1}`, "rpo_target_min"},
		{"/api/v1/emergency/backup-tests", `{"systems":[1],"location":"坏备份","in_china":true,"tested_on":"2026-01-01","rpo_target_min":1,"rto_target_min":1,"rpo_achieved_min":1}`, "rto_achieved_min"},
	} {
		res, body := c.Do("POST", cs.path, nil, hdr(c), cs.body)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"`+cs.field+`"`) {
			t.Errorf("%s %s: %d %s, want 400 naming %s", cs.path, cs.body, res.StatusCode, body, cs.field)
		}
	}
	if res, body := c.Do("PUT", "/api/v1/emergency/settings", nil, hdr(c), `{"review_months":0,"drill_cadence_days":365,"backup_test_cadence_days":365}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"review_months"`) {
		t.Errorf("settings: %d %s", res.StatusCode, body)
	}
	_, body := c.Do("GET", "/api/v1/emergency", nil, nil)
	for _, w := range []string{"坏预案", "坏演练", "坏备份"} {
		if strings.Contains(body, w) {
			t.Errorf("a refused %s was stored", w)
		}
	}
	if o := decode[emergency.Overview](t, body); !o.Settings.Default || o.Settings.DrillCadenceDays != 365 {
		t.Errorf("refused settings changed them: %+v", o.Settings)
	}
	// An auditor reads but may not write.
	a := env.Login(t, "auditor@grid.demo")
	if res, _ := a.Do("POST", "/api/v1/emergency/plans", nil, hdr(a), `{}`); res.StatusCode != http.StatusForbidden {
		t.Errorf("auditor writing: %d, want 403", res.StatusCode)
	}
}
