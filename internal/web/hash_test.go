package web

import (
	"html/template"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestHashAbbreviatedWithFullValueOnDemand: issue 10 item 14 — "the audit table's hash
// column is abbreviated with the full value on demand". The shared "hash" partial (the
// audit trail's hash column, evidence and checkpoint hashes) shows the first 12 hex digits
// and an ellipsis, and holds the whole value in a <details> the reader opens (and in the
// summary's title for hovering). The value is SHA-256("abc") from FIPS 180-2, appendix B.1;
// the page is read with an HTML parser, as a browser would.
func TestHashAbbreviatedWithFullValueOnDemand(t *testing.T) {
	const full = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	tm, err := template.New("t").Funcs(funcs).ParseFS(embedded, "templates/partials.html")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tm.ExecuteTemplate(&b, "hash", full); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	var summary, title, opened string
	var walk func(n *html.Node, inDetails, inSummary bool)
	walk = func(n *html.Node, inDetails, inSummary bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "details":
				inDetails = true
			case "summary":
				inSummary = true
				for _, a := range n.Attr {
					if a.Key == "title" {
						title = a.Val
					}
				}
			}
		}
		if n.Type == html.TextNode && inDetails {
			if inSummary {
				summary += n.Data
			} else {
				opened += n.Data
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inDetails, inSummary)
		}
	}
	walk(doc, false, false)
	if summary != "ba7816bf8f01…" {
		t.Errorf("the column shows %q, want the first 12 digits and an ellipsis", summary)
	}
	if strings.TrimSpace(opened) != full || title != full {
		t.Errorf("opened: %q, title: %q; want the full value in both", opened, title)
	}
}
