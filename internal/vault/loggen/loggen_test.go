package loggen

import (
	"bytes"
	"testing"
	"time"
)

func TestDeterministicAndSized(t *testing.T) {
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	a, b := New(1, start, 100), New(1, start, 100)
	total := 0
	const n = 20000
	hosts := map[string]bool{}
	for range n {
		la, ta := a.Next()
		lb, tb := b.Next()
		if !bytes.Equal(la, lb) || !ta.Equal(tb) {
			t.Fatalf("same seed, different lines:\n%s\n%s", la, lb)
		}
		total += len(la)
		for _, h := range Hosts() {
			if bytes.Contains(la, []byte(" "+h+" ")) {
				hosts[h] = true
			}
		}
	}
	if avg := total / n; avg < 140 || avg > 210 {
		t.Fatalf("average line %d bytes, want about 150-200", avg)
	}
	if len(hosts) != 20 {
		t.Fatalf("%d hosts seen", len(hosts))
	}
}
