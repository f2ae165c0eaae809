package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestListsArePaged walks the lists that can grow without bound — users, API tokens,
// evidence files, legal holds — two records a page, and checks that the pages together
// are the whole list (as read in one large page), each record once, and that a bad limit
// or cursor is a 400 naming it.
func TestListsArePaged(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, demoEmail[auth.Admin])
		h := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}
		for i := 0; i < 5; i++ {
			if res, body := c.Do("POST", "/api/v1/tokens", nil, h, fmt.Sprintf(`{"name":"page-%d","role":"auditor"}`, i)); res.StatusCode != http.StatusCreated {
				t.Fatalf("token %d: %d %s", i, res.StatusCode, body)
			}
			if res, body := c.Do("POST", fmt.Sprintf("/api/v1/evidence?name=f%d.txt", i), nil, map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "text/plain"}, fmt.Sprintf("file %d", i)); res.StatusCode != http.StatusCreated {
				t.Fatalf("evidence %d: %d %s", i, res.StatusCode, body)
			}
			if res, body := c.Do("POST", "/api/v1/vault/holds", nil, h, fmt.Sprintf(`{"reason":"case %d","from":"2026-01-0%dT00:00:00Z"}`, i, i+1)); res.StatusCode != http.StatusCreated {
				t.Fatalf("hold %d: %d %s", i, res.StatusCode, body)
			}
		}
		for _, l := range []struct{ path, key string }{{"/api/v1/users", "users"}, {"/api/v1/tokens", "tokens"}, {"/api/v1/evidence", "files"}, {"/api/v1/vault/holds", "holds"}} {
			read := func(path string) ([]int64, string) {
				res, body := c.Do("GET", path, nil, nil)
				var page map[string]json.RawMessage
				if res.StatusCode != 200 || json.Unmarshal([]byte(body), &page) != nil {
					t.Fatalf("GET %s: %d %.200s", path, res.StatusCode, body)
				}
				var recs []struct{ ID int64 }
				var next string
				_ = json.Unmarshal(page[l.key], &recs)
				_ = json.Unmarshal(page["next"], &next)
				ids := make([]int64, len(recs))
				for i, r := range recs {
					ids[i] = r.ID
				}
				return ids, next
			}
			all, next := read(l.path + "?limit=1000")
			if next != "" || len(all) < 5 {
				t.Fatalf("%s in one page: %d records, next %q", l.path, len(all), next)
			}
			var walked []int64
			seen := map[int64]bool{}
			for path, pages := l.path+"?limit=2", 0; path != ""; pages++ {
				if pages > len(all) {
					t.Fatalf("%s: the cursors do not end", l.path)
				}
				ids, next := read(path)
				if len(ids) > 2 {
					t.Fatalf("%s: a page of limit 2 held %d records", path, len(ids))
				}
				for _, id := range ids {
					if seen[id] {
						t.Fatalf("%s: record %d on two pages", l.path, id)
					}
					seen[id] = true
				}
				walked = append(walked, ids...)
				path = ""
				if next != "" {
					path = l.path + "?limit=2&cursor=" + next
				}
			}
			if fmt.Sprint(walked) != fmt.Sprint(all) {
				t.Errorf("%s: pages of 2 gave %v, one page gave %v", l.path, walked, all)
			}
			for _, bad := range []struct{ q, field string }{{"limit=0", "limit"}, {"limit=1001", "limit"}, {"cursor=x", "cursor"}} {
				res, _, p := apiCall(c, "GET", l.path+"?"+bad.q, "", "")
				if res.StatusCode != 400 || len(p.Errors) == 0 || p.Errors[0].Field != bad.field {
					t.Errorf("%s?%s: %d, want 400 naming %s", l.path, bad.q, res.StatusCode, bad.field)
				}
			}
		}
	})
}
