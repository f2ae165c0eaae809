package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"ciiguard/internal/app"
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
	auth.Operations: "ops@ciiguard.demo",
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

// goldenPermissions is the reviewed permission table: for every route and every role,
// whether the role is let through (allowed) or refused (denied). It is written and
// reviewed by hand against what each role is for (PRODUCT.md, README "Roles"); the test
// below checks the running server against it, so a wrong grant in code fails here.
const goldenPermissions = "testdata/permissions.golden"

// matrixRoles are the columns of the golden table: every user role, signed in through
// the login form, and the token-only log_sender role, calling with its source's token.
func matrixRoles() []auth.Role { return append(auth.AllRoles(), auth.LogSender) }

// readGolden parses the golden table: "METHOD PATH ROLE allowed|denied" per line.
func readGolden(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(goldenPermissions)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for i, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) != 4 || (f[3] != "allowed" && f[3] != "denied") {
			t.Fatalf("%s:%d: want METHOD PATH ROLE allowed|denied, got %q", goldenPermissions, i+1, line)
		}
		k := f[0] + " " + f[1] + " " + f[2]
		if _, dup := out[k]; dup {
			t.Fatalf("%s:%d: %s is listed twice", goldenPermissions, i+1, k)
		}
		out[k] = f[3]
	}
	return out
}

// TestPermissionMatrix walks every registered route as every role and compares the answer
// (refused: 401, 403 or the redirect to sign in; anything else: let through) with the
// reviewed golden table, line by line, in both directions. A route's requests (anonymous
// and one per role) go out together and the next route waits for all of them, so the walk
// keeps its route order while the server answers the roles concurrently. It runs on SQLite
// only: whether a role is let through is decided before any record is read (the route's
// permission, then the handler's own role checks), the same on both engines, and the walk
// is 8,000 requests, about 20 s per engine (its wall time in a run of internal/app alone).
// The tenancy of what is let through is tested on both engines
// (TestOtherOrganisationsRecordsAreNotFound and each capability's cross-tenant tests).
func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	checkPermissionMatrix(t, store.SQLite, readGolden(t))
}

// matrixCaller is one column of the permission matrix: a client and the headers it sends.
type matrixCaller struct {
	c   *apptest.Client
	hdr map[string]string
}

// matrixAnswer is what one request of the matrix got back.
type matrixAnswer struct {
	status   int
	location string
	err      error
}

// refused reports whether the answer turns the caller away: 401, 403 or a redirect to sign in.
func (a matrixAnswer) refused() bool {
	return a.status == http.StatusForbidden || a.status == http.StatusUnauthorized ||
		(a.status == http.StatusSeeOther && strings.HasPrefix(a.location, "/login"))
}

