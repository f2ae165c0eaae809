package holidays_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/holidays"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// schedule2027 is a one-year file in the built-in form. New Year's Day is a holiday by
// 《全国年节及纪念日放假办法》 Art. 2 ("新年，放假1天（1月1日）"); the rest of 2027's arrangement
// is not published as of this release, so the file holds only that day.
const schedule2027 = "years:\n  2027:\n    source: test notice\n    holidays:\n      - {name: 元旦, from: 2027-01-01, to: 2027-01-01}\n"

func status(t *testing.T, c *apptest.Client) holidays.Status {
	t.Helper()
	res, body := c.Do("GET", "/api/v1/calendar/schedules", nil, nil)
	var st holidays.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil || res.StatusCode != 200 {
		t.Fatalf("list: %d %v", res.StatusCode, err)
	}
	return st
}

// TestLoadScheduleWithoutRelease: the installation's operations user loads 2027 over the API;
// bad files, shipped years and other roles (a tenant's administrator included: the calendar
// is every tenant's) are refused with the field named and nothing stored; the load is in
// the audit log and the shared calendar counts 2027's holidays from then on.
func TestLoadScheduleWithoutRelease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, "ops@ciiguard.demo")
		tenantAdmin := env.Login(t, "admin@grid.demo")
		put := func(c *apptest.Client, year, body string) (int, string) {
			res, b := c.Do("PUT", "/api/v1/calendar/schedules/"+year, nil, map[string]string{"Content-Type": "application/yaml", "X-CSRF-Token": c.CSRF}, body)
			return res.StatusCode, b
		}
		bad := []struct{ who, year, body, field string }{
			{"tenant admin", "2027", schedule2027, ""},
			{"admin", "2026", strings.ReplaceAll(schedule2027, "2027", "2026"), `"year"`},
			{"admin", "27", schedule2027, `"year"`},
			{"admin", "2028", schedule2027, `"body"`},
			{"admin", "2027", "years:\n  2027:\n    workdays: [2027-01-05]\n", `"body"`},
			{"admin", "2027", "not: [yaml", `"body"`},
		}
		for _, b := range bad {
			c := admin
			want := 400
			if b.who == "tenant admin" {
				c, want = tenantAdmin, 403
			}
			code, body := put(c, b.year, b.body)
			if code != want || !strings.Contains(body, b.field) {
				t.Errorf("%s PUT %s: %d %s, want %d naming %s", b.who, b.year, code, body, want, b.field)
			}
		}
		if st := status(t, admin); len(st.Loaded) != 0 {
			t.Fatalf("refused loads were stored: %+v", st.Loaded)
		}
		code, body := put(admin, "2027", schedule2027)
		if code != 200 {
			t.Fatalf("load 2027: %d %s", code, body)
		}
		st := status(t, admin)
		found := false
		for _, l := range st.Loaded {
			found = found || (l.Year == 2027 && l.Source == "test notice" && strings.HasPrefix(l.LoadedBy, "ops@ciiguard.demo"))
		}
		if !found || !calendar.Official().Knows(2027) {
			t.Fatalf("2027 not loaded: %+v", st)
		}
		// Friday 2026-12-25 + 5 working days: 28–31 December, then 1 January is New Year's Day.
		got, err := calendar.Official().AddWorkingDays(time.Date(2026, 12, 25, 9, 0, 0, 0, calendar.Shanghai), 5)
		if err != nil || got.In(calendar.Shanghai).Format("2006-01-02") != "2027-01-04" {
			t.Errorf("with 2027 loaded, 5 working days after 2026-12-25 end %v (%v), want 2027-01-04", got, err)
		}
		_, body = admin.Do("GET", "/api/v1/audit", nil, nil)
		var out struct{ Entries []audit.Entry }
		if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Entries) == 0 ||
			out.Entries[0].Entity != "holiday_schedule" || out.Entries[0].EntityID != "2027" {
			t.Errorf("the load is not the newest audit entry: %v %s", err, body)
		}
	})
}
