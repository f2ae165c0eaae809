package oversight_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// receivedCase is what the test reads of a case on either side.
type receivedCase struct {
	ID        int64  `json:"id"`
	State     string `json:"state"`
	EndReason string `json:"end_reason"`
	EndBasis  string `json:"end_basis"`
	EndedAt   string `json:"ended_at"`
	Decision  string `json:"decision"`
}

// TestPenaltyCaseEnds, on both engines: the department opens two cases against the grid;
// it withdraws one and closes the other, each with a reason and a legal basis; the
// operator reads both ended, with the reasons and bases, on its API and its page (in
// Chinese, 已撤销 and 已结案), and both trails hold each ending once. An ended case takes
// no decision and no second ending (409). Refused: without a reason or a basis (400
// naming it), another department (404 before the input is judged), the analyst (403).
func TestPenaltyCaseEnds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@regulator.demo")
		grid := env.Login(t, "security@grid.demo")
		u, err := env.App.Auth.UserByEmail(context.Background(), "admin@grid.demo")
		if err != nil {
			t.Fatal(err)
		}
		open := func() int64 {
			var c receivedCase
			code, body := call(t, admin, "POST", "/api/v1/oversight/cases", map[string]any{"operator_id": u.OrgID, "penalty_id": "CIIR-2021-39",
				"subject": "organisation", "tier": "refused_or_harm", "amount": 200000, "decision": "责令改正，并处罚款二十万元。"}, &c)
			mustStatus(t, "open a case", code, http.StatusCreated, body)
			return c.ID
		}
		first, second := open(), open()
		path := func(id int64, what string) string { return fmt.Sprintf("/api/v1/oversight/cases/%d/%s", id, what) }

		for _, c := range []struct {
			who    string
			client *apptest.Client
			body   map[string]any
			code   int
			field  string
		}{
			{"no reason", admin, map[string]any{"basis": "《中华人民共和国行政处罚法》第五十七条"}, 400, "reason"},
			{"no basis", admin, map[string]any{"reason": "违法事实不能成立"}, 400, "basis"},
			{"another department", otherAdmin(t, env), map[string]any{}, 404, ""},
			{"the analyst", env.Login(t, "analyst@regulator.demo"), map[string]any{"reason": "x", "basis": "y"}, 403, ""},
		} {
			code, body := call(t, c.client, "POST", path(first, "withdraw"), c.body, nil)
			if code != c.code || (c.field != "" && !contains(body, `"field":"`+c.field+`"`)) {
				t.Errorf("%s: %d %s; want %d on %q", c.who, code, body, c.code, c.field)
			}
		}

		const whyW, basisW = "经复核，运营者已在责令期限内改正，违法事实不能成立", "《中华人民共和国行政处罚法》第五十七条第一款第（三）项"
		const whyC, basisC = "罚款已缴清，整改已验收", "《中华人民共和国行政处罚法》第六十七条"
		var got receivedCase
		code, body := call(t, admin, "POST", path(first, "withdraw"), map[string]any{"reason": whyW, "basis": basisW}, &got)
		mustStatus(t, "withdraw", code, 200, body)
		if got.State != "withdrawn" || got.EndReason != whyW || got.EndBasis != basisW || got.EndedAt == "" {
			t.Errorf("withdrawn: %+v", got)
		}
		code, body = call(t, admin, "POST", path(second, "close"), map[string]any{"reason": whyC, "basis": basisC}, &got)
		mustStatus(t, "close", code, 200, body)
		again := map[string]any{"reason": "再次", "basis": "再次"}
		for _, c := range []struct {
			method, path string
			body         map[string]any
		}{{"POST", path(first, "close"), again}, {"POST", path(second, "withdraw"), again}, {"PUT", path(second, "decision"), map[string]any{"decision": "改为警告"}}} {
			if code, body := call(t, admin, c.method, c.path, c.body, nil); code != 409 {
				t.Errorf("%s %s on an ended case: %d %s; want 409", c.method, c.path, code, body)
			}
		}

		var mine struct{ Cases []receivedCase }
		call(t, grid, "GET", "/api/v1/filings/cases", nil, &mine)
		byID := map[int64]receivedCase{}
		for _, c := range mine.Cases {
			byID[c.ID] = c
		}
		if c := byID[first]; c.State != "withdrawn" || c.EndReason != whyW || c.EndBasis != basisW {
			t.Errorf("the operator reads the withdrawn case as %+v", c)
		}
		if c := byID[second]; c.State != "closed" || c.EndReason != whyC || c.EndBasis != basisC || c.Decision != "责令改正，并处罚款二十万元。" {
			t.Errorf("the operator reads the closed case as %+v", c)
		}
		_, page := grid.Do("GET", "/filings", nil, map[string]string{"Accept-Language": "zh-CN"})
		for _, w := range []string{whyW, basisC, "已撤销", "已结案"} {
			if !strings.Contains(page, w) {
				t.Errorf("the operator's page lacks %q", w)
			}
		}
		var theirs struct{ Cases []receivedCase }
		call(t, env.Login(t, "security@water.demo"), "GET", "/api/v1/filings/cases", nil, &theirs)
		for _, c := range theirs.Cases {
			if c.ID == first || c.ID == second {
				t.Errorf("the water company reads the grid's case %d", c.ID)
			}
		}
		for side, c := range map[string]*apptest.Client{"regulator": admin, "operator": env.Login(t, "admin@grid.demo")} {
			_, body := c.Do("GET", "/api/v1/audit?limit=500", nil, nil)
			for _, a := range []string{`"case_withdrawn"`, `"case_closed"`} {
				if n := strings.Count(body, a); n != 1 {
					t.Errorf("the %s's trail holds %s %d times; want once", side, a, n)
				}
			}
		}
	})
}

// otherAdmin creates another regulator organisation (another sector and region) with an
// administrator, and returns the administrator's client.
func otherAdmin(t *testing.T, env *apptest.Env) *apptest.Client {
	t.Helper()
	ctx := context.Background()
	o, err := env.App.Auth.CreateOrg(ctx, auth.Org{Kind: auth.Regulator, NameZH: "示例金融监管局（案件测试）", NameEN: "Example Finance Regulator (case test)"})
	if err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("admin%d@finance-regulator.test", o.ID)
	if _, err := env.App.Auth.CreateUser(ctx, auth.NewUser{OrgID: o.ID, Email: email, Name: "测试", Role: auth.RegulatorAdmin, PasswordHash: apptest.DemoPasswordHash()}); err != nil {
		t.Fatal(err)
	}
	return env.Login(t, email)
}
