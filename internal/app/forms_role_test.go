package app_test

import (
	"context"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
)

// TestFormsShownOnlyToRolesAllowed: issue 10 item 13 — "buttons a role cannot use are not
// shown". Signed in as every demo user, it follows every same-origin link from the home
// page (GET only, as TestZhUIHasNoEnglish does) and checks each POST form a page shows
// against the reviewed permission table (testdata/permissions.golden, written by hand from
// what each role is for): a form whose route the user's role is denied is a button the
// user cannot use. Public routes (the language switch, an app store's complaint form) and
// signing out are everyone's.
func TestFormsShownOnlyToRolesAllowed(t *testing.T) {
	t.Parallel()
	golden := readGolden(t)
	routes := postRoutes(golden)
	env := apptest.Start(t, store.SQLite)
	public := map[string]bool{"/logout": true}
	for _, rt := range env.App.Web.Routes() {
		if rt.Perm == auth.Public && rt.Method == http.MethodPost {
			public[rt.Path] = true
		}
	}
	publicRoutes := postRoutes(func() map[string]string {
		m := map[string]string{}
		for p := range public {
			m["POST "+p+" -"] = "allowed"
		}
		return m
	}())
	logins, err := env.App.SeedDemo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range logins {
		t.Run(l.Email, func(t *testing.T) {
			t.Parallel()
			c := env.Login(t, l.Email)
			forms := 0
			bad := map[string]string{} // route → the first page showing its form
			for page, body := range crawlHTML(t, c) {
				doc, err := html.Parse(strings.NewReader(body))
				if err != nil {
					t.Fatalf("%s: %v", page, err)
				}
				for _, action := range postForms(doc, page) {
					if publicRoutes.match(action) != "" {
						continue
					}
					forms++
					route := routes.match(action)
					if route == "" {
						bad["(no route) "+action] = page
					} else if golden["POST "+route+" "+l.Role] != "allowed" {
						bad[route] = page
					}
				}
			}
			if len(bad) > 0 {
				var lines []string
				for r, p := range bad {
					lines = append(lines, "POST "+r+" on "+p)
				}
				sort.Strings(lines)
				t.Errorf("%s (%s) is shown %d forms it may not submit:\n  %s", l.Email, l.Role, len(bad), strings.Join(lines, "\n  "))
			}
			t.Logf("%s: %d POST forms checked", l.Role, forms)
		})
	}
}

// routeSet matches a form's action to the golden table's route patterns.
type routeSet []struct {
	pattern string
	re      *regexp.Regexp
	holes   int
}

var pathParam = regexp.MustCompile(`\\\{[^}]*\\\}`)

// postRoutes lists the POST routes of the golden table as patterns ({id} matches one
// path segment).
func postRoutes(golden map[string]string) routeSet {
	seen := map[string]bool{}
	var rs routeSet
	for k := range golden {
		f := strings.Fields(k)
		if f[0] != http.MethodPost || seen[f[1]] {
			continue
		}
		seen[f[1]] = true
		re := regexp.MustCompile("^" + pathParam.ReplaceAllString(regexp.QuoteMeta(f[1]), `[^/]+`) + "$")
		rs = append(rs, struct {
			pattern string
			re      *regexp.Regexp
			holes   int
		}{f[1], re, strings.Count(f[1], "{")})
	}
	return rs
}

// match returns the route the router would pick for path: of those matching, the most
// literal one (/x/new before /x/{id}).
func (rs routeSet) match(path string) string {
	best, holes := "", -1
	for _, r := range rs {
		if r.re.MatchString(path) && (holes < 0 || r.holes < holes) {
			best, holes = r.pattern, r.holes
		}
	}
	return best
}

// postForms returns the paths the POST forms under n submit to (a form without an action
// submits to its page).
func postForms(n *html.Node, page string) []string {
	var out []string
	if n.Type == html.ElementNode && n.DataAtom == atom.Form && strings.EqualFold(attr(n, "method"), "post") {
		action := attr(n, "action")
		if action == "" {
			action = page
		}
		if next, ok := sameOrigin(page, action); ok {
			out = append(out, strings.SplitN(next, "?", 2)[0])
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, postForms(c, page)...)
	}
	return out
}

// crawlHTML visits the pages reachable from / (bounded like TestZhUIHasNoEnglish's crawl)
// and returns each page's HTML.
func crawlHTML(t *testing.T, c *apptest.Client) map[string]string {
	t.Helper()
	seen := map[string]bool{"/": true}
	shapes := map[string]int{}
	queue := []string{"/"}
	out := map[string]string{}
	for len(queue) > 0 && len(out) < crawlPagesPerRole {
		p := queue[0]
		queue = queue[1:]
		res, body := c.Do("GET", p, nil, nil)
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			continue
		}
		out[p] = body
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			continue
		}
		var links []string
		collectLinks(doc, &links)
		for _, href := range links {
			next, ok := sameOrigin(p, href)
			if !ok || seen[next] {
				continue
			}
			seen[next] = true
			shape := pageShape(next)
			if shapes[shape] >= crawlPerShape {
				continue
			}
			shapes[shape]++
			queue = append(queue, next)
		}
	}
	return out
}
