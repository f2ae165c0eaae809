package stix

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Pattern is a parsed STIX pattern (section 9). Parse one with ParsePattern.
type Pattern struct {
	Root ObsExpr
	src  string
}

// String is the pattern's text as it was parsed.
func (p *Pattern) String() string { return p.src }

// ObsExpr is an observation expression: an *Observation, an *ObsOp joining two, or a
// *Qualified one.
type ObsExpr interface{ obsExpr() }

// ObsOp joins two observation expressions with AND, OR or FOLLOWEDBY.
type ObsOp struct {
	Op   string
	L, R ObsExpr
}

// Observation is one bracketed observation, "[comparison expression]".
type Observation struct {
	Cmp CmpExpr
	Pos int // byte offset of its "["
}

// Qualified is an observation expression with a qualifier (section 9.6): WITHIN n
// SECONDS, REPEATS n TIMES, or START t'...' STOP t'...'.
type Qualified struct {
	X           ObsExpr
	Within      time.Duration // > 0 for WITHIN
	Repeats     int           // > 0 for REPEATS
	Start, Stop time.Time     // both set for START ... STOP
}

func (*ObsOp) obsExpr()       {}
func (*Observation) obsExpr() {}
func (*Qualified) obsExpr()   {}

// CmpExpr is a comparison expression inside an observation: a *Comparison or a *CmpOp.
type CmpExpr interface{ cmpExpr() }

// CmpOp joins two comparison expressions with AND or OR.
type CmpOp struct {
	Op   string
	L, R CmpExpr
}

// Comparison tests one property of an observed object (section 9.5).
type Comparison struct {
	Path Path
	Not  bool
	// Op is =, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET or EXISTS.
	Op    string
	Value Literal   // the right-hand side (not for IN and EXISTS)
	Set   []Literal // the right-hand side of IN
	re    *regexp.Regexp
	cidr  netip.Prefix
}

func (*CmpOp) cmpExpr()      {}
func (*Comparison) cmpExpr() {}

// Path is an object path, "file:hashes.'SHA-256'": the object type and the property
// steps.
type Path struct {
	Type  string
	Steps []string
}

// String writes the path as "type:step.step".
func (p Path) String() string { return p.Type + ":" + strings.Join(p.Steps, ".") }

// LiteralKind tells the kinds of literal apart.
type LiteralKind int

// The kinds of literal (section 9.3).
const (
	LitString LiteralKind = iota
	LitInt
	LitFloat
	LitBool
	LitTimestamp
	LitHex
	LitBinary
)

// Literal is a constant of a comparison.
type Literal struct {
	Kind LiteralKind
	S    string // the string, or the literal's text for the other kinds
	N    float64
	B    bool
	T    time.Time
}

// supportedPaths are the object paths ciiguard matches: against log events the value of
// each address-like observable and a file's hashes, name and size; against an app store's
// packages also a software's name (the app's package name) and a certificate's hashes
// (the signing certificate's fingerprints). Anything else is refused at its position
// rather than silently never matching.
var supportedPaths = map[string][]string{
	"ipv4-addr":        {"value"},
	"ipv6-addr":        {"value"},
	"domain-name":      {"value"},
	"url":              {"value"},
	"email-addr":       {"value"},
	"file":             {"hashes", "name", "size"},
	"software":         {"name"},
	"x509-certificate": {"hashes"},
}

// ParsePattern parses a STIX 2.1 pattern. An error is a *PatternError naming the
// position of the first problem: a syntax error, a keyword in the wrong place, or a
// construct ciiguard does not evaluate (an object type or property other than those of
// supportedPaths, a regular expression RE2 does not accept).
func ParsePattern(s string) (*Pattern, error) {
	if len(s) > MaxPatternLen {
		return nil, &PatternError{Pos: 1, Msg: fmt.Sprintf("the pattern is %d bytes long, at most %d", len(s), MaxPatternLen)}
	}
	toks, err := lexPattern(s)
	if err != nil {
		return nil, err
	}
	p := &parser{src: s, toks: toks}
	root, err := p.followedBy(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errAt(t, "unexpected %s after the pattern", describe(t))
	}
	return &Pattern{Root: root, src: s}, nil
}

