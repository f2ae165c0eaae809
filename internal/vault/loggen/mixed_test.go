package loggen

import (
	"bytes"
	"regexp"
	"sort"
	"testing"
	"time"
)

// TestMixedDeterministicAndSkewed checks what the benchmarks rely on: the
// same seed gives the same lines, every kind of device appears, and
// addresses and users are skewed (a few frequent, most rare) rather than
// uniform.
func TestMixedDeterministicAndSkewed(t *testing.T) {
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	a, b := NewMixed(7, start, 100), NewMixed(7, start, 100)
	const n = 50000
	kinds := map[string]int{}
	ips := map[string]int{}
	users := map[string]int{}
	ipRe := regexp.MustCompile(`\b10\.\d+\.\d+\.\d+\b`)
	userRe := regexp.MustCompile(`User <([^>]+)>|Account Name: ([a-z][a-z.0-9-]+) Account Domain: CORP Logon ID: 0x[0-9A-F]{4,}`)
	total := 0
	var la, lb []byte
	for range n {
		var ta, tb time.Time
		la, ta = a.AppendNext(la[:0])
		lb, tb = b.AppendNext(lb[:0])
		if !bytes.Equal(la, lb) || !ta.Equal(tb) {
			t.Fatalf("same seed, different lines:\n%s\n%s", la, lb)
		}
		total += len(la)
		for _, k := range []string{"%ASA-6-302013", "%ASA-6-302014", "%ASA-4-106023", "type=\"traffic\"", "AnyConnect", "openvpn[", "suricata[", ": 4624:", ": 4625:", ": 4688:", ": 4769:"} {
			if bytes.Contains(la, []byte(k)) {
				kinds[k]++
			}
		}
		for _, m := range ipRe.FindAll(la, -1) {
			ips[string(m)]++
		}
		if m := userRe.FindSubmatch(la); m != nil {
			users[string(m[1])+string(m[2])]++
		}
	}
	if len(kinds) != 11 {
		t.Fatalf("kinds seen: %v", kinds)
	}
	if avg := total / n; avg < 150 || avg > 320 {
		t.Fatalf("average line %d bytes", avg)
	}
	for name, m := range map[string]map[string]int{"internal address": ips, "user": users} {
		counts := make([]int, 0, len(m))
		for _, c := range m {
			counts = append(counts, c)
		}
		sort.Sort(sort.Reverse(sort.IntSlice(counts)))
		if len(counts) < 500 || counts[0] < 50*counts[len(counts)/2] {
			t.Fatalf("%s: %d distinct, top %d, median %d: not skewed like real traffic", name, len(counts), counts[0], counts[len(counts)/2])
		}
		t.Logf("%s: %d distinct, top %d, median %d", name, len(counts), counts[0], counts[len(counts)/2])
	}
}
