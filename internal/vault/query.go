package vault

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Expr is a parsed search expression. Build one with ParseQuery.
//
// The language:
//
//	term            events containing the token(s) of term, e.g. denied, 10.0.0.1
//	"a phrase"      events with these tokens in this order, adjacent
//	field:value     host, app, procid, msgid (exact, case-insensitive), source (id)
//	field<=n        severity/sev and facility/fac with :, =, <, <=, >, >=;
//	                severity also takes names: emerg alert crit err warning notice info debug
//	a b, a AND b    both
//	a OR b          either (binds looser than AND)
//	NOT a, -a       not
//	( ... )         grouping
//
// Field values compare ASCII-case-insensitively (other bytes exactly).
// Free-text matching is by whole tokens (see the package doc), ASCII
// case-insensitive, over message, host, app, procid and msgid.
type Expr struct {
	op    exprOp
	kids  []*Expr
	field string
	cmp   string
	num   int
	text  string   // original value, for String
	toks  []string // lowercased tokens of a term/phrase or the value of host/app
	src   int64
}

type exprOp int

const (
	opAnd exprOp = iota
	opOr
	opNot
	opText // term or phrase
	opField
)

// maxQueryLen and maxQueryDepth bound parser work on hostile input.
const (
	maxQueryLen   = 4096
	maxQueryDepth = 64
)

// ParseQuery parses the search language. An empty or blank query returns
// nil, which matches every event.
func ParseQuery(s string) (*Expr, error) {
	if len(s) > maxQueryLen {
		return nil, fmt.Errorf("query: %d characters, at most %d", len(s), maxQueryLen)
	}
	toks, err := lexQuery(s)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, nil
	}
	p := &qparser{toks: toks}
	e, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("query: unexpected %q at position %d", p.toks[p.pos].s, p.toks[p.pos].at)
	}
	return e, nil
}

type qtok struct {
	kind byte // '(' ')' '"' (phrase) 'w' (word)
	s    string
	at   int
}

func lexQuery(s string) ([]qtok, error) {
	var out []qtok
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			out = append(out, qtok{kind: c, s: string(c), at: i})
			i++
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("query: unterminated phrase starting at position %d", i)
			}
			out = append(out, qtok{kind: '"', s: s[i+1 : i+1+j], at: i})
			i += j + 2
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n()", rune(s[j])) {
				if s[j] == '"' {
					// field:"quoted value"
					k := strings.IndexByte(s[j+1:], '"')
					if k < 0 {
						return nil, fmt.Errorf("query: unterminated quote at position %d", j)
					}
					j += k + 2
					continue
				}
				j++
			}
			out = append(out, qtok{kind: 'w', s: s[i:j], at: i})
			i = j
		}
	}
	return out, nil
}

type qparser struct {
	toks []qtok
	pos  int
}

func (p *qparser) peekWord(w string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == 'w' && p.toks[p.pos].s == w
}

func (p *qparser) or(depth int) (*Expr, error) {
	if depth > maxQueryDepth {
		return nil, errors.New("query: nested too deeply")
	}
	left, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	kids := []*Expr{left}
	for p.peekWord("OR") {
		p.pos++
		r, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, r)
	}
	if len(kids) == 1 {
		return left, nil
	}
	return &Expr{op: opOr, kids: kids}, nil
}

func (p *qparser) and(depth int) (*Expr, error) {
	var kids []*Expr
	for p.pos < len(p.toks) {
		t := p.toks[p.pos]
		if t.kind == ')' || (t.kind == 'w' && t.s == "OR") {
			break
		}
		if t.kind == 'w' && t.s == "AND" {
			if len(kids) == 0 {
				return nil, fmt.Errorf("query: AND at position %d has nothing on its left", t.at)
			}
			p.pos++
			continue
		}
		e, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, e)
	}
	switch len(kids) {
	case 0:
		if p.pos < len(p.toks) {
			return nil, fmt.Errorf("query: expected a term at position %d, found %q", p.toks[p.pos].at, p.toks[p.pos].s)
		}
		return nil, errors.New("query: expected a term at the end")
	case 1:
		return kids[0], nil
	}
	return &Expr{op: opAnd, kids: kids}, nil
}

func (p *qparser) unary(depth int) (*Expr, error) {
	if depth > maxQueryDepth {
		return nil, errors.New("query: nested too deeply")
	}
	t := p.toks[p.pos]
	switch {
	case t.kind == 'w' && t.s == "NOT":
		p.pos++
		if p.pos >= len(p.toks) {
			return nil, fmt.Errorf("query: NOT at position %d has nothing to negate", t.at)
		}
		e, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &Expr{op: opNot, kids: []*Expr{e}}, nil
	case t.kind == 'w' && len(t.s) > 1 && t.s[0] == '-':
		p.toks[p.pos].s = t.s[1:]
		p.toks[p.pos].at++
		e, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &Expr{op: opNot, kids: []*Expr{e}}, nil
	case t.kind == '(':
		p.pos++
		e, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].kind != ')' {
			return nil, fmt.Errorf("query: parenthesis at position %d is not closed", t.at)
		}
		p.pos++
		return e, nil
	case t.kind == ')':
		return nil, fmt.Errorf("query: unexpected ) at position %d", t.at)
	case t.kind == '"':
		p.pos++
		return textExpr(t.s, t.at)
	}
	p.pos++
	if e, ok, err := fieldExpr(t.s, t.at); ok || err != nil {
		return e, err
	}
	return textExpr(t.s, t.at)
}

