package stix

import (
	"net/netip"
	"strings"
)

// textKinds records which kinds of observable the anchors of an index name, so that
// MayMatchText looks in a line only for those.
type textKinds struct {
	v4, v6, domain, email, url, hash, sub bool
}

// note records the kind of observable anchor a names.
func (k *textKinds) note(a anchor) {
	switch a.kind {
	case anchorPrefix:
		if a.prefix.Addr().Is4() {
			k.v4 = true
		} else {
			k.v6 = true
		}
	case anchorSuffix:
		k.domain = true
	case anchorSubstring:
		k.sub = true
	default:
		switch {
		case a.path == "domain-name:value":
			k.domain = true
		case a.path == "email-addr:value":
			k.email = true
		case a.path == "url:value":
			k.url = true
		case strings.HasPrefix(a.path, "file:hashes."):
			k.hash = true
		}
		// Other paths (a package name, a certificate's hash) are never observed in
		// text: ObserveText makes none, so no line can match them through the index.
	}
}

// MayMatchText reports whether a line whose text is text may hold what one of the indexed
// patterns matches: it is false only when Match, given ObserveText(text), would try no
// pattern. A live sweep asks it first: most lines hold nothing any indicator names, and
// telling so from the line's addresses and names, looked up as they are found, costs a
// fraction of observing the line and matching the observation.
//
// It answers "may" without looking further wherever ObserveText finds values in other
// ways than as a dotted run of letters and digits: a line with a URL or an e-mail address
// (their hosts may be written unlike any run), an IPv6 address or a hexadecimal run of a
// hash's length, when the index names that kind; and always when a pattern has no anchor.
// A LIKE or MATCHES pattern's text is looked for in the folded line by the index's
// automaton.
func (x *Index) MayMatchText(text string) bool {
	k := &x.kinds
	if len(x.always) > 0 {
		return true
	}
	if k.url || k.domain || k.v6 {
		// A URL's host is a run of its own when it is an IPv4 address (between "//" or
		// "@" and "/", "?", "#" or ":"), and an IPv6 one has the IPv6 sign, but a name
		// may hold what no run does ("a_b.evil.example").
		url, v6 := colonSigns(text)
		if url && (k.url || k.domain) {
			return true
		}
		if k.v6 && v6 && v6Sign(text) {
			return true
		}
	}
	if (k.email || k.domain) && strings.IndexByte(text, '@') >= 0 {
		return true
	}
	if k.hash && hasHexRun(text, 32) {
		return true
	}
	if k.sub && x.subs.in(text) {
		return true
	}
	if !k.v4 && !k.domain {
		return false
	}
	for i := 0; ; {
		var tok string
		if tok, i = nextDotted(text, i); i < 0 {
			return false
		}
		if a, ok := parseV4(tok); ok {
			if k.v4 && x.v4.mayHold(a) {
				if _, ok := x.ips.Lookup(a); ok {
					return true
				}
			}
			continue
		}
		if k.domain && isDomain(tok) && x.domainMayMatch(tok) {
			return true
		}
	}
}

// domainMayMatch reports whether Match would try a pattern for the domain name d: one
// named exactly, or one for a domain d is or is under.
func (x *Index) domainMayMatch(d string) bool {
	d = foldDomain(d)
	if len(x.exact["domain-name:value"][d]) > 0 {
		return true
	}
	for s := d; ; {
		if len(x.suffix[s]) > 0 {
			return true
		}
		dot := strings.IndexByte(s, '.')
		if dot < 0 {
			return false
		}
		s = s[dot+1:]
	}
}

// nextDotted returns the first run of letters, digits, dots and hyphens holding a dot
// that starts at or after i in text, its outer dots and hyphens trimmed, and where to look
// for the next one; the index is -1 when there is none. The runs are found from the dots
// (a vectorised search) rather than by classifying every byte of the line.
func nextDotted(text string, i int) (string, int) {
	for i < len(text) {
		k := strings.IndexByte(text[i:], '.')
		if k < 0 {
			break
		}
		// The run around the dot; it cannot reach back past i, which follows the
		// previous run's end (a byte outside the class) or is the line's start.
		start, end := i+k, i+k+1
		for start > i && byteClass[text[start-1]]&classDotted != 0 {
			start--
		}
		for end < len(text) && byteClass[text[end]]&classDotted != 0 {
			end++
		}
		i = end
		if tok := trimDots(text[start:end]); strings.IndexByte(tok, '.') >= 0 {
			return tok, i
		}
	}
	return "", -1
}

// parseV4 is netip.ParseAddr for what it takes as an IPv4 address (four decimal fields of
// 0 to 255 without leading zeros), at a fraction of its cost: a line's dotted runs are
// mostly not addresses, and netip builds an error for each of those.
func parseV4(s string) (netip.Addr, bool) {
	var b [4]byte
	field, val, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == 1 && val == 0 {
				return netip.Addr{}, false // a leading zero
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return netip.Addr{}, false
			}
		case c == '.' && digits > 0 && field < 3:
			b[field] = byte(val)
			field, val, digits = field+1, 0, 0
		default:
			return netip.Addr{}, false
		}
	}
	if field != 3 || digits == 0 {
		return netip.Addr{}, false
	}
	b[3] = byte(val)
	return netip.AddrFrom4(b), true
}
