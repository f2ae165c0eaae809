package app_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
)

// crawlPagesPerRole bounds each role's crawl; crawlPerShape bounds the pages of one shape
// (a path with its numbers replaced), since the tenth system page shows the same template
// as the first.
const (
	crawlPagesPerRole = 400
	crawlPerShape     = 2
)

// TestZhUIHasNoEnglish is the "done when": signed in as every demo user, in
// Chinese, it follows every same-origin link from the home page (GET only) and fails on
// any Latin word of the visible text that the reviewed allow-list
// (testdata/zh-allowlist.txt: names, identifiers, law abbreviations) does not hold. The
// text is read the way a browser shows it: an HTML parse, without scripts, styles, form
// values, and the code of the collapsed "rule details" blocks that are for experts.
// Content a template marks translate="no" (HTML's mark for text that is not language:
// log lines and audit details as stored, uploaded documents, query syntax) is skipped;
// `grep -rn 'translate="no"' internal/*/templates` lists every such place for review.
func TestZhUIHasNoEnglish(t *testing.T) {
	t.Parallel()
	allow := readAllowList(t, "testdata/zh-allowlist.txt")
	env := apptest.Start(t, store.SQLite)
	logins, err := env.App.SeedDemo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	offending := map[string]map[string]bool{} // word → pages
	context := map[string]string{}            // word → the text around its first sighting
	for _, l := range logins {
		t.Run(l.Email, func(t *testing.T) {
			t.Parallel()
			c := env.Login(t, l.Email)
			// The language switch sets the user's own language, as a user would.
			res, _ := c.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}, "next": {"/"}}, nil)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST /lang: %d", res.StatusCode)
			}
			pages := crawl(t, c)
			if len(pages) < 2 {
				t.Fatalf("crawl found %d pages; the home page has no links?", len(pages))
			}
			for page, text := range pages {
				for _, w := range latinWords(text) {
					if allow.ok(w) {
						continue
					}
					mu.Lock()
					if offending[w] == nil {
						offending[w] = map[string]bool{}
					}
					offending[w][l.Email+" "+page] = true
					if context[w] == "" {
						context[w] = around(text, w)
					}
					mu.Unlock()
				}
			}
		})
	}
	t.Cleanup(func() {
		if len(offending) == 0 {
			return
		}
		words := make([]string, 0, len(offending))
		for w := range offending {
			words = append(words, w)
		}
		sort.Strings(words)
		var b strings.Builder
		for _, w := range words {
			var where []string
			for p := range offending[w] {
				where = append(where, p)
			}
			sort.Strings(where)
			more := ""
			if len(where) > 3 {
				more = fmt.Sprintf(" (+%d more)", len(where)-3)
				where = where[:3]
			}
			fmt.Fprintf(&b, "  %q in %q\n      on %s%s\n", w, context[w], strings.Join(where, ", "), more)
		}
		t.Errorf("%d English words in the zh UI that testdata/zh-allowlist.txt does not allow:\n%s", len(words), b.String())
	})
}

// around returns the text near the first w in text, spaces squeezed.
func around(text, w string) string {
	i := strings.Index(text, w)
	if i < 0 {
		return ""
	}
	r := []rune(strings.Join(strings.Fields(text[:i]), " "))
	after := []rune(strings.Join(strings.Fields(text[i:]), " "))
	r = r[max(0, len(r)-30):]
	after = after[:min(len(after), len([]rune(w))+30)]
	return string(r) + " " + string(after)
}

// crawl visits the pages reachable from / and returns each page's visible text.
func crawl(t *testing.T, c *apptest.Client) map[string]string {
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
			continue // a download (CSV, JSON, a bundle): not a page
		}
		if res.StatusCode >= 500 {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Errorf("GET %s: not HTML: %v", p, err)
			continue
		}
		var text strings.Builder
		var links []string
		visible(doc, false, &text, &links)
		out[p] = text.String()
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

var digits = regexp.MustCompile(`[0-9]+`)

// pageShape is a page's path and query names with the numbers taken out.
func pageShape(p string) string {
	u, err := url.Parse(p)
	if err != nil {
		return p
	}
	keys := make([]string, 0, len(u.Query()))
	for k := range u.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return digits.ReplaceAllString(u.Path, "N") + "?" + strings.Join(keys, "&")
}

