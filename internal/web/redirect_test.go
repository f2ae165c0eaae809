package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The tests of safeNext judge its answer by what a browser does with it, not by the rules
// safeNext itself applies: the value goes through http.Redirect (as the handlers send it),
// and the Location header is then parsed the way the WHATWG URL standard tells browsers to
// parse it against the page's URL.

const testOrigin = "ciiguard.test"

var testBase = mustURL("https://" + testOrigin + "/login")

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// schemeStart matches a WHATWG scheme at the start of the input: an ASCII letter, then
// letters, digits, "+", "-" or ".", then ":".
var schemeStart = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.\-]*):`)

// browserResolve returns the scheme and host a browser navigates to when it follows
// Location loc from testBase. It follows the WHATWG URL parser's steps for a special base
// (https) written out independently of safeNext:
//   - leading and trailing C0 controls and spaces are stripped, and every ASCII tab, LF
//     and CR anywhere is removed;
//   - a scheme other than the base's leaves the origin; the base's own scheme followed by
//     no slash is a relative reference;
//   - "\" counts as "/" (special schemes), and two or more slashes start an authority whose
//     host is what follows all of them ("special authority ignore slashes");
//   - anything else is a path on the base's host, resolved with net/url.
//
// A host that net/url cannot parse is reported as "?", which is never the origin.
func browserResolve(loc string) (scheme, host string) {
	s := strings.TrimFunc(loc, func(r rune) bool { return r <= 0x20 })
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	if m := schemeStart.FindStringSubmatch(s); m != nil {
		sch := strings.ToLower(m[1])
		if sch != testBase.Scheme {
			return sch, ""
		}
		s = s[len(m[0]):]
	}
	s = strings.ReplaceAll(s, `\`, "/")
	if strings.HasPrefix(s, "//") {
		u, err := url.Parse("https://" + strings.TrimLeft(s, "/"))
		if err != nil {
			return "https", "?"
		}
		return "https", strings.ToLower(u.Hostname())
	}
	ref, err := url.Parse(s)
	if err != nil {
		// net/url refuses some paths a browser would percent-encode (a bare "%", a
		// control character); without an authority the host stays the base's.
		return testBase.Scheme, testBase.Host
	}
	r := testBase.ResolveReference(ref)
	return r.Scheme, r.Host
}

// TestBrowserResolveOracle checks the oracle itself against hand-worked WHATWG results, so
// that a mistake in it cannot make the other tests pass vacuously.
func TestBrowserResolveOracle(t *testing.T) {
	for loc, want := range map[string]string{
		"/users":                testOrigin,
		"//evil.example/":       "evil.example",
		"/\t/evil.example":      "evil.example",
		"/\\evil.example":       "evil.example",
		"\\/evil.example":       "evil.example",
		"\\\\evil.example":      "evil.example",
		" //evil.example":       "evil.example",
		"\x00/\n/evil.example":  "evil.example",
		"https://evil.example":  "evil.example",
		"https:evil.example":    testOrigin, // same scheme, no slashes: a relative path
		"https:/\\evil.example": "evil.example",
		"https:///evil.example": "evil.example",
		"http://evil.example":   "", // another scheme is another origin
		"javascript:alert(1)":   "",
		"/a b":                  testOrigin,
		"users":                 testOrigin,
		"/%2F/evil.example":     testOrigin, // an escaped slash is not a slash
	} {
		_, got := browserResolve(loc)
		if got != want {
			t.Errorf("browserResolve(%q) host = %q, want %q", loc, got, want)
		}
	}
}

// locationOf returns the Location header a handler sends for next, the way the sign-in and
// language handlers redirect.
func locationOf(next string) string {
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "https://"+testOrigin+"/login", nil)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	return w.Header().Get("Location")
}

func staysOnOrigin(loc string) bool {
	scheme, host := browserResolve(loc)
	return scheme == "https" && host == testOrigin
}

// redirectBypasses are known ways of writing another host that naive checks let through.
var redirectBypasses = []string{
	"//evil.example", "/\\evil.example", "\\/evil.example", "\\\\evil.example",
	"/\t/evil.example", "/\t\\evil.example", "/\n/evil.example", "/\r\n/evil.example", "/\x00/evil.example",
	" /evil.example", "\t//evil.example", "/ /evil.example", "https:evil.example", "https://evil.example",
	"http://evil.example", "https:/\\evil.example", "javascript:alert(1)", "data:text/html,x",
	"/%09/evil.example", "/%5Cevil.example", "/%2F%2Fevil.example", "//%09/evil.example",
	"/\u3000/evil.example", "/\x7f/evil.example", "\x0c//evil.example", "//evil.example@ciiguard.test",
	"/\\\\evil.example", "/./\\evil.example", "/..//evil.example",
}

func TestSafeNextKnownBypasses(t *testing.T) {
	for _, next := range redirectBypasses {
		loc := locationOf(next)
		if !staysOnOrigin(loc) {
			scheme, host := browserResolve(loc)
			t.Errorf("next=%q → Location %q, which a browser follows to %s://%s", next, loc, scheme, host)
		}
	}
}

// TestSafeNextKeepsOwnPaths checks that ordinary paths of this site come back unchanged:
// a filter that answered "/" to everything would pass the bypass table.
func TestSafeNextKeepsOwnPaths(t *testing.T) {
	for _, next := range []string{"/", "/users", "/audit?before=12", "/vault?q=%E5%AE%89%E5%85%A8&from=2026-01-01T00%3A00", "/obligations/3#controls", "/frameworks/1/controls?page=2"} {
		if got := safeNext(next); got != next {
			t.Errorf("safeNext(%q) = %q, want it unchanged", next, got)
		}
	}
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range append([]string{"/", "/users", "", "/a?b=c#d"}, redirectBypasses...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeNext(s)
		if got != s && got != "/" {
			t.Fatalf("safeNext(%q) = %q: neither the input nor the home page", s, got)
		}
		if loc := locationOf(s); !staysOnOrigin(loc) {
			scheme, host := browserResolve(loc)
			t.Fatalf("next=%q → Location %q, which a browser follows to %s://%s", s, loc, scheme, host)
		}
	})
}
