package vault_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/vault"
)

// TestLetterlessTermsInEveryField: a term without letters (an address, a port) is found
// in a message and in each short text field, whatever the messages around it, by Search,
// Histogram and Scan alike, which look for it in a part's whole message column first.
// The oracle is the table: which events were written with the term.
func TestLetterlessTermsInEveryField(t *testing.T) {
	v := openTemp(t, vault.Options{BlockBits: 8})
	ctx := context.Background()
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	const n = 2048 // eight blocks, sealed
	evs := make([]vault.Event, n)
	for i := range evs {
		e := vault.Event{Time: start.Add(time.Duration(i) * time.Second), Received: start, SourceID: 1,
			Format: "rfc3164", Facility: 4, Severity: 6, Host: fmt.Sprintf("gw%d", i%7), App: "fw",
			Message: fmt.Sprintf("conn %d from 10.0.%d.%d port %d", i, i%5, i%250, 1000+i%97)}
		switch i % 61 {
		case 3:
			e.Message = "" // empty messages between the others
		case 5:
			e.Host = "198.51.100.77" // the term as the host only
		case 7:
			e.ProcID = "198.51.100.77"
		case 11:
			e.MsgID = "198.51.100.77"
		case 13:
			e.App = "198.51.100.77"
		case 17:
			e.Message = "deny 198.51.100.77:443"
		case 19:
			e.Message = "198.51.100.7" // a prefix of the term, not the term
		case 23:
			e.Message = "x198.51.100.77y" // inside another token: no match
		case 29, 30:
			// Two messages that begin with the term, next to each other in the
			// column (one host's events are stored together).
			e.Host, e.Message = "edge", "198.51.100.77 seen"
		}
		evs[i] = e
	}
	if _, err := v.Append(ctx, 1, evs); err != nil {
		t.Fatal(err)
	}
	// The oracle: an event holds a word when one of its text fields, cut at every byte
	// other than a letter, digit, '.' or '_', has it as a piece; a query of words needs each.
	holds := func(e vault.Event, word string) bool {
		for _, f := range []string{e.Message, e.Host, e.App, e.ProcID, e.MsgID} {
			for _, piece := range strings.FieldsFunc(f, func(r rune) bool {
				return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '_')
			}) {
				if piece == word {
					return true
				}
			}
		}
		return false
	}
	far := vault.Query{From: start.Add(-time.Hour), To: start.Add(time.Hour * 24)}
	for _, q := range []string{"198.51.100.77", "198.51.100.77 fw", "1042", "port 1042", "1042 fw", "10.0.3.53"} {
		expect := 0
		for _, e := range evs {
			all := true
			for _, w := range strings.Fields(q) {
				all = all && holds(e, w)
			}
			if all {
				expect++
			}
		}
		if expect == 0 {
			t.Fatalf("%q: the test's events hold no match", q)
		}
		p, err := v.Search(ctx, 1, vault.Query{Expr: q, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		hq := far
		hq.Expr = q
		counted := histogramTotal(t, v, hq, 24*time.Hour)
		var scanned int
		if err := v.Scan(ctx, 1, vault.Query{Expr: q}, func(es []vault.Event, _ uint64) error {
			scanned += len(es)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(p.Events) != expect || counted != uint64(expect) || scanned != expect {
			t.Errorf("%q: search %d, histogram %d, scan %d; written %d", q, len(p.Events), counted, scanned, expect)
		}
	}
}
