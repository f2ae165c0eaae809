package vulns

import (
	"strconv"
	"strings"
	"unicode"
)

// Advisories give affected versions as ranges more often than as one version: CSAF's
// product_version_range (often a vers string, "vers:generic/>=2.0|<2.4.1"), a CSV's "< 7.2.3"
// or ">= 1.0, < 2.0", and Chinese advisories' "4.1 及以下版本". A product record matches a
// range when its version is a version number inside it; matching the range as text would
// miss every product it names.

// VersionRange is a parsed range: a union of intervals.
type VersionRange struct {
	spans []span
}

// span is one interval; a nil bound is open on that side.
type span struct {
	lo, hi       []verToken
	loInc, hiInc bool
}

// ParseVersionRange reads s as a version range; ok is false when s has no comparison in it
// (it is then one version, compared as written) or is not a well-formed range.
func ParseVersionRange(s string) (r VersionRange, ok bool) {
	s = strings.TrimSpace(s)
	if rest, found := strings.CutPrefix(strings.ToLower(s), "vers:"); found {
		_, cons, found := strings.Cut(rest, "/")
		if !found {
			return r, false
		}
		return parseVers(strings.Split(cons, "|"))
	}
	for _, c := range []struct {
		suffix, op string
	}{{"及以下版本", "<="}, {"及以下", "<="}, {"以下版本", "<"}, {"以下", "<"}, {"及以上版本", ">="}, {"及以上", ">="}, {"以上版本", ">"}, {"以上", ">"}} {
		if v, found := strings.CutSuffix(s, c.suffix); found {
			v = strings.TrimSpace(v)
			if !isVersion(v) {
				return r, false
			}
			return parseVers([]string{c.op + v})
		}
	}
	if !strings.ContainsAny(s, "<>=") {
		return r, false
	}
	// Comparisons joined by spaces or commas all hold: ">= 1.0, < 2.0".
	var cons []string
	cur := ""
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || unicode.IsSpace(r) }) {
		if strings.Trim(f, "<>=!") == "" { // an operator written apart from its version
			cur += f
			continue
		}
		cons = append(cons, cur+f)
		cur = ""
	}
	if cur != "" {
		return r, false
	}
	return parseAnd(cons)
}

// constraint is one comparison.
type constraint struct {
	op string // <, <=, >, >=, =
	v  []verToken
}

func parseConstraint(c string) (constraint, bool) {
	c = strings.TrimSpace(c)
	for _, op := range []string{"<=", ">=", "!=", "<", ">", "="} {
		if v, found := strings.CutPrefix(c, op); found {
			v = strings.TrimSpace(v)
			if op == "!=" || !isVersion(v) {
				return constraint{}, false
			}
			return constraint{op: op, v: tokens(v)}, true
		}
	}
	if isVersion(c) {
		return constraint{op: "=", v: tokens(c)}, true
	}
	return constraint{}, false
}

// parseAnd reads comparisons that all hold: one interval.
func parseAnd(cons []string) (VersionRange, bool) {
	if len(cons) == 0 {
		return VersionRange{}, false
	}
	var sp span
	for _, c := range cons {
		x, ok := parseConstraint(c)
		if !ok {
			return VersionRange{}, false
		}
		switch x.op {
		case "=":
			sp.lo, sp.hi, sp.loInc, sp.hiInc = x.v, x.v, true, true
		case ">", ">=":
			sp.lo, sp.loInc = x.v, x.op == ">="
		case "<", "<=":
			sp.hi, sp.hiInc = x.v, x.op == "<="
		}
	}
	return VersionRange{spans: []span{sp}}, true
}

