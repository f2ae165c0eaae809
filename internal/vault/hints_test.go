package vault_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/vault"
)

// TestHintsSkipPartsFilterNoEvent: a sweep's hints read only the part that may hold one
// of them and return every event of it (the sweep judges them), and the events read plus
// the events the hints ruled out add up to the window's events, page by page too.
func TestHintsSkipPartsFilterNoEvent(t *testing.T) {
	v := openTemp(t, vault.Options{BlockBits: 8})
	const blocks, per, partLen = 12, 256, 32 // eight parts a block
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	evs := make([]vault.Event, blocks*per)
	for i := range evs {
		evs[i] = vault.Event{SourceID: 1, Received: start.Add(time.Duration(i) * time.Second), Host: "fw1", Format: vault.FormatRFC3164,
			Message: fmt.Sprintf("Built TCP connection %d for outside:10.1.%d.%d/443", 100000+i, i%200, i%7)}
	}
	evs[5*per+100].Message = "Built TCP connection for outside:203.0.113.77/7443"
	if _, err := v.Append(context.Background(), 1, evs); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hints := []string{"203.0.113.77", "nowhere.example"}
	p, err := v.Search(ctx, 1, vault.Query{Hints: hints, Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	// A Bloom filter may say yes for a part without the hint (here 2 of 96 parts), never
	// no for one with it; every event of a part read is returned.
	if len(p.Events) != p.PartsRead*partLen || p.PartsRead == 0 || p.PartsRead > 4 {
		t.Fatalf("hints read %d events in %d parts of %d blocks, want the %d events of each of a few parts", len(p.Events), p.PartsRead, p.BlocksRead, partLen)
	}
	firstRead := uint64(len(p.Events))
	found := false
	for _, ev := range p.Events {
		found = found || strings.Contains(ev.Message, "203.0.113.77")
	}
	if !found {
		t.Fatal("the part read does not hold the event with the hint")
	}
	if want := uint64(blocks*per) - firstRead; p.HintSkipped != want {
		t.Errorf("HintSkipped %d, want %d", p.HintSkipped, want)
	}

	// Small pages: every page's events read plus skipped add up to the log.
	var read, skipped uint64
	q := vault.Query{Hints: hints, Limit: 7}
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		p, err := v.Search(ctx, 1, q)
		if err != nil {
			t.Fatal(err)
		}
		read += uint64(len(p.Events))
		skipped += p.HintSkipped
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	if read != firstRead || read+skipped != blocks*per {
		t.Errorf("paged: %d read + %d skipped, want %d + %d", read, skipped, firstRead, blocks*per-firstRead)
	}

	// A hint in no event reads nothing; the histogram ignores hints.
	p, err = v.Search(ctx, 1, vault.Query{Hints: []string{"nowhere.example"}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) != p.PartsRead*partLen || p.PartsRead > 2 || uint64(len(p.Events))+p.HintSkipped != blocks*per {
		t.Errorf("absent hint: %d events, %d parts, %d skipped", len(p.Events), p.PartsRead, p.HintSkipped)
	}
	bs, err := v.Histogram(ctx, 1, vault.Query{Hints: []string{"nowhere.example"}, From: start.Add(-time.Hour), To: start.Add(24 * time.Hour)}, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, b := range bs {
		n += b.Count
	}
	if n != blocks*per {
		t.Errorf("histogram with a hint counts %d, want all %d", n, blocks*per)
	}
	if _, err := v.Search(ctx, 1, vault.Query{Hints: []string{"//"}}); err == nil || !strings.Contains(err.Error(), "hint 0") {
		t.Errorf("a hint without a token: %v, want an error naming hint 0", err)
	}
}
