package stix

import (
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Observed is what one log event shows of the observables a pattern speaks of: the
// values found for each object path ("ipv4-addr:value", "file:hashes.SHA-256", ...), and
// the event's time for the qualifiers.
//
// Values are filled through Add, which also lists the paths that hold values: a reused
// Observed keeps every path it ever had in its map, and walking that map per event cost a
// retro-hunt more than the lookups.
type Observed struct {
	Time   time.Time
	Values map[string][]string
	paths  []string // the paths of Values that hold values, in the order first added
}

// Reset empties o for another event at time at, keeping its map and slices for reuse: a
// path left with no values reads as absent.
func (o *Observed) Reset(at time.Time) {
	o.Time = at
	for _, k := range o.paths {
		o.Values[k] = o.Values[k][:0]
	}
	o.paths = o.paths[:0]
}

// Add records value under path.
func (o *Observed) Add(path, value string) {
	if o.Values == nil {
		o.Values = map[string][]string{}
	}
	vs := o.Values[path]
	if len(vs) == 0 {
		o.paths = append(o.paths, path)
	}
	if !slices.Contains(vs, value) {
		o.Values[path] = append(vs, value)
	}
}

// MatchObservation reports whether one observed object set satisfies observation x's
// comparison expression.
func MatchObservation(x *Observation, o *Observed) bool { return evalCmp(x.Cmp, o) }

func evalCmp(c CmpExpr, o *Observed) bool {
	switch v := c.(type) {
	case *CmpOp:
		if v.Op == "AND" {
			return evalCmp(v.L, o) && evalCmp(v.R, o)
		}
		return evalCmp(v.L, o) || evalCmp(v.R, o)
	case *Comparison:
		return v.eval(o)
	}
	return false
}

// eval: a comparison holds when some observed value of its path satisfies it (section
// 9.5: an object path that is absent makes the comparison false, NOT included).
func (c *Comparison) eval(o *Observed) bool {
	vals := o.Values[c.valuesPath()]
	if c.Op == "EXISTS" {
		return len(vals) > 0
	}
	for _, v := range vals {
		if c.test(v) != c.Not {
			return true
		}
	}
	return false
}

// valuesPath is the key of Observed.Values that c's path reads: a hash under the
// algorithm's name as normHash spells it.
func (c *Comparison) valuesPath() string {
	if c.Path.Steps[0] == "hashes" {
		return c.Path.Type + ":hashes." + normHash(c.Path.Steps[1])
	}
	return c.Path.String()
}

// normHash spells hash algorithm names as the hash-algorithm-ov vocabulary does.
func normHash(s string) string {
	u := strings.ToUpper(s)
	switch strings.ReplaceAll(u, "-", "") {
	case "MD5":
		return "MD5"
	case "SHA1":
		return "SHA-1"
	case "SHA256":
		return "SHA-256"
	case "SHA512":
		return "SHA-512"
	}
	return u
}

func (c *Comparison) test(v string) bool {
	switch c.Op {
	case "=", "!=":
		eq := c.equal(v, c.Value)
		return eq == (c.Op == "=")
	case "IN":
		for _, l := range c.Set {
			if c.equal(v, l) {
				return true
			}
		}
		return false
	case "LIKE", "MATCHES":
		return c.re.MatchString(v)
	case "ISSUBSET":
		p, err := parsePrefix(v)
		return err == nil && p.Bits() >= c.cidr.Bits() && c.cidr.Contains(p.Addr())
	case "ISSUPERSET":
		p, err := parsePrefix(v)
		return err == nil && p.Bits() <= c.cidr.Bits() && p.Contains(c.cidr.Addr())
	case "<", "<=", ">", ">=":
		return c.order(v)
	}
	return false
}

// equal compares an observed value with a constant as the object type's values compare:
// addresses as addresses (so ::1 equals 0:0:0:0:0:0:0:1), domain names and hashes
// without regard to case, the rest exactly.
func (c *Comparison) equal(v string, l Literal) bool {
	switch c.Path.Type {
	case "ipv4-addr", "ipv6-addr":
		a, errA := parsePrefix(v)
		b, errB := parsePrefix(l.S)
		if errA == nil && errB == nil {
			return a == b
		}
	case "domain-name", "email-addr":
		return strings.EqualFold(strings.TrimSuffix(v, "."), strings.TrimSuffix(l.S, "."))
	case "x509-certificate":
		return strings.EqualFold(v, l.S)
	case "file":
		if c.Path.Steps[0] == "hashes" {
			return strings.EqualFold(v, l.S)
		}
		if c.Path.Steps[0] == "size" {
			n, err := strconv.ParseFloat(v, 64)
			return err == nil && n == l.N
		}
	}
	return v == l.S
}

func (c *Comparison) order(v string) bool {
	var cmp int
	if c.Value.Kind == LitInt || c.Value.Kind == LitFloat {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false
		}
		switch {
		case n < c.Value.N:
			cmp = -1
		case n > c.Value.N:
			cmp = 1
		}
	} else {
		cmp = strings.Compare(v, c.Value.S)
	}
	switch c.Op {
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	}
	return cmp >= 0
}

// Observations returns the pattern's observations, left to right.
func (p *Pattern) Observations() []*Observation {
	var out []*Observation
	var walk func(ObsExpr)
	walk = func(x ObsExpr) {
		switch v := x.(type) {
		case *Observation:
			out = append(out, v)
		case *ObsOp:
			walk(v.L)
			walk(v.R)
		case *Qualified:
			walk(v.X)
		}
	}
	walk(p.Root)
	return out
}