// parseVers reads vers constraints (already split on "|"): each lower bound followed by an
// upper bound is one interval, a lone upper bound first is open below, a lone lower bound
// last is open above, "=" is one version; the intervals are alternatives.
func parseVers(parts []string) (VersionRange, bool) {
	var r VersionRange
	var open *span
	for _, p := range parts {
		x, ok := parseConstraint(p)
		if !ok {
			return VersionRange{}, false
		}
		switch x.op {
		case "=":
			if open != nil {
				return VersionRange{}, false
			}
			r.spans = append(r.spans, span{lo: x.v, hi: x.v, loInc: true, hiInc: true})
		case ">", ">=":
			if open != nil {
				return VersionRange{}, false
			}
			open = &span{lo: x.v, loInc: x.op == ">="}
		case "<", "<=":
			sp := span{hi: x.v, hiInc: x.op == "<="}
			if open != nil {
				sp.lo, sp.loInc = open.lo, open.loInc
				open = nil
			} else if len(r.spans) > 0 {
				return VersionRange{}, false // an upper bound without its lower one after the first
			}
			r.spans = append(r.spans, sp)
		}
	}
	if open != nil {
		r.spans = append(r.spans, *open)
	}
	return r, len(r.spans) > 0
}

// Contains reports whether version v (a version number: it starts with a digit) is in r.
func (r VersionRange) Contains(v string) bool {
	v = strings.TrimSpace(v)
	if !isVersion(v) {
		return false
	}
	t := tokens(v)
	for _, sp := range r.spans {
		if sp.lo != nil {
			c := compareTokens(t, sp.lo)
			if c < 0 || (c == 0 && !sp.loInc) {
				continue
			}
		}
		if sp.hi != nil {
			c := compareTokens(t, sp.hi)
			if c > 0 || (c == 0 && !sp.hiInc) {
				continue
			}
		}
		return true
	}
	return false
}

// isVersion says s looks like a version number: it starts with a digit (after an optional
// "v"), so that a model name ("NE8000-X8") is never taken for one.
func isVersion(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "v"), "V")
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

// verToken is a run of digits (num) or of other characters (str) of a version.
type verToken struct {
	num   int64
	str   string
	isNum bool
}

// tokens splits a version on . - _ + and between digits and letters: "3.6.2-rc1" is
// 3 6 2 rc 1.
func tokens(s string) []verToken {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "v"), "V")
	var out []verToken
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '.' || c == '-' || c == '_' || c == '+' || c == ' ':
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			var n int64
			if digits := strings.TrimLeft(s[i:j], "0"); digits != "" {
				var err error
				if n, err = strconv.ParseInt(digits, 10, 64); err != nil {
					n = 1<<63 - 1 // an absurdly long number: larger than any real one
				}
			}
			out = append(out, verToken{num: n, isNum: true})
			i = j
		default:
			j := i
			for j < len(s) && !(s[j] >= '0' && s[j] <= '9') && s[j] != '.' && s[j] != '-' && s[j] != '_' && s[j] != '+' && s[j] != ' ' {
				j++
			}
			out = append(out, verToken{str: strings.ToLower(s[i:j])})
			i = j
		}
	}
	return out
}

// compareTokens orders two versions: numbers numerically, words alphabetically, a number
// after a word; where one ends, a following word on the other makes that one a
// pre-release (earlier: 1.0-rc1 < 1.0) and following zeros change nothing (1.0 = 1.0.0).
func compareTokens(a, b []verToken) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		switch {
		case i >= len(a):
			return -rest(b[i:])
		case i >= len(b):
			return rest(a[i:])
		}
		x, y := a[i], b[i]
		switch {
		case x.isNum && y.isNum:
			if x.num != y.num {
				return cmp(x.num, y.num)
			}
		case x.isNum:
			return 1
		case y.isNum:
			return -1
		default:
			if c := strings.Compare(x.str, y.str); c != 0 {
				return c
			}
		}
	}
	return 0
}

// rest is how the tail of a longer version orders it against its prefix: -1 for a
// pre-release word, 0 for zeros, 1 otherwise.
func rest(t []verToken) int {
	for _, x := range t {
		if !x.isNum {
			return -1
		}
		if x.num != 0 {
			return 1
		}
	}
	return 0
}

func cmp(a, b int64) int {
	if a < b {
		return -1
	}
	return 1
}
