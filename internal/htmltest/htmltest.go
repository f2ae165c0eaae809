// Package htmltest reads HTML pages in tests the way a browser's DOM would: elements by
// id, their text with whitespace collapsed, table rows as cells, links and options. Tests
// assert what a user sees on it, not what the template source says.
package htmltest

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Doc is a parsed page.
type Doc struct{ root *html.Node }

// Parse parses page; a page that does not parse fails the test.
func Parse(t testing.TB, page string) Doc {
	t.Helper()
	n, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	return Doc{n}
}

// Node is an element of a page; the zero Node is "not found".
type Node struct{ n *html.Node }

// Found reports whether the element exists.
func (n Node) Found() bool { return n.n != nil }

// Attr returns an attribute's value and whether it is set.
func (n Node) Attr(name string) (string, bool) {
	if n.n == nil {
		return "", false
	}
	for _, a := range n.n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// Text is the element's text, whitespace collapsed.
func (n Node) Text() string {
	if n.n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		if x.Type == html.TextNode {
			b.WriteString(x.Data)
			b.WriteByte(' ')
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n.n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// All returns the descendants (and n itself) that are elements named tag ("" for any)
// and satisfy keep (nil for all), in document order.
func (n Node) All(tag string, keep func(Node) bool) []Node {
	var out []Node
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		if x.Type == html.ElementNode && (tag == "" || x.Data == tag) && (keep == nil || keep(Node{x})) {
			out = append(out, Node{x})
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	if n.n != nil {
		walk(n.n)
	}
	return out
}

// Root is the document node.
func (d Doc) Root() Node { return Node{d.root} }

// ID returns the element with id, or the zero Node.
func (d Doc) ID(id string) Node {
	for _, n := range d.Root().All("", func(n Node) bool { v, _ := n.Attr("id"); return v == id }) {
		return n
	}
	return Node{}
}

// Title is the page's <title>.
func (d Doc) Title() string {
	for _, n := range d.Root().All("title", nil) {
		return n.Text()
	}
	return ""
}

// Rows returns the text of each cell of each body row (rows of tbody, or rows with td
// cells) under n.
func (n Node) Rows() [][]string {
	var out [][]string
	for _, tr := range n.All("tr", nil) {
		tds := tr.All("td", nil)
		if len(tds) == 0 {
			continue
		}
		row := make([]string, len(tds))
		for i, td := range tds {
			row[i] = td.Text()
		}
		out = append(out, row)
	}
	return out
}

// Link is an anchor's address and text.
type Link struct{ Href, Text string }

// Links returns the anchors under n.
func (n Node) Links() []Link {
	var out []Link
	for _, a := range n.All("a", nil) {
		h, _ := a.Attr("href")
		out = append(out, Link{h, a.Text()})
	}
	return out
}
