package vault_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/vault"
	"ciiguard/internal/vault/ingest"
	"ciiguard/internal/vault/loggen"
)

// TestBlockWithoutTokenIsSkipped: a search for a token reads only the
// block (and the part of it) that holds the token, whatever kind of token
// it is — a long number, a 4-digit port, two addresses together — and no
// block at all for a token nowhere in the log.
func TestBlockWithoutTokenIsSkipped(t *testing.T) {
	v := openTemp(t, vault.Options{BlockBits: 8})
	const blocks = 12
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	evs := make([]vault.Event, blocks*256)
	for i := range evs {
		evs[i] = vault.Event{SourceID: 1, Received: start.Add(time.Duration(i) * time.Second), Host: "fw1", Format: vault.FormatRFC3164,
			Message: fmt.Sprintf("Built TCP connection %d for outside:10.1.%d.%d/443 to inside:10.2.%d.%d/%d bytes %d",
				100000+i, i%200, i%7, i%9, i%250, 40000+i%3000, 70000+i*13)}
	}
	// The needles, all in one event in the middle of block 5.
	evs[5*256+100].Message = "Built TCP connection 4815162342 for outside:203.0.113.77/7443 to inside:10.9.9.9/51515 bytes 987654"
	if _, err := v.Append(context.Background(), 1, evs); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q     string
		found int
	}{
		{"4815162342", 1},            // a 10-digit id
		{"987654", 1},                // a byte count
		{"7443", 1},                  // a 4-digit port
		{"51515", 1},                 // a 5-digit port
		{"203.0.113.77 10.9.9.9", 1}, // two addresses together
		{"9999999999", 0},            // a number nowhere
		{"nowhere", 0},               // a word nowhere
	} {
		p, err := v.Search(context.Background(), 1, vault.Query{Expr: tc.q, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) != tc.found {
			t.Errorf("%q: %d events, want %d", tc.q, len(p.Events), tc.found)
		}
		if p.BlocksRead != tc.found || p.BlocksSkipped != blocks-tc.found || p.PartsRead != tc.found {
			t.Errorf("%q: read %d blocks (%d parts), skipped %d; want %d read (one part) and %d skipped",
				tc.q, p.BlocksRead, p.PartsRead, p.BlocksSkipped, tc.found, blocks-tc.found)
		}
	}
}

// oracleTokens splits text the way the package documentation says search
// does, written independently of the vault's tokenizer: runs of ASCII
// letters, digits, '.', '_' and non-ASCII bytes, leading and trailing dots
// removed, ASCII letters lowercased.
var oracleTokenRe = regexp.MustCompile(`[A-Za-z0-9._\x80-\xff]+`)

func oracleTokens(fields ...string) map[string]bool {
	out := map[string]bool{}
	for _, f := range fields {
		for _, tok := range oracleTokenRe.FindAllString(f, -1) {
			if tok = strings.Trim(tok, "."); tok != "" {
				out[strings.ToLower(tok)] = true
			}
		}
	}
	return out
}

