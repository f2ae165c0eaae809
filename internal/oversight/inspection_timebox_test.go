package oversight_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// boxChange is what the test reads of a change of an inspection's time box.
type boxChange struct {
	Kind      string    `json:"kind"`
	EndsAfter time.Time `json:"ends_after"`
	Reason    string    `json:"reason"`
	By        string    `json:"by"`
}

// TestInspectionTimeBox, on both engines: the department extends an open inspection with
// a reason (to the end of a Beijing day ten days ahead, worked out here by hand), then
// closes it early with another; the operator reads the new end and both reasons, both
// trails hold each change once; after the closing the inspector reads nothing (404), and
// the time box can be neither closed nor extended again (409). Refused: no reason (400 on
// reason), an end not after the present one (400 on ends_at), another department (404
// before the input is judged), the analyst (403).
func TestInspectionTimeBox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@regulator.demo")
		insp := env.Login(t, "inspector@regulator.demo")
		grid := env.Login(t, "security@grid.demo")
		e := gridEntry(t, admin)
		now := time.Now().In(calendar.Shanghai) // the period is in Beijing days
		var x inspection
		code, body := call(t, admin, "POST", "/api/v1/oversight/inspections", map[string]any{"entry_id": e.ID, "ref": "示能监安检〔2026〕12号",
			"areas": []string{"systems"}, "systems": []string{"调度自动化系统（D5000）"}, "period_from": now.AddDate(0, 0, -1).Format("2006-01-02"),
			"period_to": now.Format("2006-01-02"), "ends_at": now.Add(time.Hour).Format(time.RFC3339)}, &x)
		mustStatus(t, "open", code, http.StatusCreated, body)
		id := strconv.FormatInt(x.ID, 10)
		base := "/api/v1/oversight/inspections/" + id

		bj := time.FixedZone("Beijing", 8*3600)
		day := now.In(bj).AddDate(0, 0, 10)
		newEnd := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, bj) // the end of that Beijing day
		for _, c := range []struct {
			who    string
			client *apptest.Client
			path   string
			body   map[string]any
			code   int
			field  string
		}{
			{"no reason", admin, base + "/extend", map[string]any{"ends_at": day.Format("2006-01-02")}, 400, "reason"},
			{"an end before the present one", admin, base + "/extend", map[string]any{"ends_at": now.Add(30 * time.Minute).Format(time.RFC3339), "reason": "延长"}, 400, "ends_at"},
			{"not a date", admin, base + "/extend", map[string]any{"ends_at": "下周", "reason": "延长"}, 400, "ends_at"},
			{"another department", inspectorOf(t, env), base + "/close", map[string]any{}, 404, ""},
			{"the analyst", env.Login(t, "analyst@regulator.demo"), base + "/close", map[string]any{"reason": "x"}, 403, ""},
		} {
			code, body := call(t, c.client, "POST", c.path, c.body, nil)
			if code != c.code || (c.field != "" && !contains(body, `"field":"`+c.field+`"`)) {
				t.Errorf("%s: %d %s; want %d on %q", c.who, code, body, c.code, c.field)
			}
		}

		const why = "被检查单位补充提供调度系统等级测评材料，需延长查阅时间"
		var y struct {
			inspection
			Changes []boxChange `json:"time_box_changes"`
		}
		code, body = call(t, admin, "POST", base+"/extend", map[string]any{"ends_at": day.Format("2006-01-02"), "reason": why}, &y)
		mustStatus(t, "extend", code, 200, body)
		if len(y.Changes) != 1 || y.Changes[0].Kind != "extended" || !y.Changes[0].EndsAfter.Equal(newEnd) || y.Changes[0].Reason != why || !y.Open {
			t.Fatalf("extended: %+v open %v; want one extension to %s with the reason", y.Changes, y.Open, newEnd)
		}
		var mine struct {
			EndsAt  time.Time   `json:"ends_at"`
			Changes []boxChange `json:"time_box_changes"`
		}
		call(t, grid, "GET", "/api/v1/filings/inspections/"+id, nil, &mine)
		if !mine.EndsAt.Equal(newEnd) || len(mine.Changes) != 1 || mine.Changes[0].Reason != why {
			t.Errorf("the operator reads the end %s and %+v; want %s and the reason", mine.EndsAt, mine.Changes, newEnd)
		}
		res, page := grid.Do("GET", "/filings/inspections/"+id, nil, nil)
		if want := newEnd.In(bj).Format("2006-01-02 15:04"); res.StatusCode != 200 || !strings.Contains(page, why) || !strings.Contains(page, "延长") || !strings.Contains(page, want) {
			t.Errorf("the operator's page: %d; want the reason %q and the new end %s", res.StatusCode, why, want)
		}

		const closing = "现场核查已完成，提前结束远程查阅"
		code, body = call(t, insp, "POST", base+"/close", map[string]any{"reason": closing}, &y)
		mustStatus(t, "close", code, 200, body)
		if y.Open || len(y.Changes) != 2 || y.Changes[1].Kind != "closed" || y.Changes[1].Reason != closing || y.Changes[1].EndsAfter.After(time.Now()) {
			t.Errorf("closed: open %v, %+v; want ended now with the reason", y.Open, y.Changes)
		}
		if code, body := call(t, insp, "GET", base+"/records/systems", nil, nil); code != 404 {
			t.Errorf("a read after the closing: %d %s; want 404", code, body)
		}
		for _, p := range []string{"/close", "/extend"} {
			if code, body := call(t, admin, "POST", base+p, map[string]any{"reason": "再次", "ends_at": day.Format("2006-01-02")}, nil); code != 409 {
				t.Errorf("%s after the closing: %d %s; want 409", p, code, body)
			}
		}
		call(t, grid, "GET", "/api/v1/filings/inspections/"+id, nil, &mine)
		if len(mine.Changes) != 2 || mine.Changes[1].Reason != closing || mine.EndsAt.After(time.Now()) {
			t.Errorf("the operator reads %+v ending %s; want the closing too", mine.Changes, mine.EndsAt)
		}
		for side, c := range map[string]*apptest.Client{"regulator": admin, "operator": env.Login(t, "admin@grid.demo")} {
			if n := auditActions(t, c, x.ID); n["inspection_extended"] != 1 || n["inspection_closed"] != 1 {
				t.Errorf("the %s's trail: %v; want one extension and one closing", side, n)
			}
		}
	})
}