// sendMatrix requests route rt at path as caller c, with an empty body for writes, and
// closes the answer unread (a log export bundle would otherwise stream for nothing). It
// returns errors rather than failing the test because it runs on its own goroutine.
func sendMatrix(c matrixCaller, rt web.Route, path string) matrixAnswer {
	var body io.Reader
	hdr := map[string]string{}
	for k, v := range c.hdr {
		hdr[k] = v
	}
	switch {
	case rt.Method == "GET":
	case rt.API:
		hdr["Content-Type"] = "application/json"
		body = strings.NewReader("{}")
	default:
		delete(hdr, "X-CSRF-Token") // a form carries its token in the body
		hdr["Content-Type"] = "application/x-www-form-urlencoded"
		body = strings.NewReader(url.Values{"_csrf": {c.c.CSRF}}.Encode())
	}
	req, err := http.NewRequest(rt.Method, c.c.Base+path, body)
	if err != nil {
		return matrixAnswer{err: err}
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.c.HTTP.Do(req)
	if err != nil {
		return matrixAnswer{err: fmt.Errorf("%s %s: %w", rt.Method, path, err)}
	}
	res.Body.Close()
	return matrixAnswer{status: res.StatusCode, location: res.Header.Get("Location")}
}

func checkPermissionMatrix(t *testing.T, d store.Dialect, golden map[string]string) {
	env := apptest.Start(t, d)
	roles := matrixRoles()
	callers := make([]matrixCaller, len(roles))
	for i, r := range roles {
		if r == auth.LogSender {
			continue
		}
		c := env.Login(t, demoEmail[r])
		callers[i] = matrixCaller{c, map[string]string{"X-CSRF-Token": c.CSRF}}
	}
	admin := env.Login(t, demoEmail[auth.Admin])
	res, body := admin.Do("POST", "/api/v1/vault/sources", nil, jsonHdr(admin), `{"name":"matrix-sender","kind":"http"}`)
	var src struct{ Token string }
	if err := json.Unmarshal([]byte(body), &src); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("log source for the log_sender column: %d %s", res.StatusCode, body)
	}
	for i, r := range roles {
		if r == auth.LogSender {
			callers[i] = matrixCaller{env.NewClient(t), map[string]string{"Authorization": "Bearer " + src.Token}}
		}
	}
	anon := matrixCaller{env.NewClient(t), nil}
	routes := env.App.Web.Routes()
	if len(routes) < 10 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	observed := map[string]string{}
	for _, rt := range routes {
		if rt.Perm == auth.Public || rt.Path == "/logout" {
			continue // the sign-in pages and public probes; logout is tested on its own
		}
		path := concrete(rt.Path)
		if rt.API && strings.HasSuffix(rt.Path, "/") {
			// A TAXII path ends in "/" by protocol (TAXII 2.1 §3.1), not as a file
			// subtree: "collections/app.css" would be redirected to "collections/app.css/".
			path = wildcard.ReplaceAllString(rt.Path, "1")
		}
		answers := make([]matrixAnswer, len(callers)+1)
		var wg sync.WaitGroup
		for i, c := range append([]matrixCaller{anon}, callers...) {
			wg.Go(func() { answers[i] = sendMatrix(c, rt, path) })
		}
		wg.Wait()
		for _, a := range answers {
			if a.err != nil {
				t.Fatal(a.err)
			}
		}
		if a := answers[0]; a.status != http.StatusUnauthorized && !(a.status == http.StatusSeeOther && strings.HasPrefix(a.location, "/login")) {
			t.Errorf("%s %s anonymous: status %d, want 401 or a redirect to sign in", rt.Method, path, a.status)
		}
		for i, role := range roles {
			answer := "allowed"
			if answers[i+1].refused() {
				answer = "denied"
			}
			observed[rt.Method+" "+rt.Path+" "+string(role)] = answer
		}
	}
	var diff []string
	for k, got := range observed {
		want, ok := golden[k]
		switch {
		case !ok:
			diff = append(diff, fmt.Sprintf("not in the golden table (review, then add): %s %s", k, got))
		case want != got:
			diff = append(diff, fmt.Sprintf("%s: server says %s, golden table says %s", k, got, want))
		}
	}
	for k := range golden {
		if _, ok := observed[k]; !ok {
			diff = append(diff, "in the golden table but no such route or role: "+k)
		}
	}
	sort.Strings(diff)
	if len(diff) > 0 {
		t.Fatalf("the server's permissions differ from %s in %d lines:\n%s", goldenPermissions, len(diff), strings.Join(diff, "\n"))
	}
}

