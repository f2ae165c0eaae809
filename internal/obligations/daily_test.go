package obligations_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/obligations"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// dueTodayPolicy has one duty that an operator never meets, due on 1 December 2026: a deadline is a China
// date and ends at 24:00 Beijing time.
const dueTodayPolicy = `instrument:
  id: DAILY
  title: {zh: 到期测试制度, en: A due-date policy}
  issuer: {zh: 示例, en: Example}
  versions:
    - {id: "2026", adopted: 2026-01-01, in_force: 2026-02-01}
obligations:
  - id: DAILY-DUE
    version: "2026"
    article: "1"
    title: {zh: 十二月一日前完成, en: Done by 1 December}
    summary: {zh: 十二月一日前完成。, en: Done by 1 December.}
    binds: [operator]
    capability: scope
    check: "org.kind == 'regulator'"
    due: "timestamp('2026-12-01T00:00:00+08:00')"
    cadence: once
    tests:
      - {name: a regulator, facts: {org: {kind: regulator}}, now: "2026-11-01T00:00:00Z", expect: met}
      - {name: an operator, facts: {org: {kind: operator}}, now: "2026-11-01T00:00:00Z", expect: gap}
`

// obligationsModule is the installation's obligations capability.
func obligationsModule(t *testing.T, env *apptest.Env) *obligations.Module {
	t.Helper()
	for _, m := range env.App.Modules {
		if o, ok := m.(*obligations.Module); ok {
			return o
		}
	}
	t.Fatal("no obligations module")
	return nil
}

// TestOverdueFromBeijingMidnightWithoutAChange: nothing in the records changes overnight, yet
// a gap due on 1 December is overdue from 00:00 on 2 December in Beijing (16:00 UTC on
// 1 December). The daily evaluation turns it overdue then; before it runs the stored finding
// still says gap (there was no change to evaluate), and a minute before midnight it is a gap.
func TestOverdueFromBeijingMidnightWithoutAChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		m := obligationsModule(t, env)
		var now atomic.Int64
		set := func(s string) {
			at, err := time.Parse("2006-01-02 15:04 -0700", s)
			if err != nil {
				t.Fatal(err)
			}
			now.Store(at.UnixNano())
		}
		set("2026-12-01 23:59 +0800")
		defer m.Service.SetNow(func() time.Time { return time.Unix(0, now.Load()) })()

		c := env.Login(t, "security@grid.demo")
		h := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/yaml"}
		if res, body := c.Do("POST", "/api/v1/policies?name=daily.yaml", nil, h, dueTodayPolicy); res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusOK {
			t.Fatalf("upload: %d %s", res.StatusCode, body)
		}
		status := func() rules.Status {
			t.Helper()
			for _, f := range findings(t, c, "").Findings {
				if strings.HasSuffix(f.ObligationID, "-DAILY-DUE") {
					return f.Status
				}
			}
			t.Fatal("no finding of the uploaded duty")
			return ""
		}
		if s := status(); s != rules.StatusGap {
			t.Fatalf("at 23:59 Beijing on the due date: %s, want gap", s)
		}
		set("2026-12-02 00:01 +0800")
		if s := status(); s != rules.StatusGap {
			t.Fatalf("before the daily evaluation: %s (nothing changed, nothing should have run)", s)
		}
		m.ReevaluateAll(context.Background())
		if s := status(); s != rules.StatusOverdue {
			t.Fatalf("after the daily evaluation at 00:01 Beijing the next day: %s, want overdue", s)
		}
	})
}

// provisionalPolicy's duty has a working-day clock of 10 working days from Saturday
// 20 December 2031, in years for which the release ships no State Council schedule.
const provisionalPolicy = `instrument:
  id: PROV
  title: {zh: 工作日测试制度, en: A working-day policy}
  issuer: {zh: 示例, en: Example}
  versions:
    - {id: "2031", adopted: 2031-01-01, in_force: 2031-02-01}
obligations:
  - id: PROV-CLOCK
    version: "2031"
    article: "1"
    title: {zh: 十个工作日内完成, en: Done within 10 working days}
    summary: {zh: 十个工作日内完成。, en: Done within 10 working days.}
    binds: [operator]
    capability: scope
    check: "org.kind == 'regulator'"
    due: "addWorkingDays(timestamp('2031-12-20T00:00:00+08:00'), 10)"
    cadence: once
    tests:
      - {name: a regulator, facts: {org: {kind: regulator}}, now: "2031-12-21T00:00:00Z", expect: met}
      - {name: an operator, facts: {org: {kind: operator}}, now: "2031-12-21T00:00:00Z", expect: gap}
`

