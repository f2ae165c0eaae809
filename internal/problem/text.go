package problem

import (
	"strings"
	"unicode/utf8"
)

// Text checks a free-text value where it enters the product, the same way for every
// engine: valid UTF-8 (PostgreSQL refuses anything else, SQLite would store it), no NUL
// character (PostgreSQL text cannot hold one), and at most max characters — counted in
// characters, not bytes, so that a Chinese name is neither refused early nor cut in the
// middle of a character. An empty value is refused only when required. It records at most
// one reason for the field and reports whether the value passed.
func (e *Invalid) Text(field, s string, required bool, max int) bool {
	switch {
	case s == "":
		if required {
			e.Add(field, "is required")
			return false
		}
		return true
	case !utf8.ValidString(s):
		e.Add(field, "is not valid UTF-8 text")
	case strings.IndexByte(s, 0) >= 0:
		e.Add(field, "must not contain a NUL character")
	default:
		if n := utf8.RuneCountInString(s); n > max {
			e.Add(field, "must be at most %d characters, not %d", max, n)
			return false
		}
		return true
	}
	return false
}

// TextOK reports whether s is text that Text accepts with the given bounds, for callers
// that check a value that is not itself a request field (a line of a file, say).
func TextOK(s string, required bool, max int) bool {
	return (&Invalid{}).Text("", s, required, max)
}
