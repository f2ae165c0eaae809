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
	urlRe   = regexp.MustCompile(`(?i)\b(?:https?|ftp)://[^\s"'<>]+`)
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,63}`)
	ipv6Re  = regexp.MustCompile(`[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}`)
	hexRe   = regexp.MustCompile(`\b[0-9a-fA-F]{32,128}\b`)
)

// hashByLen names the hash a hexadecimal string of each length is taken for.
var hashByLen = map[int]string{32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}

// ObserveText finds the observables in a line of log text: IPv4 and IPv6 addresses,
// domain names, URLs (and their hosts), e-mail addresses (and their domains) and
// hexadecimal strings of the length of an MD5, SHA-1, SHA-256 or SHA-512 hash, which are
// recorded as file hashes. at is the event's time.
func ObserveText(text string, at time.Time) Observed {
	var o Observed
	ObserveTextInto(&o, text, at)
	return o
}

// ObserveTextInto is ObserveText into o, whose earlier values are dropped but whose map and
// slices are kept: a sweep over millions of events observes each into the same Observed,
// so that it allocates nothing per event. With a million indicators the live heap is large,
// and every collection scans it: garbage made per event cost more than the matching.
func ObserveTextInto(o *Observed, text string, at time.Time) {
	o.Reset(at)
	// Each kind is looked for only when the cheap sign of it is there: most log lines
	// hold no URL, no e-mail address and no hash.
	url, v6 := colonSigns(text)
	if url {
		observeURLs(o, text)
	}
	if strings.IndexByte(text, '@') >= 0 {
		for _, e := range emailRe.FindAllString(text, 16) {
			o.Add("email-addr:value", e)
			addHost(o, e[strings.LastIndexByte(e, '@')+1:])
		}
	}
	scanDotted(o, text)
	// Every IPv6 address has "::" or seven colons: most lines have neither, which two
	// vectorised searches tell before a pass over the bytes.
	if v6 && v6Sign(text) {
		for _, s := range ipv6Re.FindAllString(text, 64) {
			if a, err := netip.ParseAddr(s); err == nil && a.Is6() {
				o.Add("ipv6-addr:value", a.String())
			}
		}
	}
	if hasHexRun(text, 32) {
		for _, h := range hexRe.FindAllString(text, 16) {
			if alg, ok := hashByLen[len(h)]; ok {
				o.Add("file:hashes."+alg, strings.ToLower(h))
			}
		}
	}
}

// colonSigns finds, in one pass over the colons of text, whether it holds "://" (a URL
// may be there) and "::" or seven colons (an IPv6 address may be); three searches of
// the whole line did the same at twice the cost, timestamps' colons being everywhere.
func colonSigns(text string) (url, v6 bool) {
	colons := 0
	for i := 0; ; {
		k := strings.IndexByte(text[i:], ':')
		if k < 0 {
			return url, v6 || colons >= 7
		}
		i += k + 1
		colons++
		if i < len(text) && text[i] == ':' {
			v6 = true
		}
		if i+1 < len(text) && text[i] == '/' && text[i+1] == '/' {
			url = true
		}
		if url && (v6 || colons >= 7) {
			return true, true
		}
	}
}

func observeURLs(o *Observed, text string) {
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
		addHost(o, strings.Trim(host, "[]"))
	}
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

// scanDotted finds IPv4 addresses and domain names: each is a run of letters, digits,
// dots and hyphens holding a dot (nextDotted); a run of four dotted numbers that net/netip
// would accept is an address (parseV4), one of at least two DNS labels (isDomain) a
// domain name. A regular expression per kind did the same at several times the cost.
func scanDotted(o *Observed, text string) {
	for i := 0; ; {
		var tok string
		if tok, i = nextDotted(text, i); i < 0 {
			return
		}
		if _, ok := parseV4(tok); ok {
			// parseV4 takes only the canonical dotted quad (no leading zeros), so the
			// token is the address's String without making it.
			o.Add("ipv4-addr:value", tok)
			continue
		}
		if isDomain(tok) {
			o.Add("domain-name:value", strings.ToLower(tok))
		}
	}
}

// hasHexRun reports whether text holds n hexadecimal digits in a row. It looks at every
// n-th byte: a run of n must cover one of them, and a byte that is not a digit rules out
// every run through it, so a line without such a run is mostly skipped, not read.
func hasHexRun(text string, n int) bool {
	for i := n - 1; i < len(text); {
		if byteClass[text[i]]&classHex == 0 {
			i += n
			continue
		}
		start, end := i, i+1
		for start > 0 && byteClass[text[start-1]]&classHex != 0 && i-start < n {
			start--
		}
		for end < len(text) && byteClass[text[end]]&classHex != 0 && end-start < n {
			end++
		}
		if end-start >= n {
			return true
		}
		i = end + n
	}
	return false
}

// trimDots is strings.Trim(s, ".-") without building the cut set for each token.
func trimDots(s string) string {
	for len(s) > 0 && (s[0] == '.' || s[0] == '-') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == '.' || s[len(s)-1] == '-') {
		s = s[:len(s)-1]
	}
	return s
}

// Byte classes for the two passes over every line, looked up rather than compared: the
// passes touch each byte of millions of lines.
const (
	classDotted = 1 << iota // a letter, a digit, '.' or '-': part of an address or a name
	classHex                // a hexadecimal digit
)

var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		if b == '.' || b == '-' || b >= '0' && b <= '9' || b|0x20 >= 'a' && b|0x20 <= 'z' {
			t[c] |= classDotted
		}
		if b >= '0' && b <= '9' || b|0x20 >= 'a' && b|0x20 <= 'f' {
			t[c] |= classHex
		}
	}
	return t
}()

// isDomain: labels of 1 to 63 letters, digits and inner hyphens, the last (the top-level
// domain) of at least two characters starting with a letter, so that a time such as
// "01.267Z" is not taken for a name.
func isDomain(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 || len(s) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
	}
	tld := labels[len(labels)-1]
	return len(tld) >= 2 && tld[0]|0x20 >= 'a' && tld[0]|0x20 <= 'z'
}

// v6Sign reports whether a run of hexadecimal digits and colons in text holds "::" or
// seven colons: an IPv6 address may be there (every one has either, and ipv6Re matches
// only such runs). Clocks and ports ("10:00:00", "10.0.0.1:443") are neither.
func v6Sign(text string) bool {
	colons := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case byteClass[c]&classHex != 0:
		case c == ':':
			if colons++; colons >= 7 || i > 0 && text[i-1] == ':' {
				return true
			}
		default:
			colons = 0
		}
	}
	return false
}
