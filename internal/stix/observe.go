package stix

import (
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// Expressions that find observables in free text (a log line). They look for candidates;
// addresses are then checked by net/netip so that "999.1.1.1" or a clock "08:17:27" is
// not taken for one.
var (
	urlRe    = regexp.MustCompile(`(?i)\b(?:https?|ftp)://[^\s"'<>]+`)
	emailRe  = regexp.MustCompile(`[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,63}`)
	ipv4Re   = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
	ipv6Re   = regexp.MustCompile(`[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}`)
	domainRe = regexp.MustCompile(`\b(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]\b`)
	hexRe    = regexp.MustCompile(`\b[0-9a-fA-F]{32,128}\b`)
)

// hashByLen names the hash a hexadecimal string of each length is taken for.
var hashByLen = map[int]string{32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}

// ObserveText finds the observables in a line of log text: IPv4 and IPv6 addresses,
// domain names, URLs (and their hosts), e-mail addresses (and their domains) and
// hexadecimal strings of the length of an MD5, SHA-1, SHA-256 or SHA-512 hash, which are
// recorded as file hashes. at is the event's time.
func ObserveText(text string, at time.Time) Observed {
	o := Observed{Time: at}
	for _, u := range urlRe.FindAllString(text, 16) {
		u = strings.TrimRight(u, ".,;:)]}")
		o.Add("url:value", u)
		host := u[strings.Index(u, "://")+3:]
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		if i := strings.LastIndexByte(host, '@'); i >= 0 {
			host = host[i+1:]
		}
		if h, _, ok := strings.Cut(host, ":"); ok && !strings.Contains(h, "[") {
			host = h
		}
		addHost(&o, strings.Trim(host, "[]"))
	}
	for _, e := range emailRe.FindAllString(text, 16) {
		o.Add("email-addr:value", e)
		addHost(&o, e[strings.LastIndexByte(e, '@')+1:])
	}
	for _, s := range ipv4Re.FindAllString(text, 64) {
		if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
			o.Add("ipv4-addr:value", a.String())
		}
	}
	if strings.Contains(text, "::") || strings.Count(text, ":") >= 7 {
		for _, s := range ipv6Re.FindAllString(text, 64) {
			if a, err := netip.ParseAddr(s); err == nil && a.Is6() {
				o.Add("ipv6-addr:value", a.String())
			}
		}
	}
	for _, d := range domainRe.FindAllString(text, 64) {
		if _, err := netip.ParseAddr(d); err == nil {
			continue
		}
		if hasLetter(d[strings.LastIndexByte(d, '.')+1:]) {
			o.Add("domain-name:value", strings.ToLower(d))
		}
	}
	for _, h := range hexRe.FindAllString(text, 16) {
		if alg, ok := hashByLen[len(h)]; ok {
			o.Add("file:hashes."+alg, strings.ToLower(h))
		}
	}
	return o
}

func addHost(o *Observed, host string) {
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Is4() {
			o.Add("ipv4-addr:value", a.String())
		} else {
			o.Add("ipv6-addr:value", a.String())
		}
		return
	}
	if host != "" {
		o.Add("domain-name:value", strings.ToLower(strings.TrimSuffix(host, ".")))
	}
}

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}
