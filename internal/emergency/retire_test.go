package emergency_test

import (
	"fmt"
	"net/http"
	"net/url"
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

// TestRetirePlan on both engines: a system's only plan is retired, through the API with
// bad input first (each a 400 naming its field, nothing changed) and then on the plan's
// page in Chinese. Once retired the plan is history: the system has no plan any more
// (has_plan false), revising or retiring it again is a 409, a drill cannot name it, the
// drill form no longer offers it, and another organisation gets 404.
func TestRetirePlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		res, body := c.Do("POST", "/api/v1/scope/systems", nil, hdr(c), `{"name":"停用测试系统","sector":"energy","mlps_level":3,"cii_status":"identified","identified_on":"2026-01-05","identification_doc":"示能监安认〔2026〕2号"}`)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create system: %d %s", res.StatusCode, body)
		}
		sys := decode[struct{ ID int64 }](t, body).ID
		now := time.Now().In(calendar.Shanghai)
		day := func(n int) string { return now.AddDate(0, 0, n).Format(time.DateOnly) }
		newPlan := func(title string) int64 {
			res, body := c.Do("POST", "/api/v1/emergency/plans", nil, hdr(c), fmt.Sprintf(`{"title":%q,"version":"V1","systems":[%d],"contacts":"值班电话 010-1234","approved_by":"王刚","approved_on":%q}`, title, sys, day(-30)))
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("create plan: %d %s", res.StatusCode, body)
			}
			return decode[struct{ ID int64 }](t, body).ID
		}
		plan := newPlan("停用测试系统专项预案")
		if f := systemFacts(t, c, sys); f == nil || f["has_plan"] != true {
			t.Fatalf("facts with the plan: %v", f)
		}
		retire := fmt.Sprintf("/api/v1/emergency/plans/%d/retire", plan)
		for _, tc := range []struct{ body, field string }{
			{`{"reason":"  "}`, "reason"},
			{`{"reason":"已被新预案替代","retired_on":"` + day(2) + `"}`, "retired_on"},
			{`{"reason":"已被新预案替代","retired_on":"` + day(-31) + `"}`, "retired_on"},
			{`{"reason":"已被新预案替代","retired_on":"2026-02-30"}`, "retired_on"},
		} {
			res, body := c.Do("POST", retire, nil, hdr(c), tc.body)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"`+tc.field+`"`) {
				t.Errorf("retire with %s: %d %s, want 400 naming %s", tc.body, res.StatusCode, body, tc.field)
			}
		}
		if f := systemFacts(t, c, sys); f["has_plan"] != true {
			t.Fatalf("refused retirements changed the facts: %v", f)
		}
		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		if res, _ := other.Do("POST", retire, nil, hdr(other), `{"reason":"x"}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("another organisation retiring: %d, want 404", res.StatusCode)
		}
		res, body = c.Do("POST", retire, nil, hdr(c), `{"reason":"系统已整合进新平台，由新预案覆盖"}`)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("retire: %d %s", res.StatusCode, body)
		}
		if p := decode[emergency.Plan](t, body); p.RetiredOn != day(0) || p.RetiredBy == "" || p.RetireReason != "系统已整合进新平台，由新预案覆盖" {
			t.Errorf("retired plan: on %q by %q why %q, want today %s", p.RetiredOn, p.RetiredBy, p.RetireReason, day(0))
		}
		if f := systemFacts(t, c, sys); f != nil && f["has_plan"] != false {
			t.Errorf("the system's only plan is retired, facts still say %v", f["has_plan"])
		}
		for _, tc := range []struct{ path, body string }{
			{retire, `{"reason":"again"}`},
			{fmt.Sprintf("/api/v1/emergency/plans/%d/revise", plan), `{"version":"V2","approved_by":"王刚","approved_on":"` + day(0) + `"}`},
		} {
			if res, body := c.Do("POST", tc.path, nil, hdr(c), tc.body); res.StatusCode != http.StatusConflict {
				t.Errorf("POST %s on a retired plan: %d %s, want 409", tc.path, res.StatusCode, body)
			}
		}
		res, body = c.Do("POST", "/api/v1/emergency/drills", nil, hdr(c), fmt.Sprintf(`{"held_on":%q,"scenario":"断电","systems":[%d],"participants":"值班组","findings":"无","plan_id":%d}`, day(-1), sys, plan))
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"plan_id"`) {
			t.Errorf("a drill of a retired plan: %d %s, want 400 naming plan_id", res.StatusCode, body)
		}

		// The page, in Chinese: a second plan retired through its form.
		second := newPlan("停用测试系统第二预案")
		c.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		res, _ = c.Do("POST", fmt.Sprintf("/emergency/plans/%d/retire", second), url.Values{"reason": {"与第一预案合并"}, "retired_on": {day(-1)}}, nil)
		if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusSeeOther {
			t.Fatalf("retire on the page: %d", res.StatusCode)
		}
		_, page := c.Do("GET", fmt.Sprintf("/emergency/plans/%d", second), nil, nil)
		for _, want := range []string{`class="muted plan-retired">已停用<`, "已于 " + day(-1) + " 由", "原因：与第一预案合并"} {
			if !strings.Contains(page, want) {
				t.Errorf("the retired plan's page lacks %q", want)
			}
		}
		for _, gone := range []string{`id="plan-revise"`, `id="plan-retire"`} {
			if strings.Contains(page, gone) {
				t.Errorf("the retired plan's page still offers %s", gone)
			}
		}
		if _, form := c.Do("GET", "/emergency/drills/new", nil, nil); strings.Contains(form, "停用测试系统专项预案") || strings.Contains(form, "停用测试系统第二预案") {
			t.Error("the drill form offers a retired plan")
		}
	})
}
