package stix

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

// textFilterCases: a line, the patterns of an index, and whether MayMatchText must let the
// line through. The expectations are written by hand from what each line holds; where the
// filter may answer "may" without a match, the row says so and why.
var textFilterCases = []struct {
	name     string
	patterns []string
	text     string
	want     bool
}{
	{"an address named", []string{`[ipv4-addr:value = '203.0.113.7']`}, "Deny tcp src outside:203.0.113.7/4431 dst inside:10.20.0.5/443", true},
	{"no address named", []string{`[ipv4-addr:value = '203.0.113.7']`}, "Deny tcp src outside:203.0.113.8/4431 dst inside:10.20.0.5/443", false},
	{"an address in a block", []string{`[ipv4-addr:value ISSUBSET '198.51.100.0/24']`}, "accepted 198.51.100.77 port 22", true},
	{"an address beside a block", []string{`[ipv4-addr:value ISSUBSET '198.51.100.0/24']`}, "accepted 198.51.101.77 port 22", false},
	{"a leading zero is no address", []string{`[ipv4-addr:value = '10.0.0.1']`}, "version 010.0.0.1 installed", false},
	{"an address at the line's end, after a dot", []string{`[ipv4-addr:value = '10.0.0.1']`}, "peer.10.0.0.1.", false},
	{"an address ending a sentence", []string{`[ipv4-addr:value = '10.0.0.1']`}, "connection from 10.0.0.1.", true},
	{"a domain named, in capitals with a root dot", []string{`[domain-name:value = 'evil.example']`}, "query EVIL.Example. A", true},
	{"a subdomain of a named domain is not it", []string{`[domain-name:value = 'evil.example']`}, "query a.evil.example A", false},
	{"a subdomain under a LIKE", []string{`[domain-name:value LIKE '%.evil.example']`}, "query a.b.evil.example A", true},
	{"a name that only ends alike", []string{`[domain-name:value LIKE '%.evil.example']`}, "query notevil.example A", false},
	// The run the dotted scan sees is "b.evil.example"; the URL's host is the whole name.
	{"a URL's host that no run shows", []string{`[domain-name:value = 'a_b.evil.example']`}, "GET http://a_b.evil.example/x 200", true},
	{"a URL's host that is a named address", []string{`[ipv4-addr:value = '203.0.113.7']`}, "GET http://user@203.0.113.7:8080/x?q=1 200", true},
	{"a URL's host that is an address beside it", []string{`[ipv4-addr:value = '203.0.113.7']`}, "GET http://203.0.113.70/x 200", false},
	{"a URL's host in brackets", []string{`[ipv6-addr:value ISSUBSET '2001:db8::/32']`}, "GET http://[2001:db8::1]:80/ 200", true},
	{"an e-mail address named", []string{`[email-addr:value = 'x@evil.example']`}, "mail from x@evil.example rejected", true},
	{"an e-mail index, a line without one", []string{`[email-addr:value = 'x@evil.example']`}, "mail from evil.example rejected", false},
	{"a URL named", []string{`[url:value = 'http://evil.example/a']`}, "GET http://evil.example/a 200", true},
	{"a URL index, a line without one", []string{`[url:value = 'http://evil.example/a']`}, "GET evil.example/a 200", false},
	{"an IPv6 address in a block", []string{`[ipv6-addr:value ISSUBSET '2001:db8::/32']`}, "from 2001:db8::1 port 22", true},
	{"an IPv6 index, a clock only", []string{`[ipv6-addr:value ISSUBSET '2001:db8::/32']`}, "at 10:00:01 from 10.0.0.1:22", false},
	{"a hash named, in capitals", []string{`[file:hashes.MD5 = '0123456789abcdef0123456789abcdef']`}, "md5=0123456789ABCDEF0123456789ABCDEF", true},
	// Any run of 32 hexadecimal digits may be a named hash: the filter does not look them up.
	{"a hash index, another hash", []string{`[file:hashes.MD5 = '0123456789abcdef0123456789abcdef']`}, "md5=ffffffffffffffffffffffffffffffff", true},
	{"a hash index, no hash", []string{`[file:hashes.MD5 = '0123456789abcdef0123456789abcdef']`}, "md5 not computed", false},
	{"a URL's piece named by LIKE", []string{`[url:value LIKE '%/wp-admin/%.php']`}, "GET http://a.example/WP-ADMIN/x.php 404", true},
	{"a LIKE index, a line without the piece", []string{`[url:value LIKE '%/wp-admin/%.php']`}, "GET http://a.example/wp-login.php 200", false},
	{"a piece a regular expression needs", []string{`[url:value MATCHES '^https?://[a-z]+\\.evil\\.example/gate']`}, "GET https://c.evil.example/gate?id=1", true},
	{"a regular expression's index, a line without its piece", []string{`[url:value MATCHES '^https?://[a-z]+\\.evil\\.example/gate']`}, "GET https://c.good.example/gate?id=1", false},
	{"a regular expression without a piece", []string{`[url:value MATCHES '(?i)gate']`}, "nothing here", true},
	{"a LIKE on IPv6 addresses, which are written anew", []string{`[ipv6-addr:value LIKE '2001:db8:%']`}, "nothing here", true},
	{"a pattern without an anchor", []string{`[ipv4-addr:value != '10.0.0.1']`}, "nothing here", true},
	{"a package name is never in text", []string{`[software:name = 'cn.example.steal']`}, "installed cn.example.steal", false},
}

