package stix

import (
	"fmt"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/coregx/ahocorasick"
)

// Substring anchors: a LIKE or MATCHES comparison names no value to look up, but it names
// text the value must contain (the longest literal run of "%/wp-admin/%.php", a literal
// the regular expression cannot match without). An index keeps those texts in one
// Aho–Corasick automaton, so an event is tried on such a pattern only when one of them is
// in it, instead of every pattern without an anchor being tried on every event.
//
// Texts are compared folded to lower case (strings.ToLower): a domain name or a hash is
// observed in lower case whatever the line's case, and Unicode's lower case maps one
// character at a time, so a folded text that is in a value is in the folded line.

// minSubstring is the shortest text kept as an anchor: shorter ones are in too many lines
// to save anything.
const minSubstring = 3

// substringPath reports whether the values of path are pieces of the line they were
// observed in, as they were written or folded: an IPv6 address is written anew (its
// canonical form), so it is not.
func substringPath(path string) bool {
	switch path {
	case "url:value", "domain-name:value", "email-addr:value", "ipv4-addr:value":
		return true
	}
	return strings.HasPrefix(path, "file:hashes.")
}

// substringOf returns the folded text an event's value must contain for c to hold, if c
// names one of at least minSubstring bytes.
func (c *Comparison) substringOf() (string, bool) {
	var lits []string
	switch c.Op {
	case "LIKE":
		// % is any run, _ one character: the runs between them are in every match.
		lits = strings.FieldsFunc(c.Value.S, func(r rune) bool { return r == '%' || r == '_' })
	case "MATCHES":
		lits = requiredLiterals(c.Value.S)
	}
	best := ""
	for _, l := range lits {
		if len(l) > len(best) {
			best = l
		}
	}
	if len(best) < minSubstring {
		return "", false
	}
	return strings.ToLower(best), true
}

// requiredLiterals returns literal texts every match of the regular expression re holds:
// the case-sensitive literals of its top-level concatenation. A literal matched without
// regard to case is left out: Go's case folding is not strings.ToLower.
func requiredLiterals(re string) []string {
	r, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return nil
	}
	r = r.Simplify()
	for r.Op == syntax.OpCapture {
		r = r.Sub[0]
	}
	subs := []*syntax.Regexp{r}
	if r.Op == syntax.OpConcat {
		subs = r.Sub
	}
	var out []string
	for _, s := range subs {
		if s.Op == syntax.OpLiteral && s.Flags&syntax.FoldCase == 0 {
			out = append(out, string(s.Rune))
		}
	}
	return out
}

// substrings is an index's substring anchors and the automaton over them, built when
// first needed after the last Add.
type substrings struct {
	texts  []string        // folded, distinct
	ids    map[string]int  // text → its place in texts
	pats   [][]int32       // patterns of each text
	paths  map[string]bool // the paths the anchors are on
	mu     sync.Mutex      // guards built and starts
	built  *ahocorasick.Automaton
	starts int // distinct first bytes of the texts
}

// add records that pattern i holds only for an event with text in a value of path.
func (s *substrings) add(path, text string, i int32) {
	if s.ids == nil {
		s.ids, s.paths = map[string]int{}, map[string]bool{}
	}
	k, ok := s.ids[text]
	if !ok {
		k = len(s.texts)
		s.ids[text] = k
		s.texts = append(s.texts, text)
		s.pats = append(s.pats, nil)
	}
	s.pats[k] = appendOnce(s.pats[k], i)
	s.paths[path] = true
	s.mu.Lock()
	s.built = nil
	s.mu.Unlock()
}

// automaton returns the automaton over the texts (nil when there are none, or when it
// could not be built: then every text counts as found).
func (s *substrings) automaton() (*ahocorasick.Automaton, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.built == nil && len(s.texts) > 0 {
		a, err := ahocorasick.NewBuilder().AddStrings(s.texts).Build()
		if err != nil {
			return nil, fmt.Errorf("stix: substring automaton: %w", err)
		}
		var first [256]bool
		s.starts = 0
		for _, t := range s.texts {
			if !first[t[0]] {
				first[t[0]] = true
				s.starts++
			}
		}
		s.built = a
	}
	return s.built, nil
}

// in reports whether one of the texts may be in t.
func (s *substrings) in(t string) bool {
	if len(s.texts) == 0 {
		return false
	}
	a, err := s.automaton()
	if err != nil {
		return true
	}
	var buf [512]byte
	h := appendFold(buf[:0], t)
	// IsMatch skips to the next byte some text starts with, one search per such byte:
	// quick for a few, not for dozens.
	if s.starts <= 4 {
		return a.IsMatch(h)
	}
	return len(a.FindAllOverlapping(h)) > 0
}

// each calls fn with the patterns of every text that may be in t.
func (s *substrings) each(t string, fn func(ids []int32)) {
	if len(s.texts) == 0 {
		return
	}
	a, err := s.automaton()
	if err != nil {
		for _, ids := range s.pats {
			fn(ids)
		}
		return
	}
	var buf [512]byte
	for _, m := range a.FindAllOverlapping(appendFold(buf[:0], t)) {
		fn(s.pats[m.PatternID])
	}
}

// appendFold appends strings.ToLower(t) to dst, an ASCII line a byte at a time.
func appendFold(dst []byte, t string) []byte {
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c >= utf8.RuneSelf {
			return append(dst, strings.ToLower(t)...)
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
