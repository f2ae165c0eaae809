package stix

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestIndexAgreesWithMatchOne: for every event, the index reports exactly the patterns
// that MatchOne, tried one by one, says the event satisfies (the oracle), over patterns
// of every anchor kind and some without one; in a small index, in one with enough IPv4
// indicators that it keeps its /24 filter, and in one whose /4 block turns it off.
func TestIndexAgreesWithMatchOne(t *testing.T) {
	var fillers []string
	for i := range v4FilterFrom + 1000 {
		fillers = append(fillers, fmt.Sprintf("[ipv4-addr:value = '100.%d.%d.%d']", 64+i%64, i/64%256, 1+i%250))
	}
	for _, c := range []struct {
		name  string
		extra []string
	}{
		{"a small index", nil},
		{"with the /24 filter", fillers},
		{"with a /4 block", append(slices.Clone(fillers), `[ipv4-addr:value ISSUBSET '240.0.0.0/4']`)},
		{"with a /12 block", append(slices.Clone(fillers), `[ipv4-addr:value ISSUBSET '172.16.0.0/12']`)},
	} {
		t.Run(c.name, func(t *testing.T) { indexAgreesWithMatchOne(t, c.extra) })
	}
}

func indexAgreesWithMatchOne(t *testing.T, extra []string) {
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
		// Substring anchors, overlapping ("/wp-admin/" holds "admin"), in capitals where
		// the observed value never is, on every kind of path that has them.
		`[url:value LIKE '%/wp-admin/%.php%']`,
		`[url:value LIKE '%admin%']`,
		`[domain-name:value LIKE 'cdn-%.Evil.example']`,
		`[domain-name:value LIKE 'cdn-%.evil.example']`,
		`[email-addr:value MATCHES '^ceo@.*\\.example$']`,
		`[file:hashes.'SHA-256' LIKE 'deadbeef%']`,
		`[ipv4-addr:value LIKE '10.99.%']`,
		`[ipv6-addr:value LIKE '2001:db8:%']`,
	}
	patterns = append(patterns, extra...)
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
		"filler hits 100.64.0.1 and 100.65.0.2, misses 100.64.0.2 and 100.127.255.1",
		"blocks 241.2.3.4 and 255.255.255.255, 172.31.255.254 and 172.32.0.1, 172.16.0.0",
		"proxy GET http://site.example/wp-admin/x/shell.php?cmd=1",
		"proxy GET http://site.example/Admin/panel",
		"dns query cdn-7.evil.example and CDN-8.EVIL.example",
		"mail from ceo@corp.example to CEO@corp.example",
		"sha256=DEADBEEF00112233445566778899aabbccddeeff00112233445566778899aabb",
		"connection from 10.99.1.2 and 2001:DB8::1",
	}
	for _, l := range lines {
		o := ObserveText(l, time.Time{})
		if got, want := indexAndOneByOne(x, &o); !slices.Equal(got, want) {
			t.Errorf("%q: index found %v, one by one %v", l, got, want)
		}
	}
}

// indexAndOneByOne returns the patterns of x that x.Match reports for o, and those that
// MatchOne, tried on each pattern, says o satisfies (the oracle), both in order.
func indexAndOneByOne(x *Index, o *Observed) (got, want []int) {
	x.Match(o, func(i int) { got = append(got, i) })
	for i := range x.Len() {
		if x.Pattern(i).MatchOne(o) {
			want = append(want, i)
		}
	}
	sort.Ints(got)
	return got, want
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

// TestPackageAndCertificatePaths: an app store matches its packages on the package name
// (software:name) and the signing certificate's fingerprint (x509-certificate:hashes),
// through the index and one by one alike. A certificate hash is not a file hash: the same
// hex string observed as a file's hash does not match a certificate pattern, nor the other
// way round. Failed first before the two paths were supported: "position 2: object type
// \"software\" is not supported".
func TestPackageAndCertificatePaths(t *testing.T) {
	const fp = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	pats := []string{
		"[software:name = 'cn.example.steal']",
		"[x509-certificate:hashes.'SHA-256' = '" + strings.ToUpper(fp) + "']",
		"[file:hashes.'SHA-256' = '" + fp + "']",
	}
	x := NewIndex()
	parsed := make([]*Pattern, len(pats))
	for i, s := range pats {
		p, err := ParsePattern(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		parsed[i] = p
		x.Add(p)
	}
	for _, c := range []struct {
		name string
		obs  map[string]string
		want []int
	}{
		{"the package name", map[string]string{"software:name": "cn.example.steal"}, []int{0}},
		{"another package", map[string]string{"software:name": "cn.example.stealer"}, nil},
		{"the certificate", map[string]string{"x509-certificate:hashes.SHA-256": fp}, []int{1}},
		{"the same hex as a file's hash", map[string]string{"file:hashes.SHA-256": fp}, []int{2}},
	} {
		var o Observed
		for k, v := range c.obs {
			o.Add(k, v)
		}
		var got []int
		x.Match(&o, func(i int) { got = append(got, i) })
		sort.Ints(got)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: index matched %v, want %v", c.name, got, c.want)
		}
		for i, p := range parsed {
			if one := p.MatchOne(&o); one != slices.Contains(c.want, i) {
				t.Errorf("%s: pattern %d matches one by one: %v", c.name, i, one)
			}
		}
	}
}