// sameOrigin resolves href against the page p and keeps it if it is a page of this site.
func sameOrigin(p, href string) (string, bool) {
	base, _ := url.Parse(p)
	u, err := base.Parse(href)
	if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(u.Path, "/") {
		return "", false
	}
	if strings.HasPrefix(u.Path, "/static/") || strings.HasPrefix(u.Path, "/api/") || u.Path == "/metrics" {
		return "", false
	}
	u.Fragment = ""
	return u.RequestURI(), true
}

// visible appends the text a reader sees (and the links to follow) under n. Scripts,
// styles, form values and the code inside a rule-details block are not text for users.
func visible(n *html.Node, inDetails bool, text *strings.Builder, links *[]string) {
	switch n.Type {
	case html.TextNode:
		text.WriteString(n.Data)
		text.WriteByte(' ')
		return
	case html.ElementNode:
		if attr(n, "translate") == "no" {
			// HTML's own mark for content that is not language: record text as stored,
			// names, identifiers and query syntax. Reviewed in the templates.
			collectLinks(n, links)
			return
		}
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Textarea, atom.Template:
			return
		case atom.Code, atom.Pre:
			if inDetails {
				return
			}
		case atom.A:
			if _, dl := attrOK(n, "download"); dl {
				break // a file to save, not a page (its label is still text)
			}
			if h := attr(n, "href"); h != "" {
				*links = append(*links, h)
			}
		case atom.Details:
			if strings.Contains(" "+attr(n, "class")+" ", " rule-details ") {
				inDetails = true
			}
		}
		for _, a := range []string{"title", "placeholder", "aria-label", "alt"} {
			if v := attr(n, a); v != "" {
				text.WriteString(v)
				text.WriteByte(' ')
			}
		}
		if n.DataAtom == atom.Input && (attr(n, "type") == "submit" || attr(n, "type") == "button") {
			text.WriteString(attr(n, "value"))
			text.WriteByte(' ')
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		visible(c, inDetails, text, links)
	}
}

// collectLinks appends the links under n, for content whose text is not checked.
func collectLinks(n *html.Node, links *[]string) {
	if _, dl := attrOK(n, "download"); n.Type == html.ElementNode && n.DataAtom == atom.A && attr(n, "href") != "" && !dl {
		*links = append(*links, attr(n, "href"))
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		collectLinks(c, links)
	}
}

func attrOK(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// latinToken is a web address, whole with its query, or a run that holds a Latin letter,
// with the characters identifiers are made of (digits, dots, dashes, @, /), so that "GB/T",
// "admin@grid.demo" and "SHA-256" are one word each.
var latinToken = regexp.MustCompile(`https?://[A-Za-z0-9@._\-/+:?=&%#~]+|[A-Za-z0-9][A-Za-z0-9@._\-/+:]*`)

// latinWords returns the words of s that hold a Latin letter, trailing punctuation cut.
func latinWords(s string) []string {
	var out []string
	for _, w := range latinToken.FindAllString(s, -1) {
		w = strings.TrimRight(w, ".:-/")
		if strings.ContainsAny(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			out = append(out, w)
		}
	}
	return out
}

// allowList is the reviewed list of Latin words the zh UI may show: exact words, and
// patterns (lines starting "re:") for identifiers of a shape, such as hashes.
type allowList struct {
	words    map[string]bool
	patterns []*regexp.Regexp
}

func (a allowList) ok(w string) bool {
	if a.words[w] {
		return true
	}
	for _, p := range a.patterns {
		if p.MatchString(w) {
			return true
		}
	}
	return false
}

func readAllowList(t *testing.T, name string) allowList {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a := allowList{words: map[string]bool{}}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "re:"):
			re, err := regexp.Compile("^(?:" + strings.TrimSpace(strings.TrimPrefix(line, "re:")) + ")$")
			if err != nil {
				t.Fatalf("%s:%d: %v", name, n, err)
			}
			a.patterns = append(a.patterns, re)
		default:
			for _, w := range strings.Fields(line) {
				a.words[w] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return a
}
