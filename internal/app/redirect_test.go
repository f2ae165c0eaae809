package app_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
)

// offSite are next= values that browsers follow to another host (they drop the tab and
// read "\" as "/"); each must be answered with a redirect to the home page. The web
// package's fuzz test checks safeNext against a browser-style parse; this table is what
// the three handlers send on the wire.
var offSite = []string{"/\t/evil.example", "/\t\\evil.example", "//evil.example", "/\\evil.example", "\\/evil.example", " /evil.example", "https:/\\evil.example"}

// TestRedirectsStayOnSite sends each off-site next= to the three handlers that redirect to
// it: the sign-in page while signed in, the sign-in form, and the language switch
// (signed out, as a cross-site form would post it).
func TestRedirectsStayOnSite(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	signedIn := env.Login(t, demoEmail[auth.Auditor])
	anon := env.NewClient(t)
	token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	for _, next := range offSite {
		res, _ := signedIn.Do("GET", "/login?next="+url.QueryEscape(next), nil, nil)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("GET /login?next=%q signed in: %d Location %q, want 303 to /", next, res.StatusCode, loc)
		}
		res, _ = anon.Do("POST", "/lang", url.Values{"lang": {"en"}, "next": {next}}, nil)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("POST /lang next=%q signed out: %d Location %q, want 303 to /", next, res.StatusCode, loc)
		}
		c := env.NewClient(t)
		_, body := c.Do("GET", "/login", nil, nil)
		m := token.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("login page has no form token")
		}
		res, _ = c.Do("POST", "/login", url.Values{"_csrf": {m[1]}, "email": {demoEmail[auth.Analyst]}, "password": {app.DemoPassword}, "next": {next}}, nil)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("POST /login next=%q: %d Location %q, want 303 to /", next, res.StatusCode, loc)
		}
	}
	// A page of the site itself is still where the user comes back to.
	res, _ := signedIn.Do("GET", "/login?next="+url.QueryEscape("/audit?before=5"), nil, nil)
	if loc := res.Header.Get("Location"); loc != "/audit?before=5" {
		t.Errorf("next=/audit?before=5: Location %q, want it kept", loc)
	}
}

// TestBrowserRedirectStaysOnSite lets Chromium follow the redirects: after each, the page
// must be on the test server, not on evil.example.
func TestBrowserRedirectStaysOnSite(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	base, _ := url.Parse(env.URL)
	// Signed out: the sign-in form carries next= through to after the sign-in.
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/login?next=/%09/evil.example"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), demoEmail[auth.Auditor]),
		chromedp.SendKeys(chromedp.CSS(`#password`), app.DemoPassword),
		chromedp.Submit(chromedp.CSS(`#password`)),
	)
	if err != nil {
		t.Fatalf("sign in with next=/%%09/evil.example: %v", err)
	}
	// Wait for the dashboard of the site itself; on failure the check below says where the
	// browser went instead.
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	_ = chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(`nav.side`)))
	cancel()
	check := func(what string) {
		t.Helper()
		// The navigation may fail (evil.example does not resolve); what matters is where
		// the browser ended up.
		_ = chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond))
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatalf("%s: read location: %v", what, err)
		}
		u, err := url.Parse(loc)
		if err != nil || u.Host != base.Host {
			t.Errorf("%s: browser went to %q, want a page of %s", what, loc, base.Host)
		}
	}
	check("sign-in form with next=/%09/evil.example")
	for _, next := range []string{"/%09/evil.example", "/%09%5Cevil.example", "/%5Cevil.example", "%2F%0A%2Fevil.example"} {
		_ = chromedp.Do(ctx, chromedp.Navigate(env.URL+"/login?next="+next))
		check("signed in, /login?next=" + next)
	}
}
