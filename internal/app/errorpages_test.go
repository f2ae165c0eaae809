package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
)

// TestErrorPagesInUserLanguage: a page that does not exist, a method a page does not take,
// a page the role may not open and another organisation's record are each answered with
// the site's styled error page (the layout, its navigation) in the user's language, never
// with the router's plain English text. The expected words are written out here.
func TestErrorPagesInUserLanguage(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	allow := readAllowList(t, "testdata/zh-allowlist.txt")
	cases := []struct {
		method, path string
		code         int
		zh, en       string
	}{
		{"GET", "/no-such-page", 404, "没有这个页面", "There is no such page"},
		{"GET", "/scope/systems/999999", 404, "没有这条记录", "no such record"},
		{"DELETE", "/login", 405, "不支持此操作", "Method not allowed"},
		{"GET", "/users", 403, "您的角色无权执行此操作", "your role may not do this"},
	}
	for _, lang := range []string{"zh-CN", "en"} {
		c := env.Login(t, demoEmail[auth.Analyst])
		if res, _ := c.Do("POST", "/lang", url.Values{"lang": {lang}, "next": {"/"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /lang: %d", res.StatusCode)
		}
		for _, tc := range cases {
			res, body := c.Do(tc.method, tc.path, nil, nil)
			want := tc.en
			if lang == "zh-CN" {
				want = tc.zh
			}
			if res.StatusCode != tc.code || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				t.Errorf("%s %s %s: %d %s, want %d text/html", lang, tc.method, tc.path, res.StatusCode, res.Header.Get("Content-Type"), tc.code)
				continue
			}
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			var links []string
			visible(doc, false, &text, &links)
			if title := body[strings.Index(body, "<title>"):strings.Index(body, "</title>")]; strings.Contains(title, "[") {
				t.Errorf("%s %s %s: title %q is a missing message key", lang, tc.method, tc.path, title)
			}
			if !strings.Contains(text.String(), want) || !strings.Contains(body, `<nav`) {
				t.Errorf("%s %s %s: page lacks %q or the site's navigation:\n%s", lang, tc.method, tc.path, want, text.String())
			}
			if lang != "zh-CN" {
				continue
			}
			for _, w := range latinWords(text.String()) {
				if !allow.ok(w) {
					t.Errorf("zh %s %s shows English %q in %q", tc.method, tc.path, w, strings.Join(strings.Fields(text.String()), " "))
				}
			}
		}
	}
	// The API keeps answering problem documents.
	c := env.Login(t, demoEmail[auth.Analyst])
	if res, _ := c.Do("GET", "/api/v1/no-such-thing", nil, nil); res.StatusCode != 404 || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("GET /api/v1/no-such-thing: %d %s, want 404 problem+json", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
