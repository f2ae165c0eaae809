package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/frameworks"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/web"
)

// demoEmail maps each role to its demo login.
var demoEmail = map[auth.Role]string{
	auth.Admin: "admin@grid.demo", auth.SecurityManager: "security@grid.demo", auth.SystemOwner: "owner@grid.demo",
	auth.Analyst: "analyst@grid.demo", auth.Auditor: "auditor@grid.demo", auth.RegulatorAdmin: "admin@regulator.demo",
	auth.RegulatorAnalyst: "analyst@regulator.demo", auth.Inspector: "inspector@regulator.demo", auth.SupplierUser: "user@supplier.demo",
}

var wildcard = regexp.MustCompile(`\{[a-zA-Z_]+\}`)

// concrete turns a route pattern into a requestable path.
func concrete(p string) string {
	p = strings.ReplaceAll(p, "{$}", "")
	if strings.HasSuffix(p, "/") && p != "/" {
		p += "app.css"
	}
	return wildcard.ReplaceAllString(p, "1")
}

// TestPermissionMatrix walks every registered route as every role and checks the answer
// against the one permission table: refused exactly when the table says so.
func TestPermissionMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		clients := map[auth.Role]*apptest.Client{}
		for _, r := range auth.AllRoles() {
			clients[r] = env.Login(t, demoEmail[r])
		}
		anon := env.NewClient(t)
		routes := env.App.Web.Routes()
		if len(routes) < 10 {
			t.Fatalf("only %d routes registered", len(routes))
		}
		for _, rt := range routes {
			if rt.Perm == auth.Public || rt.Path == "/logout" {
				continue // the sign-in pages and public probes; logout is tested on its own
			}
			path := concrete(rt.Path)
			send := func(c *apptest.Client) *http.Response {
				if rt.Method == "GET" {
					res, _ := c.Do("GET", path, nil, nil)
					return res
				}
				if rt.API {
					res, _ := c.Do(rt.Method, path, nil, map[string]string{"Content-Type": "application/json", "X-CSRF-Token": c.CSRF}, "{}")
					return res
				}
				res, _ := c.Do(rt.Method, path, url.Values{}, nil)
				return res
			}
			if res := send(anon); res.StatusCode != http.StatusUnauthorized && !(res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login")) {
				t.Errorf("%s %s anonymous: status %d, want 401 or a redirect to sign in", rt.Method, path, res.StatusCode)
			}
			start := time.Now()
			for _, role := range auth.AllRoles() {
				res := send(clients[role])
				allowed := auth.Allowed(role, rt.Perm)
				refused := res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized ||
					(res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login"))
				if allowed == refused {
					t.Errorf("%s %s as %s: status %d, table says allowed=%v (%s)", rt.Method, path, role, res.StatusCode, allowed, rt.Perm)
				}
			}
			if d := time.Since(start); d > time.Second && testing.Verbose() {
				t.Logf("slow route %s %s: %v for all roles", rt.Method, path, d)
			}
		}
	})
}