// TestProvisionalDeadlineUntilTheYearIsLoaded: ten working days from Saturday 20 December
// 2031, counted with weekends off only because neither 2031 nor 2032 has a loaded schedule,
// end on Friday 2 January 2032 (22–26, 29–31 December, 1–2 January). The finding is kept and
// shown as provisional (the API's flag, "暂定" beside the date in the Chinese list) and never
// refused. Once the operations team loads both years — 2032 with New Year's Day off
// (《全国年节及纪念日放假办法》第二条：新年，放假1天（1月1日）) — every organisation is
// re-evaluated without any change of its own: the deadline is Monday 5 January 2032 and
// nothing is provisional.
//
// The working-day calendar is the process's, and a loaded year stays loaded, so the run on
// the second engine uses 2042 and 2043, whose dates fall on the same weekdays.
func TestProvisionalDeadlineUntilTheYearIsLoaded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		y := 2031
		if d == store.Postgres {
			y = 2042
		}
		years := strings.NewReplacer("2031", strconv.Itoa(y), "2032", strconv.Itoa(y+1))
		env := apptest.Start(t, d)
		m := obligationsModule(t, env)
		defer m.Service.SetNow(func() time.Time { return time.Date(y, 12, 21, 2, 0, 0, 0, time.UTC) })()
		c := env.Login(t, "security@grid.demo")
		h := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/yaml"}
		if res, body := c.Do("POST", "/api/v1/policies?name=prov.yaml", nil, h, years.Replace(provisionalPolicy)); res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusOK {
			t.Fatalf("upload: %d %s", res.StatusCode, body)
		}
		finding := func() obligations.Finding {
			t.Helper()
			for _, f := range findings(t, c, "").Findings {
				if strings.HasSuffix(f.ObligationID, "-PROV-CLOCK") {
					return f
				}
			}
			t.Fatal("no finding of the uploaded duty")
			return obligations.Finding{}
		}
		f := finding()
		if f.Status != rules.StatusGap || f.Due == nil || f.Due.In(beijing).Format(time.DateOnly) != years.Replace("2032-01-02") || !f.Provisional {
			t.Fatalf("before the years are loaded: %s due %v provisional %v, want a provisional gap due 2032-01-02", f.Status, f.Due, f.Provisional)
		}
		zh(t, c)
		_, page := c.Do("GET", "/findings?status=gap", nil, nil)
		row := rowOf(t, page, f.ObligationID)
		if !strings.Contains(row, years.Replace("2032-01-02")) || !strings.Contains(row, "暂定") {
			t.Errorf("the Chinese list's row does not show the provisional date: %q", row)
		}

		ops := env.Login(t, "ops@ciiguard.demo")
		oh := map[string]string{"X-CSRF-Token": ops.CSRF, "Content-Type": "application/yaml"}
		for _, year := range []string{"2031", "2032"} {
			body := years.Replace("years:\n  " + year + ":\n    source: test notice\n    holidays:\n      - {name: 元旦, from: " + year + "-01-01, to: " + year + "-01-01}\n")
			if res, out := ops.Do("PUT", "/api/v1/calendar/schedules/"+years.Replace(year), nil, oh, body); res.StatusCode != http.StatusOK {
				t.Fatalf("load %s: %d %s", year, res.StatusCode, out)
			}
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			f = finding()
			if !f.Provisional || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if f.Provisional || f.Due == nil || f.Due.In(beijing).Format(time.DateOnly) != years.Replace("2032-01-05") {
			t.Fatalf("after loading 2031 and 2032: due %v provisional %v, want 2032-01-05, not provisional", f.Due, f.Provisional)
		}
		_, page = c.Do("GET", "/findings?status=gap", nil, nil)
		if row := rowOf(t, page, f.ObligationID); strings.Contains(row, "暂定") || !strings.Contains(row, years.Replace("2032-01-05")) {
			t.Errorf("after loading, the row says %q", row)
		}
	})
}

var beijing = time.FixedZone("CST", 8*3600)

// rowOf returns the text of the findings table's row that names the duty.
func rowOf(t *testing.T, page, obligationID string) string {
	t.Helper()
	for _, tr := range htmltest.Parse(t, page).Root().All("tr", nil) {
		if strings.Contains(tr.Text(), obligationID) {
			return tr.Text()
		}
	}
	t.Fatalf("no row names %s", obligationID)
	return ""
}