type parser struct {
	src  string
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errAt(t token, format string, args ...any) error {
	return posErr(p.src, t.pos, format, args...)
}

func (p *parser) isWord(w string) bool { t := p.peek(); return t.kind == tIdent && t.text == w }
func (p *parser) isPunct(c string) bool {
	t := p.peek()
	return t.kind == tPunct && t.text == c
}

func (p *parser) expectPunct(c string) error {
	if !p.isPunct(c) {
		return p.errAt(p.peek(), "expected %q, found %s", c, describe(p.peek()))
	}
	p.next()
	return nil
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "the end of the pattern"
	case tString:
		return "a string"
	case tInt, tFloat:
		return "the number " + t.text
	case tTimestamp, tHex, tBinary:
		return "a literal"
	}
	return fmt.Sprintf("%q", t.text)
}

// deep refuses nesting beyond maxPatternDepth parentheses, counted at each "(".
func (p *parser) deep(depth int) error {
	if depth > maxPatternDepth {
		return p.errAt(p.peek(), "nested deeper than %d levels", maxPatternDepth)
	}
	return nil
}

// Observation operators, loosest first: FOLLOWEDBY, OR, AND (section 9.4, operator
// precedence); each is left-associative.
func (p *parser) followedBy(depth int) (ObsExpr, error) {
	return p.obsBinary(depth, "FOLLOWEDBY", p.obsOr)
}

func (p *parser) obsOr(depth int) (ObsExpr, error) { return p.obsBinary(depth, "OR", p.obsAnd) }

func (p *parser) obsAnd(depth int) (ObsExpr, error) { return p.obsBinary(depth, "AND", p.qualified) }

func (p *parser) obsBinary(depth int, op string, sub func(int) (ObsExpr, error)) (ObsExpr, error) {
	if err := p.deep(depth); err != nil {
		return nil, err
	}
	l, err := sub(depth)
	if err != nil {
		return nil, err
	}
	for p.isWord(op) {
		p.next()
		r, err := sub(depth)
		if err != nil {
			return nil, err
		}
		l = &ObsOp{Op: op, L: l, R: r}
	}
	return l, nil
}

