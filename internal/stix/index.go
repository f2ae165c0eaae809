package stix

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/gaissmai/bart"
)

// Index finds, for one event, the patterns among many that it satisfies, without trying
// each: addresses and CIDR blocks are looked up in a prefix table (gaissmai/bart, every
// enclosing block), domain names by walking their suffixes ("a.evil.example",
// "evil.example", "example") in a hash map, URLs, e-mail addresses and hashes by exact
// value, and LIKE and MATCHES comparisons by a text their value must hold, all such texts
// in one Aho–Corasick automaton (substring.go). A pattern whose observations name no
// anchor (a !=, a regular expression without a literal piece) is tried on every event.
// Candidates are then confirmed with MatchOne, so the index only ever saves work, never
// changes an answer.
//
// An Index is built once and then read; Match may be called from many goroutines.
type Index struct {
	pats    []*Pattern
	ips     bart.Table[[]int32]
	exact   map[string]map[string][]int32 // path → folded value → patterns
	suffix  map[string][]int32            // domain (folded) matched by itself and its subdomains
	always  []int32                       // patterns without an anchor
	anchors int
	v4      v4Filter
	kinds   textKinds // of the anchors, for MayMatchText
	subs    substrings
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{exact: map[string]map[string][]int32{}, suffix: map[string][]int32{}}
}

// Len is the number of patterns added.
func (x *Index) Len() int { return len(x.pats) }

// Pattern returns the i-th pattern added.
func (x *Index) Pattern(i int) *Pattern { return x.pats[i] }

// Add indexes p and returns its number (0, 1, ...), which Match reports.
func (x *Index) Add(p *Pattern) int {
	i := int32(len(x.pats))
	x.pats = append(x.pats, p)
	var as []anchor
	for _, o := range p.Observations() {
		a, ok := anchorsOf(o.Cmp)
		if !ok {
			x.always = append(x.always, i)
			return int(i)
		}
		as = append(as, a...)
	}
	for _, a := range as {
		x.anchors++
		x.kinds.note(a)
		switch a.kind {
		case anchorPrefix:
			x.ips.Modify(a.prefix, func(v []int32, _ bool) ([]int32, bool) { return appendOnce(v, i), false })
			x.v4.add(a.prefix, &x.ips)
		case anchorSuffix:
			x.suffix[a.key] = appendOnce(x.suffix[a.key], i)
		case anchorSubstring:
			x.subs.add(a.path, a.key, i)
		default:
			byValue := x.exact[a.path]
			if byValue == nil {
				byValue = map[string][]int32{}
				x.exact[a.path] = byValue
			}
			byValue[a.key] = appendOnce(byValue[a.key], i)
		}
	}
	return int(i)
}

func appendOnce(v []int32, i int32) []int32 {
	if len(v) > 0 && v[len(v)-1] == i {
		return v
	}
	return append(v, i)
}

type anchorKind int

const (
	anchorExact anchorKind = iota
	anchorPrefix
	anchorSuffix
	anchorSubstring // a text the value must hold (substring.go)
)

type anchor struct {
	kind   anchorKind
	path   string // of an exact anchor
	key    string // the folded value (exact), the domain (suffix)
	prefix netip.Prefix
}

// anchorsOf returns values at least one of which an event must show for c to hold: for
// OR the anchors of both sides, for AND those of either side.
func anchorsOf(c CmpExpr) ([]anchor, bool) {
	switch v := c.(type) {
	case *CmpOp:
		l, lok := anchorsOf(v.L)
		r, rok := anchorsOf(v.R)
		if v.Op == "OR" {
			return append(l, r...), lok && rok
		}
		if lok {
			return l, true
		}
		return r, rok
	case *Comparison:
		if v.Not {
			return nil, false
		}
		var lits []Literal
		switch v.Op {
		case "=":
			lits = []Literal{v.Value}
		case "IN":
			lits = v.Set
		case "ISSUBSET":
			return []anchor{{kind: anchorPrefix, prefix: v.cidr}}, true
		case "LIKE", "MATCHES":
			// '%.evil.example' is every subdomain of evil.example: a suffix anchor.
			if s := v.Value.S; v.Op == "LIKE" && v.Path.Type == "domain-name" && strings.HasPrefix(s, "%.") && !strings.ContainsAny(s[2:], "%_") {
				return []anchor{{kind: anchorSuffix, key: strings.ToLower(s[2:])}}, true
			}
			path := v.valuesPath()
			if text, ok := v.substringOf(); ok && substringPath(path) {
				return []anchor{{kind: anchorSubstring, path: path, key: text}}, true
			}
			return nil, false
		default:
			return nil, false
		}
		var out []anchor
		for _, l := range lits {
			a, ok := v.anchorFor(l)
			if !ok {
				return nil, false
			}
			out = append(out, a)
		}
		return out, len(out) > 0
	}
	return nil, false
}

