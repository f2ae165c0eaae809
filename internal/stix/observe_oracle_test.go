package stix

import (
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/vault/loggen"
)

// The regular expressions ObserveText used for addresses and domain names before its
// one-pass scanner; kept here as the oracle the scanner must agree with.
var (
	oracleIPv4   = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
	oracleDomain = regexp.MustCompile(`\b(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]\b`)
)

func oracleDotted(text string) (ips, domains []string) {
	for _, s := range oracleIPv4.FindAllString(text, -1) {
		if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
			ips = append(ips, a.String())
		}
	}
	for _, d := range oracleDomain.FindAllString(text, -1) {
		if _, err := netip.ParseAddr(d); err != nil && hasLetter(d[strings.LastIndexByte(d, '.')+1:]) {
			domains = append(domains, strings.ToLower(d))
		}
	}
	return uniqSorted(ips), uniqSorted(domains)
}

func uniqSorted(s []string) []string {
	sort.Strings(s)
	return slices.Compact(s)
}

// TestScanDottedAgreesWithRegexps: over 20,000 lines of the vault's log generator (the
// demo's firewalls, IDS, VPN, bastions, WAFs) the scanner finds exactly the addresses and
// domain names the regular expressions found. Where the two differ by design, the
// expected result is written by hand (the regular expression took "1.2.3.4" out of the
// version number "1.2.3.4.5"; the scanner does not).
func TestScanDottedAgreesWithRegexps(t *testing.T) {
	for _, c := range []struct{ line, ips, domains string }{
		{"dns query A.B.Evil.Example. from 10.0.0.1.", "10.0.0.1", "a.b.evil.example"},
		{"host -bad-.example and good-1.example", "", "good-1.example"},
		{"1.2.3.4.5 and 256.1.1.1 and 01.2.3.4", "", ""},
		{"www.example.com:443/path", "", "www.example.com"},
	} {
		var o Observed
		scanDotted(&o, c.line)
		ips := strings.Join(uniqSorted(o.Values["ipv4-addr:value"]), " ")
		domains := strings.Join(uniqSorted(o.Values["domain-name:value"]), " ")
		if ips != c.ips || domains != c.domains {
			t.Errorf("%q: found %q %q, want %q %q", c.line, ips, domains, c.ips, c.domains)
		}
	}
	g := loggen.New(20260101, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 1)
	var lines []string
	for range 20000 {
		l, _ := g.Next()
		lines = append(lines, string(l))
	}
	for _, l := range lines {
		var o Observed
		scanDotted(&o, l)
		ips, domains := oracleDotted(l)
		gotIPs, gotDomains := uniqSorted(slices.Clone(o.Values["ipv4-addr:value"])), uniqSorted(slices.Clone(o.Values["domain-name:value"]))
		if !slices.Equal(gotIPs, ips) || !slices.Equal(gotDomains, domains) {
			t.Fatalf("%q:\n scanner %v %v\n regexps %v %v", l, gotIPs, gotDomains, ips, domains)
		}
	}
}

// TestSignsMissNoAddressOrHash: ObserveText runs the IPv6 and hash expressions only when
// its signs (the colons and v6Sign, scanDotted's run of hexadecimal digits) say a line may
// hold one. Over hand-written lines (every form of IPv6 address
// the expression and net/netip take, clocks and ports that are none) and 20,000 generated
// lines with an address or hash put in some, what ObserveText finds is what running the
// expressions on every line finds (the oracle: the expressions without the sign).
func TestSignsMissNoAddressOrHash(t *testing.T) {
	oracle := func(text string) (v6, hashes []string) {
		for _, s := range ipv6Re.FindAllString(text, 64) {
			if a, err := netip.ParseAddr(s); err == nil && a.Is6() {
				v6 = append(v6, a.String())
			}
		}
		for _, h := range hexRe.FindAllString(text, 16) {
			if _, ok := hashByLen[len(h)]; ok {
				hashes = append(hashes, strings.ToLower(h))
			}
		}
		return uniqSorted(v6), uniqSorted(hashes)
	}
	lines := []string{
		"ids 2001:db8::5 -> 2001:db9::1", "full 2001:db8:0:0:1:0:0:1 form", "loopback ::1 and ::", "fe80::1%eth0 zone",
		"mapped ::ffff:192.0.2.1", "at 10:00:00 from 10.0.0.1:443 to [2001:db8::7]:8443", "mac 00:1a:2b:3c:4d:5e",
		"six colons 1:2:3:4:5:6:7 short", "seven 1:2:3:4:5:6:7:8", "md5=CEAD3F77F6CDA6EC00F57D76C9A6879F",
		"sha1 " + strings.Repeat("ab", 20) + " and 31 digits " + strings.Repeat("a", 31), "nothing 12:34",
	}
	g := loggen.New(7, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 1)
	for i := range 20000 {
		l, _ := g.Next()
		switch i % 50 {
		case 0:
			l = append(l, " src 2001:db8:85a3::8a2e:370:7334"...)
		case 1:
			l = append(l, " sha256="+strings.Repeat("0f", 32)...)
		}
		lines = append(lines, string(l))
	}
	for _, l := range lines {
		o := ObserveText(l, time.Time{})
		v6, hashes := oracle(l)
		var gotHashes []string
		for _, alg := range hashByLen {
			gotHashes = append(gotHashes, o.Values["file:hashes."+alg]...)
		}
		if got := uniqSorted(slices.Clone(o.Values["ipv6-addr:value"])); !slices.Equal(got, v6) {
			t.Fatalf("%q: IPv6 %v, the expression alone %v", l, got, v6)
		}
		if got := uniqSorted(gotHashes); !slices.Equal(got, hashes) {
			t.Fatalf("%q: hashes %v, the expression alone %v", l, got, hashes)
		}
	}
}