func textExpr(s string, at int) (*Expr, error) {
	var toks []string
	eachToken(s, func(tok string) { toks = append(toks, lowerASCII(tok)) })
	if len(toks) == 0 {
		return nil, fmt.Errorf("query: %q at position %d has no searchable characters (letters, digits, '.', '_')", s, at)
	}
	return &Expr{op: opText, text: s, toks: toks}, nil
}

var severityNames = map[string]int{
	"emerg": 0, "emergency": 0, "alert": 1, "crit": 2, "critical": 2, "err": 3, "error": 3,
	"warning": 4, "warn": 4, "notice": 5, "info": 6, "informational": 6, "debug": 7,
}

func fieldExpr(s string, at int) (*Expr, bool, error) {
	i := strings.IndexAny(s, ":<>=")
	if i <= 0 {
		return nil, false, nil
	}
	field := strings.ToLower(s[:i])
	rest := s[i:]
	cmp := ""
	for _, c := range []string{"<=", ">=", ":", "=", "<", ">"} {
		if strings.HasPrefix(rest, c) {
			cmp = c
			break
		}
	}
	val := rest[len(cmp):]
	if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
		val = val[1 : len(val)-1]
	}
	if strings.Contains(val, `"`) {
		return nil, true, fmt.Errorf("query: %s at position %d: quotes must enclose the whole value", field, at)
	}
	switch field {
	case "severity", "sev", "facility", "fac":
		if field == "sev" {
			field = "severity"
		}
		if field == "fac" {
			field = "facility"
		}
		n, err := strconv.Atoi(val)
		if err != nil {
			v, ok := severityNames[strings.ToLower(val)]
			if field != "severity" || !ok {
				return nil, true, fmt.Errorf("query: %s at position %d: %q is not a number", field, at, val)
			}
			n = v
		}
		hi := 7
		if field == "facility" {
			hi = 23
		}
		if n < 0 || n > hi {
			return nil, true, fmt.Errorf("query: %s at position %d: %d is outside 0..%d", field, at, n, hi)
		}
		if cmp == ":" {
			cmp = "="
		}
		return &Expr{op: opField, field: field, cmp: cmp, num: n, text: val}, true, nil
	case "host", "app", "procid", "msgid", "source":
		if cmp != ":" && cmp != "=" {
			return nil, true, fmt.Errorf("query: %s at position %d takes : or =, not %s", field, at, cmp)
		}
		e := &Expr{op: opField, field: field, cmp: "=", text: val, toks: []string{lowerASCII(val)}}
		if field == "source" {
			id, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return nil, true, fmt.Errorf("query: source at position %d: %q is not a source id", at, val)
			}
			e.src = id
		}
		return e, true, nil
	}
	// Not a known field: "a:b" is free text (e.g. a MAC address or "user:root").
	return nil, false, nil
}

// String renders the expression in the query language, fully parenthesised.
func (e *Expr) String() string {
	if e == nil {
		return ""
	}
	switch e.op {
	case opAnd, opOr:
		parts := make([]string, len(e.kids))
		for i, k := range e.kids {
			parts[i] = k.String()
		}
		sep := " AND "
		if e.op == opOr {
			sep = " OR "
		}
		return "(" + strings.Join(parts, sep) + ")"
	case opNot:
		return "NOT " + e.kids[0].String()
	case opText:
		return `"` + strings.Join(e.toks, " ") + `"`
	default:
		if e.field == "severity" || e.field == "facility" {
			return e.field + e.cmp + strconv.Itoa(e.num)
		}
		// The language has no escapes: quote the value verbatim.
		return e.field + `:"` + e.text + `"`
	}
}

// match reports whether ev satisfies e.
func (e *Expr) match(ev *Event) bool {
	switch e.op {
	case opAnd:
		for _, k := range e.kids {
			if !k.match(ev) {
				return false
			}
		}
		return true
	case opOr:
		for _, k := range e.kids {
			if k.match(ev) {
				return true
			}
		}
		return false
	case opNot:
		return !e.kids[0].match(ev)
	case opText:
		for _, f := range [...]string{ev.Message, ev.Host, ev.App, ev.ProcID, ev.MsgID} {
			if hasPhrase(f, e.toks) {
				return true
			}
		}
		return false
	}
	switch e.field {
	case "severity":
		return ev.Severity >= 0 && compare(ev.Severity, e.cmp, e.num)
	case "facility":
		return ev.Facility >= 0 && compare(ev.Facility, e.cmp, e.num)
	case "host":
		return equalFoldASCII(ev.Host, e.toks[0])
	case "app":
		return equalFoldASCII(ev.App, e.toks[0])
	case "procid":
		return equalFoldASCII(ev.ProcID, e.toks[0])
	case "msgid":
		return equalFoldASCII(ev.MsgID, e.toks[0])
	case "source":
		return ev.SourceID == e.src
	}
	return false
}

