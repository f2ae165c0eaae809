package taxii_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
)

// BenchmarkGetObjectsPage measures one page of 1,000 objects from a private collection
// of 10,000 and of 100,000 indicators (posted 10,000 a request), the first page and the
// last, over HTTP on loopback with a Bearer token, on SQLite: the whole request —
// authentication, the page read from the store, filtering and the envelope written.
func BenchmarkGetObjectsPage(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("of-%d", n), func(b *testing.B) { benchPage(b, n) })
	}
}

func benchPage(b *testing.B, n int) {
	env := apptest.Start(b, store.SQLite)
	admin := env.Login(b, "admin@grid.demo")
	res, body := admin.Do("POST", "/api/v1/tokens", nil, map[string]string{"X-CSRF-Token": admin.CSRF, "Content-Type": "application/json"}, `{"name":"bench","role":"analyst"}`)
	if res.StatusCode != http.StatusCreated {
		b.Fatalf("token: %s", body)
	}
	var created struct{ Token string }
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		b.Fatal(err)
	}
	tok := created.Token
	hdr := map[string]string{"Authorization": "Bearer " + tok, "Accept": taxiiMedia}
	c := env.NewClient(b)
	private := "private" // the alias (§5.2.1)
	post := map[string]string{"Authorization": "Bearer " + tok, "Accept": taxiiMedia, "Content-Type": taxiiMedia}
	for start := 0; start < n; start += 10000 {
		var parts []string
		for k := start; k < start+10000; k++ {
			parts = append(parts, indicator(fmt.Sprintf("indicator--%08d-0000-4000-8000-%012d", k, k), fmt.Sprintf("10.%d.%d.%d", k>>16, (k>>8)&255, k&255), ""))
		}
		res, body = c.Do("POST", root+"collections/"+private+"/objects/", nil, post, `{"objects":[`+strings.Join(parts, ",")+`]}`)
		if res.StatusCode != http.StatusAccepted || !strings.Contains(body, `"success_count":10000`) {
			b.Fatalf("post: %d %.300s", res.StatusCode, body)
		}
	}
	path := root + "collections/" + private + "/objects/?limit=1000"
	// The last page's next token, by paging through once.
	last := path
	for {
		res, body := c.Do("GET", last, nil, hdr)
		var e struct {
			More bool   `json:"more"`
			Next string `json:"next"`
		}
		if res.StatusCode != 200 || json.Unmarshal([]byte(body), &e) != nil {
			b.Fatalf("page: %d", res.StatusCode)
		}
		if !e.More {
			break
		}
		last = path + "&next=" + e.Next
	}
	for _, pc := range []struct{ name, path string }{{"first", path}, {"last", last}} {
		b.Run(pc.name, func(b *testing.B) {
			for b.Loop() {
				res, body := c.Do("GET", pc.path, nil, hdr)
				if res.StatusCode != 200 || !strings.Contains(body, `"objects"`) {
					b.Fatalf("page: %d", res.StatusCode)
				}
			}
		})
	}
}
