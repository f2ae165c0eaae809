package taxii_test

import (
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/threat"
)

// TestPagesCutInTheStore: a private collection's pages are read from the store (keyset on
// date added and id), and paging by next, with added_after, with a filter, gives what one
// page of the whole collection gives: every object once, in the same order. 60 indicators
// in three POSTs, so that many share a date added; the ids are written in an order unlike
// their sort order. The oracle for added_after is the manifest's dates (§5.3).
func TestPagesCutInTheStore(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		// The threat capability dates what it adds by its clock: one instant per POST.
		var clock atomic.Int64
		clock.Store(time.Now().Add(-time.Hour).UnixNano())
		for _, m := range env.App.Modules {
			if m, ok := m.(*threat.Module); ok {
				m.Now = func() time.Time { return time.Unix(0, clock.Load()) }
			}
		}
		grid := caller{t, env.NewClient(t), "Bearer " + token(t, env.Login(t, "admin@grid.demo"), "analyst")}
		private := root + "collections/private/objects/"
		ct := map[string]string{"Content-Type": taxiiMedia}
		for batch := range 3 {
			var objs []string
			for k := range 20 {
				n := (k*37 + batch*11) % 97 // not in sort order
				objs = append(objs, indicator(fmt.Sprintf("indicator--%08x-0000-4000-8000-%012d", n*7919+batch, batch*100+k), fmt.Sprintf("192.0.2.%d", batch*20+k), ""))
			}
			res, body := grid.do("POST", private, ct, `{"objects":[`+strings.Join(objs, ",")+`]}`, nil)
			want(t, "post", res, body, 202)
			clock.Add(int64(time.Minute))
		}
		whole := func(q string) []string {
			var e envelope
			res, body := grid.do("GET", private+"?limit=1000&"+q, nil, "", &e)
			want(t, "one page", res, body, 200)
			if e.More {
				t.Fatalf("one page of 1,000 is not the whole collection: %s", body)
			}
			return ids(e)
		}
		paged := func(q string, limit int) []string {
			var out []string
			next := ""
			for range 100 {
				var e envelope
				p := fmt.Sprintf("%s?limit=%d&%s", private, limit, q)
				if next != "" {
					p += "&next=" + url.QueryEscape(next)
				}
				res, body := grid.do("GET", p, nil, "", &e)
				want(t, "a page", res, body, 200)
				if len(e.Objects) > limit {
					t.Fatalf("a page of %d with limit %d", len(e.Objects), limit)
				}
				out = append(out, ids(e)...)
				if !e.More {
					return out
				}
				next = e.Next
			}
			t.Fatal("paging does not end")
			return nil
		}
		var man struct {
			Objects []struct {
				ID        string `json:"id"`
				DateAdded string `json:"date_added"`
			}
		}
		res, body := grid.do("GET", root+"collections/private/manifest/?limit=1000", nil, "", &man)
		want(t, "manifest", res, body, 200)
		all := whole("")
		if len(all) < 60 || len(man.Objects) != len(all) {
			t.Fatalf("%d objects, manifest %d, want at least the 60 posted", len(all), len(man.Objects))
		}
		cut := man.Objects[len(man.Objects)-45].DateAdded // within the three batches
		var later []string
		for _, o := range man.Objects {
			if o.DateAdded > cut {
				later = append(later, o.ID)
			}
		}
		for _, tc := range []struct {
			q    string
			want []string
		}{
			{"", all},
			{"match[type]=indicator", all},
			{"added_after=" + cut, later},
		} {
			for _, limit := range []int{1, 7, 20} {
				got := paged(tc.q, limit)
				if strings.Join(got, " ") != strings.Join(tc.want, " ") {
					t.Errorf("%q by %d: %d objects %v\nwant %d %v", tc.q, limit, len(got), got, len(tc.want), tc.want)
				}
			}
		}
		if w := whole("added_after=" + cut); strings.Join(w, " ") != strings.Join(later, " ") || len(later) == 0 || len(later) >= len(all) {
			t.Errorf("added_after %s: %v, want %v", cut, w, later)
		}
	})
}
