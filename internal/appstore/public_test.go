package appstore_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/appstore"
	"ciiguard/internal/store"
)

// TestPublicFormGuards walks the public complaint form's protections on the demo app store
// with a client that has no session: the form says nothing of an organisation that is not
// an app store (the same 404 as one that does not exist); a submission without its proof
// of work, with a forged or reused challenge, or with a field over its limit is refused
// naming the field, and records nothing; an oversized request is 413; five complaints an
// hour from one address are taken and the sixth is 429 with Retry-After.
func TestPublicFormGuards(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	staff := env.Login(t, "security@appstore.demo")
	var me struct {
		Org struct{ ID int64 } `json:"org"`
	}
	api(t, staff, "GET", "/api/v1/me", "", 200, &me)
	count := func() int {
		var l struct{ Complaints []any }
		api(t, staff, "GET", "/api/v1/appstore/complaints", "", 200, &l)
		return len(l.Complaints)
	}
	before := count()
	anon := env.NewClient(t)
	grid := env.Login(t, "admin@grid.demo")
	var gridMe struct {
		Org struct{ ID int64 } `json:"org"`
	}
	api(t, grid, "GET", "/api/v1/me", "", 200, &gridMe)
	for _, org := range []string{fmt.Sprint(gridMe.Org.ID), "999999", "0", "x"} {
		if res, _ := anon.Do("GET", "/public/appstore/"+org+"/complaints", nil, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("form of organisation %s: %d, want 404", org, res.StatusCode)
		}
	}
	path := fmt.Sprintf("/public/appstore/%d/complaints", me.Org.ID)
	challenge := func() string {
		res, body := anon.Do("GET", path, nil, nil)
		m := challengeRE.FindStringSubmatch(body)
		if res.StatusCode != 200 || m == nil {
			t.Fatalf("form: %d", res.StatusCode)
		}
		return strings.ReplaceAll(m[1], "&#43;", "+")
	}
	form := func(ch, counter string) url.Values {
		return url.Values{"kind": {"content"}, "subject": {"广告"}, "body": {"开屏广告无法关闭。"}, "challenge": {ch}, "counter": {counter}}
	}
	ch := challenge()
	for name, c := range map[string]struct {
		form  url.Values
		field string
	}{
		"no proof of work":   {form(ch, ""), "challenge"},
		"a wrong counter":    {form(ch, "1"), "challenge"},
		"a forged challenge": {form(strings.Replace(ch, ".", ".9", 1), "0"), "challenge"},
		"another store's":    {form(fmt.Sprintf("%d.%s", gridMe.Org.ID, ch[strings.Index(ch, "."):]), "0"), "challenge"},
	} {
		res, body := anon.Do("POST", path, c.form, nil)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="challenge-error"`) {
			t.Errorf("%s: %d, want 400 naming the challenge", name, res.StatusCode)
		}
	}
	long := form(ch, appstore.Solve(ch))
	long.Set("subject", strings.Repeat("长", 201))
	if res, body := anon.Do("POST", path, long, nil); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="subject-error"`) {
		t.Errorf("a 201-character subject: %d, want 400 naming the subject", res.StatusCode)
	}
	big := form(ch, appstore.Solve(ch))
	big.Set("body", strings.Repeat("x", 40<<10))
	if res, _ := anon.Do("POST", path, big, nil); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 40 KiB request: %d, want 413", res.StatusCode)
	}
	if n := count(); n != before {
		t.Fatalf("refused submissions recorded %d complaints", n-before)
	}
	// The refused typo above gave its challenge back: it is accepted now, once.
	if res, _ := anon.Do("POST", path, form(ch, appstore.Solve(ch)), nil); res.StatusCode != 200 {
		t.Fatalf("first complaint: %d", res.StatusCode)
	}
	if res, body := anon.Do("POST", path, form(ch, appstore.Solve(ch)), nil); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="challenge-error"`) {
		t.Errorf("a reused challenge: %d, want 400", res.StatusCode)
	}
	for i := 2; i <= 5; i++ {
		c := challenge()
		if res, _ := anon.Do("POST", path, form(c, appstore.Solve(c)), nil); res.StatusCode != 200 {
			t.Fatalf("complaint %d: %d", i, res.StatusCode)
		}
	}
	c := challenge()
	res, _ := anon.Do("POST", path, form(c, appstore.Solve(c)), nil)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("sixth complaint in the hour: %d, Retry-After %q; want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if n := count(); n != before+5 {
		t.Errorf("%d complaints recorded, want 5", n-before)
	}
}