// TestOtherOrganisationsRecordsAreNotFound checks that asking for another organisation's
// record by id answers 404, never 403, in pages and the API.
func TestOtherOrganisationsRecordsAreNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		ctx := context.Background()
		reg, err := env.App.Auth.UserByEmail(ctx, demoEmail[auth.RegulatorAdmin])
		if err != nil {
			t.Fatal(err)
		}
		regP := auth.Principal{User: reg, Role: reg.Role}
		regP.Org, _ = env.App.Auth.GetOrg(ctx, reg.OrgID)
		_, tok, err := env.App.Auth.CreateToken(store.WithOrg(ctx, reg.OrgID), regP, "scraper", auth.RegulatorAdmin)
		if err != nil {
			t.Fatal(err)
		}
		// A framework with a mapping in the other organisation, put there through the
		// service (regulators cannot upload one over HTTP).
		var fw *frameworks.Module
		for _, m := range env.App.Modules {
			if f, ok := m.(*frameworks.Module); ok {
				fw = f
			}
		}
		regCtx := store.WithOrg(ctx, reg.OrgID)
		if _, err := fw.Import(regCtx, "REG-FW", "file", []byte(`{"catalog":{"metadata":{"title":"Regulator's"},"controls":[{"id":"r-1","title":"R"}]}}`)); err != nil {
			t.Fatal(err)
		}
		if _, err := fw.AddMapping(regCtx, "REG-FW", frameworks.NewMapping{ControlID: "r-1", ObligationID: "CSL-LOG-RETENTION", Relation: "subset"}); err != nil {
			t.Fatal(err)
		}
		op := env.Login(t, demoEmail[auth.Admin])
		cases := []struct{ method, path string }{
			{"GET", "/frameworks/REG-FW"},
			{"POST", "/frameworks/REG-FW/delete"},
			{"POST", "/frameworks/REG-FW/mappings"},
			{"POST", "/frameworks/REG-FW/mappings/delete"},
			{"GET", "/api/v1/frameworks/REG-FW"},
			{"GET", "/api/v1/frameworks/REG-FW/mappings"},
			{"GET", "/api/v1/frameworks/REG-FW/coverage"},
			{"POST", "/api/v1/frameworks/REG-FW/mappings"},
			{"DELETE", "/api/v1/frameworks/REG-FW/mappings/r-1/CSL-LOG-RETENTION"},
			{"DELETE", "/api/v1/frameworks/REG-FW"},
			{"GET", "/users/" + itoa(reg.ID)},
			{"POST", "/users/" + itoa(reg.ID)},
			{"GET", "/api/v1/users/" + itoa(reg.ID)},
			{"PATCH", "/api/v1/users/" + itoa(reg.ID)},
			{"POST", "/tokens/" + itoa(tok.ID) + "/revoke"},
			{"DELETE", "/api/v1/tokens/" + itoa(tok.ID)},
			{"GET", "/users/999999"},
			{"GET", "/users/not-a-number"},
		}
		for _, c := range cases {
			var res *http.Response
			switch {
			case strings.HasPrefix(c.path, "/api/") && c.method != "GET":
				res, _ = op.Do(c.method, c.path, nil, map[string]string{"Content-Type": "application/json", "X-CSRF-Token": op.CSRF}, `{"name":"x"}`)
			case c.method == "POST":
				res, _ = op.Do(c.method, c.path, url.Values{"name": {"x"}, "role": {"admin"}}, nil)
			default:
				res, _ = op.Do(c.method, c.path, nil, nil)
			}
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s across organisations: status %d, want 404", c.method, c.path, res.StatusCode)
			}
		}
		// And nothing changed: the regulator's user and token are as they were.
		after, _ := env.App.Auth.UserByEmail(ctx, demoEmail[auth.RegulatorAdmin])
		toks, _ := env.App.Auth.ListTokens(store.WithOrg(ctx, reg.OrgID))
		if after.Name != reg.Name || len(toks) != 1 || toks[0].RevokedAt != nil {
			t.Fatalf("another organisation's records changed: %+v %+v", after, toks)
		}
		if ms, err := fw.Mappings(regCtx, "REG-FW"); err != nil || len(ms) != 1 {
			t.Fatalf("another organisation's framework changed: %+v %v", ms, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCSRFIsRequiredOnForms(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, demoEmail[auth.Admin])
	res, _ := c.Do("POST", "/users", url.Values{"_csrf": {"forged"}, "email": {"x@grid.demo"}, "name": {"X"}, "role": {"analyst"}, "password": {"long-enough-password"}}, nil)
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged CSRF token: status %d, want 403", res.StatusCode)
	}
	if _, err := env.App.Auth.UserByEmail(context.Background(), "x@grid.demo"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the forged request created a user: %v", err)
	}
	res, _ = c.Do("POST", "/users", url.Values{"email": {"x@grid.demo"}, "name": {"X"}, "role": {"analyst"}, "password": {"long-enough-password"}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("with the session's CSRF token: status %d, want 303", res.StatusCode)
	}
}

func TestFormShowsFieldErrors(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, demoEmail[auth.Admin])
	res, body := c.Do("POST", "/users", url.Values{"email": {"not-an-email"}, "name": {""}, "role": {"inspector"}, "password": {"short"}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.StatusCode)
	}
	for _, want := range []string{"is not a valid e-mail address", "is required", "at least 12 characters", "is not a role of a operator organisation"} {
		if !strings.Contains(body, want) {
			t.Errorf("form does not show %q", want)
		}
	}
}

