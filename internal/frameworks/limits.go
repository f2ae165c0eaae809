package frameworks

import (
	"fmt"
	"net/url"
	"strconv"

	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Bounds of what one organisation's upload may create and of what one page shows, so
// that one organisation's 900,000-control upload can neither hold the store's writer for
// a minute nor make a page of 100 MB.
const (
	// DefaultMaxControls is how many controls one framework may have; SP 800-53 rev. 5,
	// the largest catalog in common use, has about 1,200. The --framework-max-controls
	// flag (or CIIGUARD_FRAMEWORK_MAX_CONTROLS) changes it.
	DefaultMaxControls = 20000
	// DefaultPageSize and MaxPageSize bound a page of controls.
	DefaultPageSize = 100
	MaxPageSize     = 1000
	// insertBatch is how many controls one INSERT statement carries. Fewer statements
	// save round trips, but SQLite resolves each $N parameter by a linear search of the
	// ones before it, so a statement's parse time grows with the square of its
	// parameters: 20 rows (142 parameters) measured fastest, 200 rows took three times
	// as long for the same 20,000 controls.
	insertBatch = 20
)

// Page asks for a page of a framework's controls: at most Limit controls after the one
// at position Cursor (0 for the first page).
type Page struct {
	Limit  int
	Cursor int
}

// ParsePage reads limit and cursor from a query, with the default page size.
func ParsePage(q url.Values) (Page, error) {
	p := Page{Limit: DefaultPageSize}
	v := &problem.Invalid{}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageSize {
			v.Add("limit", "must be between 1 and %d", MaxPageSize)
		}
		p.Limit = n
	}
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			v.Add("cursor", "is not a cursor of this list")
		}
		p.Cursor = n
	}
	return p, v.Err()
}

// listControlsPage returns the controls after position p.Cursor in document order, at
// most p.Limit, and the cursor of the next page ("" on the last).
func listControlsPage(t *store.Tenant, id string, p Page) ([]Control, string, error) {
	if p.Limit <= 0 {
		p.Limit = DefaultPageSize
	}
	rows, err := t.Query(`SELECT seq, id, label, title, grp, parent, statement FROM framework_controls WHERE org_id = $1 AND framework_id = $2 AND seq >= $3 ORDER BY seq LIMIT $4`, id, p.Cursor, p.Limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("list controls of %s: %w", id, err)
	}
	defer rows.Close()
	var (
		out  []Control
		next string
	)
	for rows.Next() {
		var (
			seq int
			c   Control
		)
		if err := rows.Scan(&seq, &c.ID, &c.Label, &c.Title, &c.Group, &c.Parent, &c.Statement); err != nil {
			return nil, "", fmt.Errorf("list controls of %s: %w", id, err)
		}
		if len(out) == p.Limit {
			next = strconv.Itoa(seq)
			break
		}
		out = append(out, c)
	}
	return out, next, rows.Err()
}
