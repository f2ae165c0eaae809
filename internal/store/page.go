package store

import "strconv"

// Page asks for one page of a list ordered by record id: at most Limit records, starting
// after the record whose id is Cursor (0 for the first page). Lists that can grow without
// bound (tokens, users, evidence, holds, sources) are read a page at a time.
type Page struct {
	Limit  int
	Cursor int64
}

// DefaultPageLimit is the page size when none is asked for.
const DefaultPageLimit = 100

// Rows is how many rows to read for the page: one more than Limit, to learn whether
// another page follows.
func (p Page) Rows() int {
	if p.Limit <= 0 {
		return DefaultPageLimit + 1
	}
	return p.Limit + 1
}

// Cut trims rows read with p.Rows() to the page and returns the cursor of the next page:
// the id of the page's last record, or "" when there is no more.
func Cut[T any](p Page, rows []T, id func(T) int64) ([]T, string) {
	limit := p.Rows() - 1
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, strconv.FormatInt(id(rows[len(rows)-1]), 10)
}
