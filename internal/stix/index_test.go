package stix

import (
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"
)

// TestIndexAgreesWithMatchOne: for every event, the index reports exactly the patterns
// that MatchOne, tried one by one, says the event satisfies (the oracle), over patterns
// of every anchor kind and some without one.
func TestIndexAgreesWithMatchOne(t *testing.T) {
	patterns := []string{
		`[ipv4-addr:value = '198.51.100.7']`,
		`[ipv4-addr:value ISSUBSET '198.51.100.0/24']`,
		`[ipv4-addr:value ISSUBSET '198.0.0.0/8']`,
		`[ipv4-addr:value IN ('203.0.113.1', '203.0.113.2')]`,
		`[ipv6-addr:value ISSUBSET '2001:db8::/32']`,
		`[domain-name:value = 'evil.example']`,
		`[domain-name:value LIKE '%.evil.example']`,
		`[url:value = 'http://c2.evil.example/gate.php']`,
		`[email-addr:value = 'Boss@Phish.example']`,
		`[file:hashes.MD5 = 'CEAD3F77F6CDA6EC00F57D76C9A6879F']`,
		`[url:value MATCHES 'gate\\.php']`,
		`[ipv4-addr:value != '10.0.0.1']`,
		`[ipv4-addr:value = '192.0.2.1' AND ipv4-addr:value ISSUBSET '192.0.2.0/24']`,
		`[domain-name:value = 'x.example'] FOLLOWEDBY [ipv4-addr:value = '192.0.2.9']`,
	}
	x := NewIndex()
	for _, s := range patterns {
		p, err := ParsePattern(s)
		if err != nil {
			t.Fatal(err)
		}
		x.Add(p)
	}
	lines := []string{
		"Deny tcp src outside:198.51.100.7/4431 dst inside:10.20.0.5/443",
		"Deny tcp src outside:198.51.100.9/4431 dst inside:10.0.0.1/443",
		"Built outbound TCP connection to 198.200.1.1/443",
		"dns query a.b.evil.example from 10.0.0.1",
		"dns query evil.example from 10.0.0.2",
		"dns query notevil.example from 10.0.0.2",
		"proxy GET http://c2.evil.example/gate.php",
		"mail from boss@phish.example",
		"av md5=cead3f77f6cda6ec00f57d76c9a6879f",
		"ids 2001:db8::5 -> 2001:db9::1",
		"connection from 203.0.113.2 and 192.0.2.1",
		"dns x.example then 192.0.2.9",
		"nothing to see",
	}
	for _, l := range lines {
		o := ObserveText(l, time.Time{})
		var got, want []int
		x.Match(&o, func(i int) { got = append(got, i) })
		for i := range x.Len() {
			if x.Pattern(i).MatchOne(&o) {
				want = append(want, i)
			}
		}
		sort.Ints(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q: index found %v, one by one %v", l, got, want)
		}
	}
}

// BenchmarkIndexMatch: events per second against 100,000 address, domain and hash
// indicators.
func BenchmarkIndexMatch(b *testing.B) {
	x := NewIndex()
	for i := range 100000 {
		var s string
		switch i % 3 {
		case 0:
			s = fmt.Sprintf("[ipv4-addr:value = '198.%d.%d.%d']", i>>16&255, i>>8&255, i&255)
		case 1:
			s = fmt.Sprintf("[domain-name:value = 'bad%d.example']", i)
		default:
			s = fmt.Sprintf("[file:hashes.MD5 = '%032x']", i)
		}
		p, err := ParsePattern(s)
		if err != nil {
			b.Fatal(err)
		}
		x.Add(p)
	}
	o := ObserveText("Deny tcp src outside:203.0.113.7/4431 dst inside:10.20.0.5/443 host www.good.example", time.Time{})
	b.ResetTimer()
	for b.Loop() {
		x.Match(&o, func(int) {})
	}
}

// BenchmarkObserveText: finding the observables of one firewall line, the other half of
// the cost of matching an event.
func BenchmarkObserveText(b *testing.B) {
	line := "<164>Mar  1 10:00:00 fw1 %ASA-4-106023: Deny tcp src outside:203.0.113.7/4431 dst inside:10.20.0.5/443 by access-group \"outside_access_in\" [0x5a000001, 0x0]"
	for b.Loop() {
		ObserveText(line, time.Time{})
	}
}
