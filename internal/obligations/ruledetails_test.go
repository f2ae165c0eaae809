package obligations_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/catalog"
	"ciiguard/internal/store"
)

// TestRuleCodeOnlyInRuleDetails: on every obligation page, in Chinese, the CEL
// expressions of the catalogue (applies, check, due) appear only inside the collapsed
// "rule details" block (a <details> without open), and the deadline row says in words
// (the catalogue's Chinese deadline text) how the due date is counted. The catalogue YAML
// is the oracle of what is code and what is words.
func TestRuleCodeOnlyInRuleDetails(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "security@grid.demo")
	if res, _ := c.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}, "next": {"/"}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch to Chinese: %d", res.StatusCode)
	}
	checked := 0
	for _, o := range cat.Obligations {
		exprs := []string{o.Applies, o.Check, o.Due}
		if o.Applies == "" && o.Check == "" && o.Due == "" {
			continue
		}
		res, body := c.Do("GET", "/obligations/"+o.ID, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("GET /obligations/%s: %d", o.ID, res.StatusCode)
		}
		doc, err := xhtml.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var inside, outside strings.Builder
		var details *xhtml.Node
		var walk func(n *xhtml.Node, in bool)
		walk = func(n *xhtml.Node, in bool) {
			if n.Type == xhtml.ElementNode && n.DataAtom == atom.Details && hasClass(n, "rule-details") {
				in, details = true, n
			}
			if n.Type == xhtml.TextNode {
				if in {
					inside.WriteString(n.Data + "\n")
				} else {
					outside.WriteString(n.Data + "\n")
				}
			}
			for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
				walk(ch, in)
			}
		}
		walk(doc, false)
		if details == nil {
			t.Errorf("%s: no rule-details block", o.ID)
			continue
		}
		for _, a := range details.Attr {
			if a.Key == "open" {
				t.Errorf("%s: the rule details are open; they are for experts and start collapsed", o.ID)
			}
		}
		for _, e := range exprs {
			if e == "" {
				continue
			}
			if !strings.Contains(inside.String(), e) {
				t.Errorf("%s: expression %q is not in the rule details", o.ID, e)
			}
			if strings.Contains(outside.String(), e) {
				t.Errorf("%s: expression %q is shown outside the rule details", o.ID, e)
			}
		}
		if o.Due != "" {
			if o.Deadline == nil || !strings.Contains(html.UnescapeString(outside.String()), o.Deadline.Zh) {
				t.Errorf("%s: the deadline row does not say in words how the due date is counted", o.ID)
			}
			if !strings.Contains(outside.String(), "北京时间 24:00") {
				t.Errorf("%s: the deadline row does not say the day ends at 24:00 Beijing time", o.ID)
			}
		}
		checked++
	}
	if checked < 50 {
		t.Fatalf("only %d obligations with rules checked", checked)
	}
}

func hasClass(n *xhtml.Node, class string) bool {
	for _, a := range n.Attr {
		if a.Key == "class" && strings.Contains(" "+a.Val+" ", " "+class+" ") {
			return true
		}
	}
	return false
}