func compare(a int, cmp string, b int) bool {
	switch cmp {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	}
	return a == b
}

// containsFold reports whether s contains the lowercased tok, ASCII
// case-insensitively.
func containsFold(s, tok string) bool {
	if len(tok) == 0 {
		return true
	}
	// Anchor the scan on the last byte of tok that has no case (a digit,
	// '.', '_', a non-ASCII byte): one IndexByte instead of two, and on a
	// byte rarer than a first letter. Without letters at all the plain
	// (vectorised) substring search is exact.
	a := -1
	for i := len(tok) - 1; i >= 0; i-- {
		if c := tok[i]; c < 'a' || c > 'z' {
			a = i
			break
		}
	}
	if a >= 0 {
		if a == len(tok)-1 && !hasLetter(tok) {
			return strings.Contains(s, tok)
		}
		c := tok[a]
		for i := a; i < len(s); {
			j := strings.IndexByte(s[i:], c)
			if j < 0 {
				return false
			}
			if p := i + j - a; p+len(tok) <= len(s) && equalFoldASCII(s[p:p+len(tok)], tok) {
				return true
			}
			i += j + 1
		}
		return false
	}
	c0 := tok[0]
	u0 := c0
	if c0 >= 'a' && c0 <= 'z' {
		u0 = c0 - 32
	}
	for i := 0; i+len(tok) <= len(s); {
		j := strings.IndexByte(s[i:], c0)
		if u0 != c0 {
			if k := strings.IndexByte(s[i:], u0); k >= 0 && (j < 0 || k < j) {
				j = k
			}
		}
		if j < 0 || i+j+len(tok) > len(s) {
			return false
		}
		if equalFoldASCII(s[i+j:i+j+len(tok)], tok) {
			return true
		}
		i += j + 1
	}
	return false
}

// hasLetter reports whether the lowercased tok has an ASCII letter.
func hasLetter(tok string) bool {
	for i := 0; i < len(tok); i++ {
		if tok[i] >= 'a' && tok[i] <= 'z' {
			return true
		}
	}
	return false
}

// lowerASCII lowercases ASCII letters only, leaving other bytes (and
// invalid UTF-8) as they are, to match how tokens are compared.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lower(c)
	}
	return string(b)
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != b[i] {
			return false
		}
	}
	return true
}

// hasPhrase reports whether s contains the lowercased tokens toks as
// consecutive tokens.
func hasPhrase(s string, toks []string) bool {
	if len(s) == 0 {
		return false
	}
	// Cheap rejection first: every token must occur as a substring.
	// Most events fail here, and IndexByte is far faster than tokenizing.
	for _, t := range toks {
		if !containsFold(s, t) {
			return false
		}
	}
	var buf [32]string
	seq := buf[:0]
	found := false
	eachToken(s, func(tok string) {
		if found {
			return
		}
		seq = append(seq, tok)
		if len(seq) < len(toks) {
			return
		}
		w := seq[len(seq)-len(toks):]
		for i := range toks {
			if !equalFoldASCII(w[i], toks[i]) {
				return
			}
		}
		found = true
	})
	return found
}

// partView is what mayMatch judges: one part's index and the block's.
type partView struct {
	m *blockMeta
	p *partMeta
}

// mayMatch reports whether a part might hold a matching event, judging by
// its index entry. It must never say false for a part with a match.
func (e *Expr) mayMatch(v partView) bool {
	switch e.op {
	case opAnd:
		for _, k := range e.kids {
			if !k.mayMatch(v) {
				return false
			}
		}
		return true
	case opOr:
		for _, k := range e.kids {
			if k.mayMatch(v) {
				return true
			}
		}
		return false
	case opNot:
		return true
	case opText:
		for _, t := range e.toks {
			if v.m.legacy && !legacyIndexed(t) {
				continue
			}
			if !v.p.bloom.has(tokenHash(keyText, t)) {
				return false
			}
		}
		return true
	}
	switch e.field {
	case "severity":
		for s := 0; s <= 7; s++ {
			if v.p.sevMask&(1<<uint(s+1)) != 0 && compare(s, e.cmp, e.num) {
				return true
			}
		}
		return false
	case "facility":
		for f := 0; f <= 23; f++ {
			if v.p.facMask&(1<<uint(f+1)) != 0 && compare(f, e.cmp, e.num) {
				return true
			}
		}
		return false
	case "host":
		return v.p.bloom.has(tokenHash(keyHost, e.toks[0]))
	case "app":
		return v.p.bloom.has(tokenHash(keyApp, e.toks[0]))
	case "source":
		return v.hasSource(e.src)
	}
	return true
}

// hasSource reports whether the part may hold events of source id: the
// block lists its sources unless it has too many, then the filter knows.
func (v partView) hasSource(id int64) bool {
	if v.m.manySrc {
		return v.p.bloom.has(tokenHash(keySource, strconv.FormatInt(id, 10)))
	}
	for _, s := range v.m.sources {
		if s == id {
			return true
		}
	}
	return false
}