func TestLoginRateLimitAndLogout(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.NewClient(t)
	var last int
	for i := 0; i < auth.FreeFailures+1; i++ {
		_, body := c.Do("GET", "/login", nil, nil)
		tok := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(body)[1]
		res, _ := c.Do("POST", "/login", url.Values{"_csrf": {tok}, "email": {demoEmail[auth.Analyst]}, "password": {"wrong-password-123"}}, nil)
		last = res.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("after %d failures the next attempt got %d, want 429", auth.FreeFailures, last)
	}

	s := env.Login(t, demoEmail[auth.Auditor])
	if res, _ := s.Do("GET", "/audit", nil, nil); res.StatusCode != 200 {
		t.Fatalf("auditor reading the audit trail: %d", res.StatusCode)
	}
	u, _ := url.Parse(env.URL)
	old := s.HTTP.Jar.Cookies(u)
	if res, _ := s.Do("POST", "/logout", url.Values{}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	// Replaying the old cookie must not work: the session is gone server-side.
	s.HTTP.Jar.SetCookies(u, old)
	if res, _ := s.Do("GET", "/audit", nil, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session cookie after logout: %d, want a redirect to sign in", res.StatusCode)
	}
}

func TestAPITokenLifecycle(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, demoEmail[auth.Admin])
	res, body := c.Do("POST", "/api/v1/tokens", nil, map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}, `{"name":"ci","role":"auditor"}`)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create token: %d %s", res.StatusCode, body)
	}
	var created struct {
		Token  string     `json:"token"`
		Record auth.Token `json:"record"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil || !strings.HasPrefix(created.Token, "cgt_") {
		t.Fatalf("token answer %s: %v", body, err)
	}
	bearer := env.NewClient(t)
	bh := map[string]string{"Authorization": "Bearer " + created.Token}
	if res, body := bearer.Do("GET", "/api/v1/me", nil, bh); res.StatusCode != 200 || !strings.Contains(body, `"role": "auditor"`) {
		t.Fatalf("token as auditor: %d %s", res.StatusCode, body)
	}
	if res, _ := bearer.Do("GET", "/api/v1/users", nil, bh); res.StatusCode != http.StatusForbidden {
		t.Fatalf("an auditor-scoped token listing users: %d, want 403", res.StatusCode)
	}
	if res, _ := bearer.Do("GET", "/users", nil, bh); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bearer tokens are for the API only; a page answered %d", res.StatusCode)
	}
	if res, _ := c.Do("DELETE", "/api/v1/tokens/"+itoa(created.Record.ID), nil, map[string]string{"X-CSRF-Token": c.CSRF}); res.StatusCode != 200 {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if res, body := bearer.Do("GET", "/api/v1/me", nil, bh); res.StatusCode != http.StatusUnauthorized || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("revoked token: %d %s", res.StatusCode, body)
	}
	// A token can never be wider than its user.
	a := env.Login(t, demoEmail[auth.SecurityManager])
	if res, body := a.Do("POST", "/api/v1/tokens", nil, map[string]string{"X-CSRF-Token": a.CSRF}, `{"name":"x","role":"admin"}`); res.StatusCode != 400 || !strings.Contains(body, `"field":"role"`) {
		t.Fatalf("security manager minting an admin token: %d %s", res.StatusCode, body)
	}
}

func TestAPIErrorsNameTheField(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, demoEmail[auth.Admin])
	h := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}
	cases := []struct {
		body, field string
		code        int
	}{
		{`{"email":"a@b.demo","name":"A","role":"admin","password":"x"}`, "password", 400},
		{`{"email":"a@b.demo","name":"A","role":"admin","password":123}`, "password", 400},
		{`{"email":"a@b.demo","nmae":"A"}`, "nmae", 400},
		{`{"email":`, "body", 400},
		{`{"email":"admin@grid.demo","name":"A","role":"admin","password":"long-enough-pass"}`, "email", 409},
		{`{"name":"` + strings.Repeat("x", web.MaxBody) + `"}`, "body", 413},
	}
	for _, tc := range cases {
		res, body := c.Do("POST", "/api/v1/users", nil, h, tc.body)
		var p web.Problem
		_ = json.Unmarshal([]byte(body), &p)
		if res.StatusCode != tc.code || res.Header.Get("Content-Type") != "application/problem+json" || len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
			t.Errorf("body %.40q: %d %s, want %d naming %q", tc.body, res.StatusCode, body, tc.code, tc.field)
		}
	}
}

// TestOpenAPIMatchesRoutes checks the served OpenAPI document against the API routes
// actually registered, both ways.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	res, body := env.NewClient(t).Do("GET", "/api/openapi.json", nil, nil)
	if res.StatusCode != 200 {
		t.Fatalf("openapi.json: %d", res.StatusCode)
	}
	var doc struct {
		OpenAPI string                            `json:"openapi"`
		Paths   map[string]map[string]interface{} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("document: %v, version %q", err, doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m, op := range ops {
			if m == "parameters" {
				continue
			}
			documented[strings.ToUpper(m)+" "+p] = true
			if o, ok := op.(map[string]any); !ok || o["responses"] == nil || o["summary"] == nil {
				t.Errorf("%s %s has no summary or responses", m, p)
			}
		}
	}
	registered := map[string]bool{}
	for _, rt := range env.App.Web.Routes() {
		if rt.API {
			registered[rt.Method+" "+rt.Path] = true
		}
	}
	var missing, extra []string
	for k := range registered {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !registered[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("OpenAPI out of step with the router:\n registered, not documented: %v\n documented, not registered: %v", missing, extra)
	}
}

var missingKey = regexp.MustCompile(`\[[a-z_]+\.[a-z0-9_.]+\]`)

// TestMessagesComplete fails when a UI message exists in one language and not the other,
// or when a page shows a key that has no message.
func TestMessagesComplete(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	if miss := env.App.Web.Messages.Missing(); len(miss) > 0 {
		t.Fatalf("messages missing:\n%s", strings.Join(miss, "\n"))
	}
	for _, role := range []auth.Role{auth.Admin, auth.RegulatorAdmin, auth.SupplierUser, auth.Auditor} {
		c := env.Login(t, demoEmail[role])
		for _, lang := range web.Langs {
			if res, _ := c.Do("POST", "/lang", url.Values{"lang": {lang}}, nil); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("switch to %s: %d", lang, res.StatusCode)
			}
			for _, rt := range env.App.Web.Routes() {
				if rt.API || rt.Method != "GET" || strings.Contains(rt.Path, "{") || !auth.Allowed(role, rt.Perm) || rt.Perm == auth.Public {
					continue
				}
				res, body := c.Do("GET", concrete(rt.Path), nil, nil)
				if res.StatusCode != 200 {
					t.Errorf("%s as %s in %s: %d", rt.Path, role, lang, res.StatusCode)
					continue
				}
				if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
					continue
				}
				if !strings.Contains(body, `<html lang="`+lang+`">`) {
					t.Errorf("%s in %s: lang attribute not set", rt.Path, lang)
				}
				if k := missingKey.FindString(body); k != "" {
					t.Errorf("%s as %s in %s shows a key without a message: %s", rt.Path, role, lang, k)
				}
			}
		}
	}
}

func TestFirstVisitFollowsAcceptLanguage(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.NewClient(t)
	for accept, want := range map[string]string{"zh-CN,zh;q=0.9,en;q=0.8": "登录", "en-GB,en;q=0.9": "Sign in", "fr-FR": "Sign in", "zh-TW": "登录"} {
		_, body := c.Do("GET", "/login", nil, map[string]string{"Accept-Language": accept})
		if !strings.Contains(body, "<h1>"+want) {
			t.Errorf("Accept-Language %q: login page not in the expected language (%s)", accept, want)
		}
	}
}

// TestAuditTrailDetectsTampering edits and removes rows behind the program's back and
// checks that verify names the entry where the chain breaks.
func TestAuditTrailDetectsTampering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		ctx := context.Background()
		n, err := audit.Verify(ctx, env.App.DB)
		if err != nil || n < 10 {
			t.Fatalf("fresh trail: %d entries, %v", n, err)
		}
		exec := func(q string, args ...any) {
			if _, err := env.App.DB.SQL().ExecContext(ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
		var actor string
		if err := env.App.DB.SQL().QueryRowContext(ctx, `SELECT actor FROM audit_log WHERE seq = 5`).Scan(&actor); err != nil {
			t.Fatal(err)
		}
		exec(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 5`)
		_, err = audit.Verify(ctx, env.App.DB)
		var b *audit.Break
		if !errors.As(err, &b) || b.Seq != 5 {
			t.Fatalf("after editing entry 5 verify said %v, want a break at 5", err)
		}
		exec(`UPDATE audit_log SET actor = $1 WHERE seq = 5`, actor)
		if _, err := audit.Verify(ctx, env.App.DB); err != nil {
			t.Fatalf("restored entry: %v", err)
		}
		exec(`DELETE FROM audit_log WHERE seq = 3`)
		if _, err := audit.Verify(ctx, env.App.DB); !errors.As(err, &b) || b.Seq != 3 {
			t.Fatalf("after deleting entry 3 verify said %v, want a break at 3", err)
		}
	})
}

func TestEveryChangeIsAudited(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, demoEmail[auth.Admin])
	c.Do("POST", "/users", url.Values{"email": {"new@grid.demo"}, "name": {"New"}, "role": {"analyst"}, "password": {"long-enough-password"}}, nil)
	_, body := c.Do("GET", "/api/v1/audit", nil, nil)
	var out struct{ Entries []audit.Entry }
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Entries) == 0 {
		t.Fatalf("audit API: %v %s", err, body)
	}
	e := out.Entries[0]
	if e.Entity != "user" || e.Action != audit.Create || !strings.HasPrefix(e.Actor, "admin@grid.demo") || e.AfterSHA256 == "" || e.BeforeSHA256 != "" {
		t.Fatalf("newest entry %+v is not the user creation by the admin", e)
	}
}