func (c *Comparison) anchorFor(l Literal) (anchor, bool) {
	if l.Kind != LitString {
		return anchor{}, false
	}
	switch c.Path.Type {
	case "ipv4-addr", "ipv6-addr":
		p, err := parsePrefix(l.S)
		return anchor{kind: anchorPrefix, prefix: p}, err == nil
	case "domain-name":
		return anchor{kind: anchorExact, path: "domain-name:value", key: foldDomain(l.S)}, true
	case "email-addr":
		return anchor{kind: anchorExact, path: "email-addr:value", key: strings.ToLower(l.S)}, true
	case "url":
		return anchor{kind: anchorExact, path: "url:value", key: l.S}, true
	case "file", "x509-certificate", "software":
		if c.Path.Steps[0] == "hashes" {
			return anchor{kind: anchorExact, path: c.Path.Type + ":hashes." + normHash(c.Path.Steps[1]), key: strings.ToLower(l.S)}, true
		}
		return anchor{kind: anchorExact, path: c.Path.Type + ":" + c.Path.Steps[0], key: l.S}, true
	}
	return anchor{}, false
}

func foldDomain(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }

// Match calls fn once with the number of every indexed pattern one of whose
// observations o satisfies (MatchOne), in no particular order.
func (x *Index) Match(o *Observed, fn func(i int)) {
	// The patterns tried: most events have no candidate at all and few have many, so a
	// short list on the stack, not a map made for every event.
	var buf [16]int32
	tried := buf[:0]
	var triedMany map[int32]bool
	try := func(ids []int32) {
		for _, i := range ids {
			if triedMany != nil {
				if triedMany[i] {
					continue
				}
				triedMany[i] = true
			} else {
				if slices.Contains(tried, i) {
					continue
				}
				if tried = append(tried, i); len(tried) > len(buf) {
					triedMany = map[int32]bool{}
					for _, t := range tried {
						triedMany[t] = true
					}
				}
			}
			if x.pats[i].MatchOne(o) {
				fn(int(i))
			}
		}
	}
	for _, path := range o.paths {
		vals := o.Values[path]
		exact := x.exact[path]
		for _, v := range vals {
			switch path {
			case "ipv4-addr:value", "ipv6-addr:value":
				// Most addresses are in no indicator: a longest-prefix lookup says so
				// before the walk over every prefix that holds the address.
				a, ok := parseV4(v)
				if !ok {
					var err error
					a, err = netip.ParseAddr(v)
					ok = err == nil
				}
				if ok {
					if !x.v4.mayHold(a) {
						continue
					}
					if _, ok := x.ips.Lookup(a); ok {
						for _, ids := range x.ips.Supernets(netip.PrefixFrom(a, a.BitLen())) {
							try(ids)
						}
					}
				} else if p, err := parsePrefix(v); err == nil {
					for _, ids := range x.ips.Supernets(p) {
						try(ids)
					}
				}
			case "domain-name:value":
				d := foldDomain(v)
				try(exact[d])
				for s := d; ; {
					try(x.suffix[s])
					dot := strings.IndexByte(s, '.')
					if dot < 0 {
						break
					}
					s = s[dot+1:]
				}
			case "email-addr:value":
				try(exact[strings.ToLower(v)])
			default:
				try(exact[v])
			}
		}
	}
	if len(x.subs.texts) > 0 {
		for _, path := range o.paths {
			if x.subs.paths[path] {
				for _, v := range o.Values[path] {
					x.subs.each(v, try)
				}
			}
		}
	}
	try(x.always)
}