// qualified reads an observation or a parenthesised observation expression and the
// qualifiers after it.
func (p *parser) qualified(depth int) (ObsExpr, error) {
	if err := p.deep(depth); err != nil {
		return nil, err
	}
	var x ObsExpr
	t := p.peek()
	switch {
	case p.isPunct("["):
		p.next()
		c, err := p.cmpOr(depth)
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct("]"); err != nil {
			return nil, err
		}
		if err := p.sameType(c, t); err != nil {
			return nil, err
		}
		x = &Observation{Cmp: c, Pos: t.pos}
	case p.isPunct("("):
		p.next()
		inner, err := p.followedBy(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		x = inner
	default:
		return nil, p.errAt(t, "expected an observation \"[...]\" or \"(\", found %s", describe(t))
	}
	for {
		q, ok, err := p.qualifier()
		if err != nil {
			return nil, err
		}
		if !ok {
			return x, nil
		}
		q.X = x
		x = q
	}
}

func (p *parser) qualifier() (*Qualified, bool, error) {
	switch {
	case p.isWord("WITHIN"):
		p.next()
		t := p.next()
		n, err := strconv.ParseFloat(t.text, 64)
		if (t.kind != tInt && t.kind != tFloat) || err != nil || n <= 0 || n > 1e9 {
			return nil, false, p.errAt(t, "WITHIN needs a positive number of seconds, found %s", describe(t))
		}
		if !p.isWord("SECONDS") {
			return nil, false, p.errAt(p.peek(), "expected SECONDS, found %s", describe(p.peek()))
		}
		p.next()
		return &Qualified{Within: time.Duration(n * float64(time.Second))}, true, nil
	case p.isWord("REPEATS"):
		p.next()
		t := p.next()
		n, err := strconv.Atoi(t.text)
		if t.kind != tInt || err != nil || n <= 0 || n > 1_000_000 {
			return nil, false, p.errAt(t, "REPEATS needs a positive whole number, found %s", describe(t))
		}
		if !p.isWord("TIMES") {
			return nil, false, p.errAt(p.peek(), "expected TIMES, found %s", describe(p.peek()))
		}
		p.next()
		return &Qualified{Repeats: n}, true, nil
	case p.isWord("START"):
		p.next()
		start, err := p.timestamp()
		if err != nil {
			return nil, false, err
		}
		if !p.isWord("STOP") {
			return nil, false, p.errAt(p.peek(), "expected STOP, found %s", describe(p.peek()))
		}
		stopTok := p.next()
		stop, err := p.timestamp()
		if err != nil {
			return nil, false, err
		}
		if !stop.After(start) {
			return nil, false, p.errAt(stopTok, "STOP must be later than START")
		}
		return &Qualified{Start: start, Stop: stop}, true, nil
	}
	return nil, false, nil
}

func (p *parser) timestamp() (time.Time, error) {
	t := p.next()
	if t.kind != tTimestamp {
		return time.Time{}, p.errAt(t, "expected a timestamp t'...', found %s", describe(t))
	}
	ts, err := ParseTimestamp(t.text)
	if err != nil {
		return time.Time{}, p.errAt(t, "%v", err)
	}
	return ts.Time, nil
}

// Comparison operators inside an observation: OR looser than AND.
func (p *parser) cmpOr(depth int) (CmpExpr, error) { return p.cmpBinary(depth, "OR", p.cmpAnd) }

func (p *parser) cmpAnd(depth int) (CmpExpr, error) { return p.cmpBinary(depth, "AND", p.cmpUnit) }

func (p *parser) cmpBinary(depth int, op string, sub func(int) (CmpExpr, error)) (CmpExpr, error) {
	if err := p.deep(depth); err != nil {
		return nil, err
	}
	l, err := sub(depth)
	if err != nil {
		return nil, err
	}
	for p.isWord(op) {
		p.next()
		r, err := sub(depth)
		if err != nil {
			return nil, err
		}
		l = &CmpOp{Op: op, L: l, R: r}
	}
	return l, nil
}

func (p *parser) cmpUnit(depth int) (CmpExpr, error) {
	if err := p.deep(depth); err != nil {
		return nil, err
	}
	if p.isPunct("(") {
		p.next()
		c, err := p.cmpOr(depth + 1)
		if err != nil {
			return nil, err
		}
		return c, p.expectPunct(")")
	}
	if p.isWord("EXISTS") {
		p.next()
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		return &Comparison{Path: path, Op: "EXISTS"}, nil
	}
	return p.comparison()
}

// path reads "type:prop(.prop|[n])*" and refuses what ciiguard does not evaluate.
func (p *parser) path() (Path, error) {
	t := p.next()
	if t.kind != tIdent {
		return Path{}, p.errAt(t, "expected an object path such as ipv4-addr:value, found %s", describe(t))
	}
	props, ok := supportedPaths[t.text]
	if !ok {
		return Path{}, p.errAt(t, "object type %q is not supported (ipv4-addr, ipv6-addr, domain-name, url, email-addr, file)", t.text)
	}
	if err := p.expectPunct(":"); err != nil {
		return Path{}, err
	}
	path := Path{Type: t.text}
	first := p.next()
	if first.kind != tIdent && first.kind != tString {
		return Path{}, p.errAt(first, "expected a property name, found %s", describe(first))
	}
	if !contains(props, first.text) {
		return Path{}, p.errAt(first, "property %s:%s is not supported (%s)", t.text, first.text, strings.Join(props, ", "))
	}
	path.Steps = append(path.Steps, first.text)
	for p.isPunct(".") || p.isPunct("[") {
		sep := p.next()
		if sep.text == "[" {
			return Path{}, p.errAt(sep, "list indexes in object paths are not supported")
		}
		step := p.next()
		if step.kind != tIdent && step.kind != tString {
			return Path{}, p.errAt(step, "expected a property name, found %s", describe(step))
		}
		if first.text != "hashes" || len(path.Steps) > 1 {
			return Path{}, p.errAt(step, "property %s.%s is not supported", path, step.text)
		}
		path.Steps = append(path.Steps, step.text)
	}
	if first.text == "hashes" && len(path.Steps) != 2 {
		return Path{}, p.errAt(first, "%s:hashes needs an algorithm, e.g. %s:hashes.'SHA-256'", path.Type, path.Type)
	}
	return path, nil
}

func (p *parser) comparison() (CmpExpr, error) {
	pathTok := p.peek()
	path, err := p.path()
	if err != nil {
		return nil, err
	}
	c := &Comparison{Path: path}
	if p.isWord("NOT") {
		p.next()
		c.Not = true
	}
	opTok := p.next()
	switch {
	case opTok.kind == tOp:
		c.Op = map[string]string{"==": "=", "<>": "!="}[opTok.text]
		if c.Op == "" {
			c.Op = opTok.text
		}
	case opTok.kind == tIdent && contains([]string{"IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET"}, opTok.text):
		c.Op = opTok.text
	default:
		return nil, p.errAt(opTok, "expected a comparison operator after %s, found %s", path, describe(opTok))
	}
	if c.Op == "IN" {
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		for !p.isPunct(")") {
			if len(c.Set) > 0 {
				if err := p.expectPunct(","); err != nil {
					return nil, err
				}
			}
			lit, err := p.literal()
			if err != nil {
				return nil, err
			}
			c.Set = append(c.Set, lit)
		}
		p.next()
		return c, nil
	}
	valTok := p.peek()
	if c.Value, err = p.literal(); err != nil {
		return nil, err
	}
	switch c.Op {
	case "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET":
		if c.Value.Kind != LitString {
			return nil, p.errAt(valTok, "%s needs a string", c.Op)
		}
	}
	switch c.Op {
	case "LIKE":
		c.re = likeRegexp(c.Value.S)
	case "MATCHES":
		if c.re, err = regexp.Compile(c.Value.S); err != nil {
			return nil, p.errAt(valTok, "regular expression not supported: %v", err)
		}
	case "ISSUBSET", "ISSUPERSET":
		if path.Type != "ipv4-addr" && path.Type != "ipv6-addr" {
			return nil, p.errAt(pathTok, "%s applies to ipv4-addr and ipv6-addr values only", c.Op)
		}
		pre, err := parsePrefix(c.Value.S)
		if err != nil {
			return nil, p.errAt(valTok, "%q is not an address or CIDR block", c.Value.S)
		}
		c.cidr = pre
	}
	return c, nil
}

func (p *parser) literal() (Literal, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return Literal{Kind: LitString, S: t.text}, nil
	case tInt, tFloat:
		n, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return Literal{}, p.errAt(t, "%q is not a number", t.text)
		}
		k := LitInt
		if t.kind == tFloat {
			k = LitFloat
		}
		return Literal{Kind: k, S: t.text, N: n}, nil
	case tTimestamp:
		ts, err := ParseTimestamp(t.text)
		if err != nil {
			return Literal{}, p.errAt(t, "%v", err)
		}
		return Literal{Kind: LitTimestamp, S: t.text, T: ts.Time}, nil
	case tHex:
		if _, err := hex.DecodeString(t.text); err != nil {
			return Literal{}, p.errAt(t, "h'%s' is not hexadecimal", t.text)
		}
		return Literal{Kind: LitHex, S: t.text}, nil
	case tBinary:
		if _, err := base64.StdEncoding.DecodeString(t.text); err != nil {
			return Literal{}, p.errAt(t, "b'%s' is not base64", t.text)
		}
		return Literal{Kind: LitBinary, S: t.text}, nil
	case tIdent:
		if t.text == "true" || t.text == "false" {
			return Literal{Kind: LitBool, S: t.text, B: t.text == "true"}, nil
		}
	}
	return Literal{}, p.errAt(t, "expected a constant, found %s", describe(t))
}

