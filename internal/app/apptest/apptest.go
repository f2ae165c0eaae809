// Package apptest runs a whole ciiguard installation for tests: the real store (SQLite or
// PostgreSQL), every module, the demo data and the real HTTP server on loopback, with
// clients that sign in the way a browser does.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// Env is a running installation seeded with the demo data.
type Env struct {
	App *app.App
	URL string
}

// Options change the installation Start makes.
type Options struct {
	// Modules are the installation's capabilities; nil means app.Modules(). A custom set
	// is migrated and seeded afresh instead of copied from the shared seeded template.
	Modules []kernel.Module
	// ProductionPasswordCost keeps the demo users' passwords hashed at production's
	// argon2id cost. Without it they are hashed at the lowest cost the verifier accepts,
	// so that signing in costs a millisecond; tests whose subject is the cost or the
	// timing of the password check itself (parallel sign-in attacks, memory under
	// failed sign-ins) set it.
	ProductionPasswordCost bool
}

// Start opens an installation on engine d, seeded with the demo, and serves it on
// loopback. The installation is the test's own: a copy of a seeded template made once per
// test binary and engine (see template.go).
func Start(t testing.TB, d store.Dialect) *Env {
	t.Helper()
	return StartOptions(t, d, Options{})
}

// StartWith is Start with the given modules (nil: app.Modules()).
func StartWith(t testing.TB, d store.Dialect, mods []kernel.Module) *Env {
	t.Helper()
	return StartOptions(t, d, Options{Modules: mods})
}

// StartOptions is Start with options.
func StartOptions(t testing.TB, d store.Dialect, o Options) *Env {
	t.Helper()
	storetest.Require(t, d)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&tlog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx := context.Background()
	cfg := app.Config{Data: t.TempDir(), Modules: o.Modules}
	if o.Modules == nil {
		tpl := templateFor(d)
		if tpl.err != nil {
			t.Fatalf("seeded %s template: %v", d, tpl.err)
		}
		dsn, err := tpl.copyTo(t, cfg.Data)
		if err != nil {
			t.Fatal(err)
		}
		cfg.DB = dsn
	} else {
		cfg.DB = storetest.DSN(t, d)
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	if o.Modules != nil {
		if _, err := a.SeedDemo(ctx); err != nil {
			a.Close()
			t.Fatalf("seed demo: %v", err)
		}
	}
	srv := httptest.NewServer(a.Web)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	if !o.ProductionPasswordCost {
		// Every user of a fresh installation is a demo user with the demo password.
		if _, err := a.DB.SQL().ExecContext(ctx, `UPDATE users SET password_hash = $1`, cheapDemoHash); err != nil {
			t.Fatalf("cheap demo password hash: %v", err)
		}
	}
	return &Env{App: a, URL: srv.URL}
}

type tlog struct{ t testing.TB }

func (l *tlog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// Client is a browser-like client: a cookie jar, no automatic redirects.
type Client struct {
	T    testing.TB
	Base string
	HTTP *http.Client
	CSRF string
}

// NewClient returns a client with no session.
func (e *Env) NewClient(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{T: t, Base: e.URL, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// Login signs in with the demo password through the login form and remembers the
// session's CSRF token.
func (e *Env) Login(t testing.TB, email string) *Client {
	t.Helper()
	c := e.NewClient(t)
	res, body := c.Do("GET", "/login", nil, nil)
	m := csrfField.FindStringSubmatch(body)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("login page: %d, no form token", res.StatusCode)
	}
	res, _ = c.Do("POST", "/login", url.Values{"_csrf": {m[1]}, "email": {email}, "password": {app.DemoPassword}, "next": {"/"}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d", email, res.StatusCode)
	}
	_, body = c.Do("GET", "/", nil, nil)
	m = csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("signed in as %s but the dashboard has no CSRF token", email)
	}
	c.CSRF = m[1]
	return c
}

// Do sends a request: form values as a form post (with the session's CSRF token added
// unless the form sets _csrf), or a raw body with the given headers.
func (c *Client) Do(method, path string, form url.Values, hdr map[string]string, body ...string) (*http.Response, string) {
	c.T.Helper()
	var rd io.Reader
	if form != nil {
		if form.Get("_csrf") == "" && c.CSRF != "" {
			form.Set("_csrf", c.CSRF)
		}
		rd = strings.NewReader(form.Encode())
	} else if len(body) > 0 {
		rd = strings.NewReader(body[0])
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		c.T.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// Status sends a GET (with the given headers) and returns the response with its body closed unread: for tests that
// need only the status and headers (the permission matrix), so that a large answer (a log
// export bundle) is not streamed for nothing.
func (c *Client) Status(path string, hdr map[string]string) *http.Response {
	c.T.Helper()
	req, err := http.NewRequest("GET", c.Base+path, nil)
	if err != nil {
		c.T.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("GET %s: %v", path, err)
	}
	res.Body.Close()
	return res
}
