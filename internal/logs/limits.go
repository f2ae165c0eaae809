package logs

import (
	"context"
	"errors"
	"time"
	"unicode"

	"ciiguard/internal/problem"
)

// Bounds of a search, so that no request can make the server do unbounded work or
// compute outside the vault's time arithmetic (nanoseconds since 1970 in an int64, which
// ends before 1678 and after 2262).
const (
	// maxQueryChars bounds the query text.
	maxQueryChars = 2000
	// maxQueryWords bounds the words (terms, words of phrases, field values) of a query:
	// every word is matched against every event in range.
	maxQueryWords = 32
	// DefaultSearchTimeout is how long one search or histogram may run before it is
	// stopped and the user asked to narrow it; the --search-timeout flag (or
	// CIIGUARD_SEARCH_TIMEOUT) changes it.
	DefaultSearchTimeout = 5 * time.Second
)

// The time range a search may name: the range in which the vault stores event times.
var (
	searchEarliest = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	searchLatest   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

func inSearchRange(t time.Time) bool { return !t.Before(searchEarliest) && !t.After(searchLatest) }

// queryWords counts the words of a query: runs of letters and digits, as the vault's
// tokenizer sees them, with CJK ideographs each a word of their own.
func queryWords(q string) int {
	n, in := 0, false
	for _, r := range q {
		switch {
		case unicode.Is(unicode.Han, r):
			n, in = n+1, false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !in {
				n++
			}
			in = true
		default:
			in = false
		}
	}
	return n
}

// tooLong reports whether err is the search's own deadline, not the client going away.
func tooLong(parent context.Context, err error) bool {
	return errors.Is(err, context.DeadlineExceeded) && parent.Err() == nil
}

// errTooLong tells the user that the search hit its time limit and how to narrow it.
func (m *Module) errTooLong() error {
	return problem.Field("q", "took longer than %s; narrow the search: a shorter time range, a source, or fewer words", m.searchTimeout)
}
