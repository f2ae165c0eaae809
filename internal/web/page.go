package web

import (
	"net/http"
	"strconv"

	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// MaxPageLimit bounds the limit parameter of the API's paged lists.
const MaxPageLimit = 1000

// ParsePage reads the limit and cursor query parameters of a paged list, defaulting to
// the first page of store.DefaultPageLimit records; a bad value is a 400 naming it.
func ParsePage(r *http.Request) (store.Page, error) {
	p := store.Page{Limit: store.DefaultPageLimit}
	q := r.URL.Query()
	v := &problem.Invalid{}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageLimit {
			v.Add("limit", "must be between 1 and %d", MaxPageLimit)
		}
		p.Limit = n
	}
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			v.Add("cursor", "is not a cursor of this list")
		}
		p.Cursor = n
	}
	return p, v.Err()
}
