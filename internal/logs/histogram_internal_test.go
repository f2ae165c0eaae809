package logs

import (
	"testing"
	"time"

	"ciiguard/internal/vault"
)

// TestHistogramLayout checks the bars' geometry against hand-computed values: four
// buckets over the 960-unit width (240 each, a unit of gap), the tallest filling the 120
// units, a tiny count still one unit high, an empty bucket flat.
func TestHistogramLayout(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	bs := []vault.Bucket{{Start: t0, Count: 1000}, {Start: t0.Add(time.Hour), Count: 500}, {Start: t0.Add(2 * time.Hour), Count: 1}, {Start: t0.Add(3 * time.Hour), Count: 0}}
	hg := histogramOf(bs, time.Hour)
	want := []histogramBar{
		{X: "0.50", Y: "0.00", W: "239.00", H: "120.00", From: "2026-03-01 08:00", To: "09:00", Count: 1000},
		{X: "240.50", Y: "60.00", W: "239.00", H: "60.00", From: "2026-03-01 09:00", To: "10:00", Count: 500},
		{X: "480.50", Y: "119.00", W: "239.00", H: "1.00", From: "2026-03-01 10:00", To: "11:00", Count: 1},
		{X: "720.50", Y: "120.00", W: "239.00", H: "0.00", From: "2026-03-01 11:00", To: "12:00", Count: 0},
	}
	if len(hg.Bars) != len(want) {
		t.Fatalf("%d bars, want %d", len(hg.Bars), len(want))
	}
	for i := range want {
		if hg.Bars[i] != want[i] {
			t.Errorf("bar %d = %+v, want %+v", i, hg.Bars[i], want[i])
		}
	}
	if hg.Max != 1000 || hg.First != "03-01 08:00" || hg.Last != "03-01 12:00" || hg.ViewHeight != 136 {
		t.Errorf("max %d, ends %s – %s, view height %d", hg.Max, hg.First, hg.Last, hg.ViewHeight)
	}
	if histogramOf(nil, time.Hour) != nil {
		t.Error("no buckets should draw nothing")
	}
}