// TestMayMatchText: the filter passes exactly the lines the table says, and never
// stops a line that the index matches (ObserveText then Match, the oracle it must agree
// with). Seen failing with each of its "may" rules for URLs, e-mail addresses, IPv6
// addresses and hashes left out.
func TestMayMatchText(t *testing.T) {
	for _, c := range textFilterCases {
		x := NewIndex()
		for _, s := range c.patterns {
			p, err := ParsePattern(s)
			if err != nil {
				t.Fatalf("%s: %v", s, err)
			}
			x.Add(p)
		}
		got := x.MayMatchText(c.text)
		if got != c.want {
			t.Errorf("%s: MayMatchText(%q) = %v, want %v", c.name, c.text, got, c.want)
		}
		o := ObserveText(c.text, time.Time{})
		matched := false
		x.Match(&o, func(int) { matched = true })
		if matched && !got {
			t.Errorf("%s: the index matches %q but MayMatchText stops it", c.name, c.text)
		}
	}
}

// FuzzMayMatchText: on any line, no index that matches the line (ObserveText then Match)
// is told by MayMatchText that it cannot: an index of each kind of anchor alone (the
// filter looks for fewer things in a line then) and one of all of them; and the index of
// all of them finds what MatchOne, pattern by pattern, finds.
func FuzzMayMatchText(f *testing.F) {
	kinds := []string{
		`[ipv4-addr:value = '10.0.0.1']`, `[ipv4-addr:value ISSUBSET '198.51.100.0/24']`,
		`[ipv6-addr:value ISSUBSET '2001:db8::/32']`, `[domain-name:value = 'evil.example']`,
		`[domain-name:value LIKE '%.bad.example']`, `[email-addr:value = 'x@mail.example']`,
		`[url:value = 'http://u.example/a']`, `[file:hashes.MD5 = '0123456789abcdef0123456789abcdef']`,
		`[url:value LIKE '%/Admin/%']`, `[domain-name:value LIKE 'cdn%.example']`,
		`[email-addr:value MATCHES '^ceo@[a-z]+\\.example$']`, `[ipv4-addr:value LIKE '10.9%']`,
		`[file:hashes.MD5 LIKE 'abcd%']`, `[url:value LIKE '%evil-gate%']`,
	}
	// The index of all of them has texts of five first bytes, past which MayMatchText
	// scans with the whole automaton instead of skipping to each first byte: both ways
	// are fuzzed.
	all := NewIndex()
	xs := []*Index{all}
	for _, s := range kinds {
		p, err := ParsePattern(s)
		if err != nil {
			f.Fatal(err)
		}
		all.Add(p)
		one := NewIndex()
		one.Add(p)
		xs = append(xs, one)
	}
	for _, c := range textFilterCases {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		o := ObserveText(text, time.Time{})
		// The index of all kinds finds what trying each pattern finds.
		if got, want := indexAndOneByOne(all, &o); !slices.Equal(got, want) {
			t.Fatalf("%q (%v): the index finds %v, one by one %v", text, o.Values, got, want)
		}
		for _, x := range xs {
			matched := false
			x.Match(&o, func(int) { matched = true })
			if matched && !x.MayMatchText(text) {
				t.Fatalf("the index of %d patterns matches %q (%v) but MayMatchText stops it", x.Len(), text, o.Values)
			}
		}
	})
}

// FuzzParseV4: parseV4 takes exactly the strings net/netip parses as IPv4 addresses, as
// the same addresses.
func FuzzParseV4(f *testing.F) {
	for _, s := range []string{"10.0.0.1", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1..2.3", "0.0.0.0", "1.2.3.04", "::1", "1.2.3.4 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := parseV4(s)
		b, err := netip.ParseAddr(s)
		want := err == nil && b.Is4()
		if ok != want || ok && a != b {
			t.Fatalf("parseV4(%q) = %v %v; netip.ParseAddr gives %v %v", s, a, ok, b, err)
		}
	})
}

// TestSubstringOf: the text a LIKE or MATCHES comparison makes an event's value hold, from
// a table written by hand (folded; none when every piece is shorter than three bytes or
// matched without regard to case).
func TestSubstringOf(t *testing.T) {
	for _, c := range []struct {
		pattern, want string
	}{
		{`[url:value LIKE '%/wp-admin/%.php']`, "/wp-admin/"},
		{`[url:value LIKE 'http://EVIL.example/%']`, "http://evil.example/"},
		{`[url:value LIKE '%a_b%']`, ""},
		{`[url:value LIKE '%%']`, ""},
		{`[url:value MATCHES '^https?://[a-z]+\\.evil\\.example/gate']`, ".evil.example/gate"},
		{`[url:value MATCHES '(gate\\.php)']`, "gate.php"},
		{`[url:value MATCHES '(?i)gate\\.php']`, ""},
		{`[url:value MATCHES 'evil|bad']`, ""},
		{`[url:value MATCHES 'x(abc)?y']`, ""},
		{`[domain-name:value MATCHES 'Überweisung\\.example']`, "überweisung.example"},
	} {
		p, err := ParsePattern(c.pattern)
		if err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		cmp := p.Observations()[0].Cmp.(*Comparison)
		got, ok := cmp.substringOf()
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: %q %v, want %q", c.pattern, got, ok, c.want)
		}
	}
}