// sameType refuses comparisons joined by AND inside one observation that speak of two
// object types: one observation is one observed object, so such an AND can never hold
// (the OASIS reference library, cti-python-stix2, refuses it the same way).
func (p *parser) sameType(c CmpExpr, open token) error {
	var check func(CmpExpr) (string, error)
	check = func(c CmpExpr) (string, error) {
		switch v := c.(type) {
		case *Comparison:
			return v.Path.Type, nil
		case *CmpOp:
			l, err := check(v.L)
			if err != nil {
				return "", err
			}
			r, err := check(v.R)
			if err != nil {
				return "", err
			}
			if v.Op == "AND" && l != r && l != "" && r != "" {
				return "", p.errAt(open, "comparisons joined by AND in one observation must be about one object type, not %s and %s", l, r)
			}
			if l != r {
				return "", nil
			}
			return l, nil
		}
		return "", nil
	}
	_, err := check(c)
	return err
}

// likeRegexp turns a LIKE pattern (% any run, _ one character) into an anchored
// regular expression.
func likeRegexp(s string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^(?s:")
	for _, r := range s {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(")$")
	return regexp.MustCompile(b.String())
}

// parsePrefix reads an address or a CIDR block as a prefix (an address is its /32 or
// /128).
func parsePrefix(s string) (netip.Prefix, error) {
	// An address (what every observed value is) goes straight to ParseAddr: ParsePrefix
	// would refuse it first, building an error per event.
	if strings.IndexByte(s, '/') >= 0 {
		if pre, err := netip.ParsePrefix(s); err == nil {
			return pre.Masked(), nil
		}
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