// TestSearchMatchesScanOracle compares search and histogram counts with a
// scan of every event, on generated firewall, VPN, IDS and Windows syslog
// in blocks small enough that the data spans dozens of blocks: the
// per-part filters must never hide a match (zero false negatives), and
// nothing that does not match may be returned.
func TestSearchMatchesScanOracle(t *testing.T) {
	v := openTemp(t, vault.Options{BlockBits: 10, SegmentBlocks: 8})
	ctx := context.Background()
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	g := loggen.NewMixed(3, start, 116)
	const n = 16000
	evs := make([]vault.Event, n)
	toks := make([]map[string]bool, n)
	for i := range evs {
		line, ts := g.AppendNext(nil)
		evs[i] = ingest.Parse(line, ts)
		evs[i].SourceID = 1
		e := &evs[i]
		toks[i] = oracleTokens(e.Message, e.Host, e.App, e.ProcID, e.MsgID)
	}
	for i := 0; i < n; i += 2000 {
		if _, err := v.Append(ctx, 1, evs[i:i+2000]); err != nil {
			t.Fatal(err)
		}
	}
	// Queries: the benchmark's rare terms, one or two tokens of random
	// events (numbers, addresses, words, user names alike), and tokens
	// that occur nowhere.
	queries := []string{"9999999999", "nosuchword", "10.255.255.254", "log4j", "4625 0xc000006a"}
	for _, tm := range loggen.MixedTerms() {
		queries = append(queries, tm.Value)
	}
	r := rand.New(rand.NewPCG(5, 5))
	for range 60 {
		ts := slices.Sorted(mapKeys(toks[r.IntN(n)]))
		q := ts[r.IntN(len(ts))]
		if r.IntN(3) == 0 {
			q += " " + ts[r.IntN(len(ts))]
		}
		queries = append(queries, q)
	}
	far := vault.Query{From: start.Add(-time.Hour), To: start.Add(48 * time.Hour)}
	for _, q := range queries {
		words := strings.Fields(strings.ToLower(q))
		var want []uint64
		for i := n - 1; i >= 0; i-- {
			all := true
			for _, w := range words {
				all = all && toks[i][w]
			}
			if all {
				want = append(want, uint64(i))
			}
		}
		var got []uint64
		cursor := ""
		for {
			p, err := v.Search(ctx, 1, vault.Query{Expr: q, Limit: 10000, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Events {
				got = append(got, e.Seq)
				// Every field as appended, though a part is decoded in two steps.
				w := evs[e.Seq]
				w.Seq, w.OrgID, w.Received = e.Seq, e.OrgID, e.Received
				if !reflect.DeepEqual(e, w) {
					t.Fatalf("%q: event %d is %+v, appended %+v", q, e.Seq, e, w)
				}
			}
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%q: search found %d events, the scan %d (first found %v, first expected %v)", q, len(got), len(want), head(got), head(want))
		}
		// Scan finds the same events, each with the fields asked for, and counts them all
		// as covered; TextFields leaves out what the query does not need (the format).
		for _, f := range []vault.Fields{vault.AllFields, vault.TextFields} {
			var scanned []uint64
			var covered uint64
			err := v.Scan(ctx, 1, vault.Query{Expr: q, Fields: f}, func(es []vault.Event, c uint64) error {
				for i := range es {
					e, w := &es[i], &evs[es[i].Seq]
					if e.Message != w.Message || !e.Time.Equal(w.Time) || string(e.Raw) != string(w.Raw) {
						t.Fatalf("%q, fields %d: event %d is %q at %v, appended %q at %v", q, f, e.Seq, e.Message, e.Time, w.Message, w.Time)
					}
					if wantFormat := w.Format; f == vault.TextFields {
						wantFormat = ""
					} else if e.Format != wantFormat || e.Host != w.Host || e.Facility != w.Facility {
						t.Fatalf("%q, fields %d: event %d format %q host %q facility %d, appended %q %q %d", q, f, e.Seq, e.Format, e.Host, e.Facility, w.Format, w.Host, w.Facility)
					}
					if f == vault.TextFields && e.Format != "" {
						t.Fatalf("%q: TextFields decoded the format %q of event %d", q, e.Format, e.Seq)
					}
					scanned = append(scanned, e.Seq)
				}
				covered = c
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(scanned)
			slices.Reverse(scanned)
			if !slices.Equal(scanned, want) || covered != uint64(len(want)) {
				t.Fatalf("%q, fields %d: scan found %d events (covered %d), the oracle %d (first found %v, first expected %v)", q, f, len(scanned), covered, len(want), head(scanned), head(want))
			}
		}
		hq := far
		hq.Expr = q
		if c := histogramTotal(t, v, hq, time.Hour); c != uint64(len(want)) {
			t.Fatalf("%q: histogram counts %d, the scan %d", q, c, len(want))
		}
	}
	// FromSeq: a follower that has read up to an event (inside a sealed block, so that
	// block is read in part) gets exactly the events after it, from each way of reading.
	// Blocks hold 1,024 events: from 15,360 on they are in the unsealed tail, and the
	// last sealed block's (14,336–15,359) are still in memory, so a scan from either
	// reads no part; one from further back reads the blocks it needs.
	for _, from := range []uint64{1, 5000, 14335, 14336, 15000, 15359, 15360, 15999, 16000} {
		want := uint64(n) - from
		var scanned, covered uint64
		read := v.Stats().BlocksRead
		err := v.Scan(ctx, 1, vault.Query{FromSeq: from, Fields: vault.TextFields}, func(es []vault.Event, c uint64) error {
			for i := range es {
				if es[i].Seq < from {
					t.Fatalf("FromSeq %d: scan gave event %d", from, es[i].Seq)
				}
			}
			scanned += uint64(len(es))
			covered = c
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if read = v.Stats().BlocksRead - read; (read == 0) != (from >= 14336) {
			t.Errorf("FromSeq %d: the scan read %d parts", from, read)
		}
		p, err := v.Search(ctx, 1, vault.Query{FromSeq: from, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		hq := far
		hq.FromSeq = from
		counted := histogramTotal(t, v, hq, 24*time.Hour)
		last := uint64(0)
		if len(p.Events) > 0 {
			last = p.Events[len(p.Events)-1].Seq
		}
		if scanned != want || covered != want || counted != want || uint64(len(p.Events)) != min(want, 10000) || (want > 0 && want <= 10000 && last != from) {
			t.Errorf("FromSeq %d: scan %d (covered %d), histogram %d, search %d ending at %d; want %d", from, scanned, covered, counted, len(p.Events), last, want)
		}
	}
}

// histogramTotal is the number of events of organisation 1 Histogram counts for q.
func histogramTotal(t *testing.T, v *vault.Vault, q vault.Query, bucket time.Duration) uint64 {
	t.Helper()
	hs, err := v.Histogram(context.Background(), 1, q, bucket)
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, h := range hs {
		n += h.Count
	}
	return n
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func head(s []uint64) []uint64 { return s[:min(len(s), 5)] }

// TestExtremesFindEventsOutsideTheWindow: a device with its clock years
// behind writes events a search of the last day cannot show; Extremes
// names the newest and the oldest of them, and nothing for a query no
// event matches.
func TestExtremesFindEventsOutsideTheWindow(t *testing.T) {
	v := openTemp(t, vault.Options{BlockBits: 4})
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	var evs []vault.Event
	for i := range 100 {
		ev := vault.Event{SourceID: 1, Received: now.Add(time.Duration(i-100) * time.Second), Host: "fw1", Format: vault.FormatRFC3164,
			Message: fmt.Sprintf("deny tcp 10.0.0.%d", i%50)}
		if i%10 == 3 { // the device with the wrong clock
			ev.Host, ev.Time, ev.Message = "badclock", time.Date(2019, 1, 1, 0, i, 0, 0, time.UTC), fmt.Sprintf("login failed for user%d", i)
		}
		evs = append(evs, ev)
	}
	if _, err := v.Append(ctx, 1, evs); err != nil {
		t.Fatal(err)
	}
	q := vault.Query{Expr: "login failed", From: now.Add(-24 * time.Hour), To: now}
	if p, err := v.Search(ctx, 1, q); err != nil || len(p.Events) != 0 {
		t.Fatalf("the last day holds %d such events (%v), want 0", len(p.Events), err)
	}
	n, o, err := v.Extremes(ctx, 1, q)
	if err != nil || n == nil || o == nil {
		t.Fatalf("extremes: %v %v %v", n, o, err)
	}
	if n.Seq != 93 || o.Seq != 3 || !n.Time.Equal(time.Date(2019, 1, 1, 1, 33, 0, 0, time.UTC)) || !o.Time.Equal(time.Date(2019, 1, 1, 0, 3, 0, 0, time.UTC)) {
		t.Fatalf("newest #%d at %v, oldest #%d at %v; want #93 at 01:33 and #3 at 00:03 of 2019-01-01", n.Seq, n.Time, o.Seq, o.Time)
	}
	if n, o, err := v.Extremes(ctx, 1, vault.Query{Expr: "nowhere"}); err != nil || n != nil || o != nil {
		t.Fatalf("a query nothing matches: %v %v %v", n, o, err)
	}
}
