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