// MatchOne reports whether one event alone satisfies some observation of the pattern:
// the test a sweep applies to each event before it weighs the whole pattern with Match.
func (p *Pattern) MatchOne(o *Observed) bool {
	for _, x := range p.Observations() {
		if MatchObservation(x, o) {
			return true
		}
	}
	return false
}

// span is one way a (sub)pattern is satisfied: by events from first to last.
type span struct{ first, last time.Time }

// maxSpans bounds the ways kept per subexpression, so that hostile patterns over many
// events cannot take quadratic memory.
const maxSpans = 4096

// Match reports whether the events, taken as a set of observations, satisfy the whole
// pattern (section 9.4 and 9.6):
//
//   - [a] OR [b]: either is satisfied;
//   - [a] AND [b]: both are, by any events;
//   - [a] FOLLOWEDBY [b]: b is satisfied by events no earlier than the last of a's;
//   - WITHIN n SECONDS: by events that all fall within n seconds;
//   - REPEATS n TIMES: n times, by n distinct sets of events;
//   - START s STOP e: by events whose times t satisfy s <= t < e.
//
// Each way a subexpression is satisfied is kept as the time span of its events (at most
// maxSpans of them), which is what the qualifiers and FOLLOWEDBY need.
func (p *Pattern) Match(events []Observed) bool { return len(spans(p.Root, events)) > 0 }

func spans(x ObsExpr, evs []Observed) []span {
	switch v := x.(type) {
	case *Observation:
		var out []span
		for i := range evs {
			if MatchObservation(v, &evs[i]) {
				out = append(out, span{evs[i].Time, evs[i].Time})
				if len(out) == maxSpans {
					break
				}
			}
		}
		return out
	case *ObsOp:
		l := spans(v.L, evs)
		if len(l) == 0 && v.Op != "OR" {
			return nil
		}
		r := spans(v.R, evs)
		switch v.Op {
		case "OR":
			return capSpans(append(l, r...))
		case "AND":
			return pairs(l, r, func(a, b span) bool { return true })
		default: // FOLLOWEDBY
			return pairs(l, r, func(a, b span) bool { return !b.first.Before(a.last) })
		}
	case *Qualified:
		in := spans(v.X, evs)
		var out []span
		switch {
		case v.Within > 0:
			for _, s := range in {
				if s.last.Sub(s.first) <= v.Within {
					out = append(out, s)
				}
			}
		case v.Repeats > 0:
			sort.Slice(in, func(i, j int) bool { return in[i].first.Before(in[j].first) })
			for i := 0; i+v.Repeats <= len(in); i++ {
				s := span{in[i].first, in[i].last}
				for _, t := range in[i+1 : i+v.Repeats] {
					if t.last.After(s.last) {
						s.last = t.last
					}
				}
				out = append(out, s)
			}
		default:
			for _, s := range in {
				if !s.first.Before(v.Start) && s.last.Before(v.Stop) {
					out = append(out, s)
				}
			}
		}
		return out
	}
	return nil
}

func pairs(l, r []span, ok func(a, b span) bool) []span {
	var out []span
	for _, a := range l {
		for _, b := range r {
			if !ok(a, b) {
				continue
			}
			s := a
			if b.first.Before(s.first) {
				s.first = b.first
			}
			if b.last.After(s.last) {
				s.last = b.last
			}
			out = append(out, s)
			if len(out) == maxSpans {
				return out
			}
		}
	}
	return out
}

func capSpans(s []span) []span {
	if len(s) > maxSpans {
		return s[:maxSpans]
	}
	return s
}

// Terms returns, for each observation, the constants an event must contain for that
// observation to hold — the values of its = and IN comparisons, when every alternative
// of the observation has one — so that a log search can look for them instead of
// reading every event. ok is false when some observation has no such constant (a CIDR,
// a LIKE, a !=): then only reading every event finds it.
func (p *Pattern) Terms() (terms []string, ok bool) {
	for _, x := range p.Observations() {
		t, good := cmpTerms(x.Cmp)
		if !good {
			return nil, false
		}
		terms = append(terms, t...)
	}
	return terms, true
}

// cmpTerms: for OR, both sides need terms (either may be the one that holds); for AND,
// one side's terms suffice (both must hold).
func cmpTerms(c CmpExpr) ([]string, bool) {
	switch v := c.(type) {
	case *CmpOp:
		l, lok := cmpTerms(v.L)
		r, rok := cmpTerms(v.R)
		if v.Op == "OR" {
			return append(l, r...), lok && rok
		}
		switch {
		case lok:
			return l, true
		case rok:
			return r, true
		}
		return nil, false
	case *Comparison:
		if v.Not {
			return nil, false
		}
		switch v.Op {
		case "=":
			return []string{v.Value.S}, v.Value.S != ""
		case "IN":
			var out []string
			for _, l := range v.Set {
				if l.S == "" {
					return nil, false
				}
				out = append(out, l.S)
			}
			return out, len(out) > 0
		case "ISSUBSET":
			if v.cidr.IsSingleIP() {
				return []string{v.cidr.Addr().String()}, true
			}
		}
	}
	return nil, false
}

// Prefix returns the CIDR block of an ISSUBSET or ISSUPERSET comparison, for callers
// that index addresses.
func (c *Comparison) Prefix() (netip.Prefix, bool) { return c.cidr, c.cidr.IsValid() }
