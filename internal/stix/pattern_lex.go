package stix

import (
	"fmt"
	"strings"
)

// PatternError is a pattern the parser refuses, with the 1-based character position
// where the problem is.
type PatternError struct {
	Pos int // 1-based, in characters (runes) of the pattern
	Msg string
}

func (e *PatternError) Error() string { return fmt.Sprintf("position %d: %s", e.Pos, e.Msg) }

// Limits on hostile input: the longest pattern and the deepest nesting we parse.
const (
	MaxPatternLen   = 64 << 10
	maxPatternDepth = 64
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString    // '...'
	tTimestamp // t'...'
	tHex       // h'...'
	tBinary    // b'...'
	tInt
	tFloat
	tPunct // [ ] ( ) , : . *
	tOp    // = == != <> < <= > >=
)

type token struct {
	kind tokKind
	text string // identifier, punctuation, operator, or the unescaped literal
	pos  int    // byte offset
}

// lexPattern splits a pattern into tokens. Keywords are identifiers; the parser tells
// them apart (they are case-sensitive, section 9.3).
func lexPattern(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.IndexByte("[](),:.*", c) >= 0:
			toks = append(toks, token{tPunct, string(c), i})
			i++
		case c == '=' || c == '!' || c == '<' || c == '>':
			op := ""
			for _, o := range []string{"==", "!=", "<>", "<=", ">=", "=", "<", ">"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, posErr(s, i, "%q is not an operator", c)
			}
			toks = append(toks, token{tOp, op, i})
			i += len(op)
		case c == '\'':
			lit, n, err := lexString(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tString, lit, i})
			i += n
		case (c == 't' || c == 'h' || c == 'b') && i+1 < len(s) && s[i+1] == '\'':
			lit, n, err := lexString(s, i+1)
			if err != nil {
				return nil, err
			}
			kind := map[byte]tokKind{'t': tTimestamp, 'h': tHex, 'b': tBinary}[c]
			toks = append(toks, token{kind, lit, i})
			i += 1 + n
		case c == '-' || c == '+' || (c >= '0' && c <= '9'):
			j := i + 1
			kind := tInt
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				if s[j] == '.' {
					if kind == tFloat {
						break
					}
					kind = tFloat
				}
				j++
			}
			num := s[i:j]
			if strings.Trim(num, "+-.") == "" || strings.HasSuffix(num, ".") {
				return nil, posErr(s, i, "%q is not a number", num)
			}
			toks = append(toks, token{kind, num, i})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] == '-' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			toks = append(toks, token{tIdent, s[i:j], i})
			i = j
		default:
			return nil, posErr(s, i, "unexpected character %q", rune(s[i]))
		}
	}
	return append(toks, token{tEOF, "", len(s)}), nil
}

// lexString reads a quoted literal starting at s[i] == '\”: only \' and \\ are escapes
// (section 9.3, string literals).
func lexString(s string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\'':
			return b.String(), j - i + 1, nil
		case '\\':
			if j+1 >= len(s) || (s[j+1] != '\'' && s[j+1] != '\\') {
				return "", 0, posErr(s, j, `a backslash in a string must escape ' or \`)
			}
			b.WriteByte(s[j+1])
			j++
		default:
			b.WriteByte(s[j])
		}
	}
	return "", 0, posErr(s, i, "unterminated string")
}

// posErr builds a PatternError at byte offset off, counted in characters.
func posErr(s string, off int, format string, args ...any) *PatternError {
	if off > len(s) {
		off = len(s)
	}
	return &PatternError{Pos: len([]rune(s[:off])) + 1, Msg: fmt.Sprintf(format, args...)}
}
