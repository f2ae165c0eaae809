package logs_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/vault"
)

// find returns the first element under n for which ok holds.
func find(n *html.Node, ok func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && ok(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, ok); f != nil {
			return f
		}
	}
	return nil
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// separated reports whether a count is written with a comma between each group of three
// digits, as written by hand: 999, 1,000, 25,831.
func separated(s string) bool {
	return regexp.MustCompile(`^\d{1,3}(,\d{3})*$`).MatchString(s)
}

func byID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return attrOf(n, "id") == id }
}

func parse(t *testing.T, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestIntegrityPageForPeople walks the integrity features the way a browser does, in
// Chinese: the page lists signed checkpoints with their times and sizes; "verify now"
// answers pass with what was checked; the proof link of an event on the search page
// downloads a file that vault.VerifyBundle (what `ciiguard vault verify-bundle` runs)
// accepts with the verifier key shown on the integrity page, and that proves exactly that
// event; the bundle form downloads a verifiable bundle of the time range; the search
// results download as CSV and JSON lines holding the events the page shows. Another
// organisation's user gets 404 for an event number only the first organisation's log has.
func TestIntegrityPageForPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "auditor@grid.demo")
		if res, _ := c.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}, "next": {"/"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch to Chinese: %d", res.StatusCode)
		}

		// The integrity page: the key, and checkpoints with a signing time and a size.
		res, body := c.Do("GET", "/vault/integrity", nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("GET /vault/integrity: %d", res.StatusCode)
		}
		doc := parse(t, body)
		key := textOf(find(doc, byID("verifier-key")))
		if !strings.HasPrefix(key, "ciiguard-vault+") {
			t.Fatalf("verifier key on the page: %q", key)
		}
		table := find(doc, byID("checkpoints"))
		if table == nil {
			t.Fatal("the integrity page has no table of signed checkpoints (#checkpoints)")
		}
		row := find(table, func(n *html.Node) bool { return n.DataAtom == atom.Tbody })
		first := find(row, func(n *html.Node) bool { return n.DataAtom == atom.Tr })
		if first == nil {
			t.Fatal("no signed checkpoint listed")
		}
		var cells []string
		for td := first.FirstChild; td != nil; td = td.NextSibling {
			if td.DataAtom == atom.Td {
				cells = append(cells, textOf(td))
			}
		}
		if len(cells) != 3 || !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$`).MatchString(cells[0]) {
			t.Errorf("checkpoint row %q: want the signing time first", cells)
		}
		if n, err := strconv.ParseUint(strings.ReplaceAll(cells[1], ",", ""), 10, 64); err != nil || n == 0 {
			t.Errorf("checkpoint row %q: want a tree size", cells)
		} else if !separated(cells[1]) {
			t.Errorf("checkpoint row %q: a tree size of %d written without separators", cells, n)
		}
		// The latest checkpoint's size, as the API gives it, written with separators
		// (issue 10 item 14: 25831 was shown bare).
		var cp struct {
			Size uint64 `json:"size"`
		}
		_, cpBody := c.Do("GET", "/api/v1/vault/checkpoint", nil, nil)
		if err := json.Unmarshal([]byte(cpBody), &cp); err != nil || cp.Size < 1000 {
			t.Fatalf("checkpoint API: %v, size %d (the demo's log should hold over 1,000 events)", err, cp.Size)
		}
		ts := find(doc, byID("tree-size"))
		if ts == nil {
			t.Fatal("the integrity page does not show the latest tree size (#tree-size)")
		}
		if got := textOf(ts); strings.ReplaceAll(got, ",", "") != strconv.FormatUint(cp.Size, 10) || !separated(got) {
			t.Errorf("tree size on the integrity page %q, API says %d: want the same count with separators", got, cp.Size)
		}
		// The dashboard's log card: the events kept, with separators.
		_, home := c.Do("GET", "/", nil, nil)
		card := find(parse(t, home), byID("vault-widget"))
		if card == nil {
			t.Fatal("the dashboard has no log card (#vault-widget)")
		}
		if text := textOf(card); regexp.MustCompile(`\d{4}`).MatchString(text) || !regexp.MustCompile(`\d,\d{3}`).MatchString(text) {
			t.Errorf("dashboard log card %q: want the event count with separators", text)
		}
		if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(cells[2]) {
			t.Errorf("checkpoint row %q: want the root hash", cells)
		}

		// Verify now: pass, and what was checked.
		res, _ = c.Do("POST", "/vault/verify", url.Values{}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /vault/verify: %d", res.StatusCode)
		}
		// A check still running shows its progress; the page refreshes until it is done.
		var result *html.Node
		for i := 0; i < 120 && result == nil; i++ {
			if i > 0 {
				time.Sleep(time.Second)
			}
			_, body = c.Do("GET", "/vault/integrity", nil, nil)
			doc = parse(t, body)
			result = find(doc, byID("verify-result"))
			if result == nil && find(doc, byID("verify-running")) == nil {
				t.Fatalf("after verify now the page shows neither a result nor progress: %s", textOf(find(doc, byID("verify"))))
			}
		}
		if result == nil || attrOf(result, "data-ok") != "true" || !strings.Contains(textOf(result), "通过") {
			t.Fatalf("verify result: %v", func() string {
				if result == nil {
					return textOf(find(doc, byID("verify")))
				}
				return textOf(result)
			}())
		}
		checked := textOf(find(doc, byID("verify-checked")))
		for _, want := range []string{"已重新计算哈希的事件", "已读取的存储块", "已核对的签名检查点"} {
			if !strings.Contains(checked, want) {
				t.Errorf("verify result does not say what was checked (%q): %q", want, checked)
			}
		}

		// An event's proof, from the link in its row on the search page.
		_, body = c.Do("GET", "/vault", nil, nil)
		doc = parse(t, body)
		link := find(doc, func(n *html.Node) bool {
			return n.DataAtom == atom.A && strings.Contains(attrOf(n, "class"), "event-proof")
		})
		if link == nil {
			t.Fatal("the search page has no proof link")
		}
		href := attrOf(link, "href")
		seq, err := strconv.ParseUint(strings.Split(href, "/")[3], 10, 64)
		if err != nil {
			t.Fatalf("proof link %q", href)
		}
		res, proof := c.Do("GET", href, nil, nil)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("GET %s: %d %s", href, res.StatusCode, res.Header.Get("Content-Disposition"))
		}
		rep, err := vault.VerifyBundle(strings.NewReader(proof), key)
		if err != nil || rep.Events != 1 {
			t.Fatalf("downloaded proof of event %d does not verify with the page's key: %v (%d events)", seq, err, rep.Events)
		}
		var line struct {
			Type  string      `json:"type"`
			Index uint64      `json:"index"`
			Event vault.Event `json:"event"`
		}
		if err := json.Unmarshal([]byte(strings.Split(proof, "\n")[1]), &line); err != nil || line.Type != "event" || line.Index != seq || line.Event.Seq != seq {
			t.Fatalf("the proof is not of event %d: %+v %v", seq, line, err)
		}
		// A tampered proof fails the same check.
		tampered := strings.Replace(proof, `"message":"`, `"message":"x`, 1)
		if _, err := vault.VerifyBundle(strings.NewReader(tampered), key); err == nil {
			t.Fatal("a proof with an edited message still verifies")
		}

		// Another organisation: the same event number is not in its log.
		water := env.Login(t, "analyst@water.demo")
		if res, _ := water.Do("GET", href, nil, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("water analyst GET %s: %d, want 404", href, res.StatusCode)
		}
		if res, _ := c.Do("GET", "/vault/events/99999999/proof", nil, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("proof of an event past the log: %d, want 404", res.StatusCode)
		}

		// The bundle of a time range, from the form's default range.
		_, ibody := c.Do("GET", "/vault/integrity", nil, nil)
		idoc := parse(t, ibody)
		bf, bt := attrOf(find(idoc, byID("bundle-from")), "value"), attrOf(find(idoc, byID("bundle-to")), "value")
		res, bundle := c.Do("GET", "/vault/export?"+url.Values{"from": {bf}, "to": {bt}}.Encode(), nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("bundle download: %d", res.StatusCode)
		}
		brep, err := vault.VerifyBundle(strings.NewReader(bundle), key)
		if err != nil || brep.Events == 0 {
			t.Fatalf("bundle of %s..%s: %v, %d events", bf, bt, err, brep.Events)
		}

		// Search results as CSV and JSON lines: the events of the page, in its order.
		csvLink := find(doc, byID("results-csv"))
		jsonLink := find(doc, byID("results-jsonl"))
		if csvLink == nil || jsonLink == nil {
			t.Fatal("no results download links on the search page")
		}
		var shown []string
		tbody := find(find(doc, func(n *html.Node) bool { return attrOf(n, "class") == "vault-events" }), func(n *html.Node) bool { return n.DataAtom == atom.Tbody })
		for tr := tbody.FirstChild; tr != nil; tr = tr.NextSibling {
			if tr.DataAtom == atom.Tr {
				shown = append(shown, textOf(tr.FirstChild))
			}
		}
		res, csvBody := c.Do("GET", attrOf(csvLink, "href"), nil, nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV download: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvBody, "\uFEFF"))).ReadAll()
		if err != nil || len(recs) < len(shown)+1 || recs[0][0] != "seq" || recs[0][len(recs[0])-1] != "message" {
			t.Fatalf("CSV: %v, %d rows, header %v", err, len(recs), recs[0])
		}
		for i, s := range shown {
			if recs[i+1][0] != s {
				t.Fatalf("CSV row %d is event %s, the page shows %s", i+1, recs[i+1][0], s)
			}
		}
		res, jl := c.Do("GET", attrOf(jsonLink, "href"), nil, nil)
		lines := strings.Split(strings.TrimSpace(jl), "\n")
		if res.StatusCode != 200 || len(lines) < len(shown) {
			t.Fatalf("JSON lines: %d, %d lines for the %d events shown", res.StatusCode, len(lines), len(shown))
		}
		for i, s := range shown {
			var ev vault.Event
			if err := json.Unmarshal([]byte(lines[i]), &ev); err != nil || strconv.FormatUint(ev.Seq, 10) != s {
				t.Fatalf("JSON line %d %q is not event %s: %v", i+1, lines[i], s, err)
			}
		}
		if res, _ := c.Do("GET", "/vault/results?format=xml", nil, nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("results as xml: %d, want 400", res.StatusCode)
		}
	})
}
