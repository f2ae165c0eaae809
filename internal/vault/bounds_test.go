package vault

import (
	"context"
	"testing"
	"time"
)

// TestRangesBeyondStorableTimes searches and counts over ranges reaching before 1678 and
// after 2262, where nanoseconds since 1970 overflow an int64: the answer must be the same
// as over the vault's own time range, not a panic or a negative bucket count.
func TestRangesBeyondStorableTimes(t *testing.T) {
	v := openTest(t, t.TempDir())
	fill(t, v, 1, 40) // 2026-01-01, 40 events a second apart
	ctx := context.Background()
	far := []struct{ from, to time.Time }{
		{time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)},
		{time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)},
	}
	for _, r := range far {
		page, err := v.Search(ctx, 1, Query{From: r.from, To: r.to, Limit: 100})
		if err != nil || len(page.Events) != 40 {
			t.Errorf("search %v..%v: %d events, %v; want all 40", r.from, r.to, len(page.Events), err)
		}
		bs, err := v.Histogram(ctx, 1, Query{From: r.from, To: r.to}, 100*365*24*time.Hour)
		var n uint64
		for _, b := range bs {
			n += b.Count
		}
		if err != nil || n != 40 {
			t.Errorf("histogram %v..%v: %d events in %d buckets, %v; want 40", r.from, r.to, n, len(bs), err)
		}
	}
}