// TestOtherOrganisationsRecordsAreNotFound checks that asking for another organisation's
// record by id answers 404, never 403, in pages and the API. The one asking is the second
// demo operator's administrator, who holds every operator permission in its own
// organisation, so a 403 could only come from a missing tenancy check answered as a
// permission problem.
func TestOtherOrganisationsRecordsAreNotFound(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		ctx := context.Background()
		grid := env.Login(t, demoEmail[auth.Admin])
		victim, err := env.App.Auth.UserByEmail(ctx, demoEmail[auth.Analyst])
		if err != nil {
			t.Fatal(err)
		}
		_, tok := mintToken(t, grid, "scraper", auth.Auditor)
		gctx := store.WithOrg(ctx, victim.OrgID)
		var fw *frameworks.Module
		for _, m := range env.App.Modules {
			if f, ok := m.(*frameworks.Module); ok {
				fw = f
			}
		}
		mappings, err := fw.Mappings(gctx, frameworks.DemoFramework)
		if err != nil || len(mappings) == 0 {
			t.Fatalf("demo framework mappings: %d %v", len(mappings), err)
		}
		var systems struct {
			Systems []struct {
				ID    int64  `json:"id"`
				Owner string `json:"owner"`
			} `json:"systems"`
		}
		_, body := grid.Do("GET", "/api/v1/scope/systems", nil, nil)
		if err := json.Unmarshal([]byte(body), &systems); err != nil || len(systems.Systems) == 0 {
			t.Fatalf("demo systems: %v %.200s", err, body)
		}
		sys := itoa(systems.Systems[0].ID)
		res, body := grid.Do("POST", "/api/v1/vault/sources", nil, jsonHdr(grid), `{"name":"grid-feed","kind":"http"}`)
		var src struct {
			Source struct{ ID int64 } `json:"source"`
		}
		if err := json.Unmarshal([]byte(body), &src); err != nil || res.StatusCode != http.StatusCreated || src.Source.ID == 0 {
			t.Fatalf("grid log source: %d %s", res.StatusCode, body)
		}
		srcID := itoa(src.Source.ID)
		res, body = grid.Do("POST", "/api/v1/evidence?name=plan.txt", nil, map[string]string{"X-CSRF-Token": grid.CSRF, "Content-Type": "text/plain"}, "grid incident response plan\n")
		var ev struct{ SHA256 string }
		if err := json.Unmarshal([]byte(body), &ev); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("grid evidence: %d %s", res.StatusCode, body)
		}

		water := env.Login(t, app.OtherOperatorEmail(auth.Admin))
		fwid := frameworks.DemoFramework
		m0 := mappings[0]
		cases := []struct{ method, path string }{
			{"GET", "/frameworks/" + fwid},
			{"POST", "/frameworks/" + fwid + "/delete"},
			{"POST", "/frameworks/" + fwid + "/mappings"},
			{"POST", "/frameworks/" + fwid + "/mappings/delete"},
			{"GET", "/api/v1/frameworks/" + fwid},
			{"GET", "/api/v1/frameworks/" + fwid + "/mappings"},
			{"GET", "/api/v1/frameworks/" + fwid + "/coverage"},
			{"POST", "/api/v1/frameworks/" + fwid + "/mappings"},
			{"DELETE", "/api/v1/frameworks/" + fwid + "/mappings/" + m0.ControlID + "/" + m0.ObligationID},
			{"DELETE", "/api/v1/frameworks/" + fwid},
			{"GET", "/users/" + itoa(victim.ID)},
			{"POST", "/users/" + itoa(victim.ID)},
			{"GET", "/api/v1/users/" + itoa(victim.ID)},
			{"PATCH", "/api/v1/users/" + itoa(victim.ID)},
			{"POST", "/tokens/" + itoa(tok.ID) + "/revoke"},
			{"DELETE", "/api/v1/tokens/" + itoa(tok.ID)},
			{"GET", "/scope/systems/" + sys},
			{"POST", "/scope/systems/" + sys + "/delete"},
			{"GET", "/api/v1/scope/systems/" + sys},
			{"PATCH", "/api/v1/scope/systems/" + sys},
			{"DELETE", "/api/v1/scope/systems/" + sys},
			{"POST", "/vault/sources/" + srcID + "/delete"},
			{"DELETE", "/api/v1/vault/sources/" + srcID},
			{"GET", "/evidence/" + ev.SHA256},
			{"GET", "/api/v1/evidence/" + ev.SHA256},
			{"GET", "/users/999999"},
			{"GET", "/users/not-a-number"},
		}
		for _, c := range cases {
			var res *http.Response
			switch {
			case strings.HasPrefix(c.path, "/api/") && c.method != "GET":
				body := `{"name":"x"}`
				if strings.Contains(c.path, "/scope/") {
					body = `{"owner":"x"}`
				} else if strings.Contains(c.path, "/mappings") {
					body = `{"control_id":"` + m0.ControlID + `","obligation_id":"` + m0.ObligationID + `","relation":"subset"}`
				}
				res, _ = water.Do(c.method, c.path, nil, jsonHdr(water), body)
			case c.method == "POST":
				res, _ = water.Do(c.method, c.path, url.Values{"name": {"x"}, "role": {"admin"}}, nil)
			default:
				res, _ = water.Do(c.method, c.path, nil, nil)
			}
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s from the other operator's administrator: status %d, want 404", c.method, c.path, res.StatusCode)
			}
		}
		// And nothing changed in the grid organisation.
		after, _ := env.App.Auth.UserByEmail(ctx, demoEmail[auth.Analyst])
		if after != victim {
			t.Errorf("another organisation's user changed: %+v, was %+v", after, victim)
		}
		toks, _, _ := env.App.Auth.ListTokensPage(gctx, store.Page{Limit: 1000})
		for _, tk := range toks {
			if tk.ID == tok.ID && tk.RevokedAt != nil {
				t.Errorf("another organisation revoked token %d", tok.ID)
			}
		}
		if ms, err := fw.Mappings(gctx, fwid); err != nil || len(ms) != len(mappings) {
			t.Errorf("another organisation's framework changed: %d mappings, was %d (%v)", len(ms), len(mappings), err)
		}
		if res, body := grid.Do("GET", "/api/v1/scope/systems/"+sys, nil, nil); res.StatusCode != 200 || !strings.Contains(body, `"owner": "`+systems.Systems[0].Owner+`"`) {
			t.Errorf("another organisation changed system %s: %d %.300s", sys, res.StatusCode, body)
		}
		if _, body := grid.Do("GET", "/api/v1/vault/sources", nil, nil); !strings.Contains(body, "grid-feed") {
			t.Errorf("another organisation removed the log source: %.300s", body)
		}
		if res, _ := grid.Do("GET", "/api/v1/evidence/"+ev.SHA256, nil, nil); res.StatusCode != 200 {
			t.Errorf("grid's own evidence: %d", res.StatusCode)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCSRFIsRequiredOnForms(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
