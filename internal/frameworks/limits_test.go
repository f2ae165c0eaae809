package frameworks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/frameworks"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/web"
)

var controlRow = regexp.MustCompile(`<tr><td><span class="mono"[^>]*>t-\d+</span>`)
var nextLink = regexp.MustCompile(`href="(/frameworks/BIG\?cursor=\d+)" rel="next"`)

// TestUploadIsBoundedAndControlsArePaged sets the control limit to 300 (the capability's
// --framework-max-controls flag) and checks that a
// catalog of 301 controls is refused naming the limit, that one of 250 is stored whole,
// and that the API and the page hand its controls out in pages that together are the
// document, in its order, once each.
func TestUploadIsBoundedAndControlsArePaged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.StartFlags(t, d, "--framework-max-controls", "300")
		sec := env.Login(t, "security@grid.demo")
		h := map[string]string{"X-CSRF-Token": sec.CSRF, "Content-Type": "application/json"}
		ids := func(n int) []string {
			out := make([]string, n)
			for i := range out {
				out[i] = fmt.Sprintf("t-%d", i+1)
			}
			return out
		}
		res, body := sec.Do("PUT", "/api/v1/frameworks/BIG", nil, h, string(oscal("Big", "1", ids(301)...)))
		var p web.Problem
		_ = json.Unmarshal([]byte(body), &p)
		if res.StatusCode != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != "body" || !strings.Contains(p.Errors[0].Reason, "at most 300") {
			t.Fatalf("301 controls over a limit of 300: %d %s; want 400 naming body and the limit", res.StatusCode, body)
		}
		want := ids(250)
		if res, body := sec.Do("PUT", "/api/v1/frameworks/BIG", nil, h, string(oscal("Big", "1", want...))); res.StatusCode != http.StatusCreated {
			t.Fatalf("250 controls: %d %s", res.StatusCode, body)
		}

		// The API, page by page.
		var got []string
		path := "/api/v1/frameworks/BIG"
		for pages := 0; path != ""; pages++ {
			if pages > 5 {
				t.Fatal("more pages than 250 controls need")
			}
			res, body := sec.Do("GET", path, nil, nil)
			var pg struct {
				Controls []struct{ ID string }
				Next     string
			}
			if res.StatusCode != 200 || json.Unmarshal([]byte(body), &pg) != nil || len(pg.Controls) > frameworks.DefaultPageSize {
				t.Fatalf("GET %s: %d, %d controls", path, res.StatusCode, len(pg.Controls))
			}
			for _, c := range pg.Controls {
				got = append(got, c.ID)
			}
			path = ""
			if pg.Next != "" {
				path = "/api/v1/frameworks/BIG?cursor=" + pg.Next
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("the API's pages gave %d controls %v…; want the document's 250 in order", len(got), got[:min(5, len(got))])
		}
		res, body = sec.Do("GET", "/api/v1/frameworks/BIG/coverage?limit=40&cursor=200", nil, nil)
		var cv frameworks.Coverage
		if res.StatusCode != 200 || json.Unmarshal([]byte(body), &cv) != nil || len(cv.Controls) != 40 || cv.Controls[0].ID != "t-201" || cv.Next == "" {
			t.Errorf("coverage page from cursor 200: %d, %d controls, next %q", res.StatusCode, len(cv.Controls), cv.Next)
		}
		for _, bad := range []struct{ query, field string }{{"limit=1001", "limit"}, {"limit=0", "limit"}, {"cursor=x", "cursor"}, {"cursor=-1", "cursor"}} {
			res, body := sec.Do("GET", "/api/v1/frameworks/BIG?"+bad.query, nil, nil)
			var p web.Problem
			_ = json.Unmarshal([]byte(body), &p)
			if res.StatusCode != 400 || len(p.Errors) == 0 || p.Errors[0].Field != bad.field {
				t.Errorf("?%s: %d %s; want 400 naming %s", bad.query, res.StatusCode, body, bad.field)
			}
		}

		// The page: 100 rows and a link to the next, which ends after 250.
		rows, path := 0, "/frameworks/BIG"
		for pages := 0; path != ""; pages++ {
			if pages > 5 {
				t.Fatal("the page's next links do not end")
			}
			res, page := sec.Do("GET", path, nil, nil)
			n := len(controlRow.FindAllString(page, -1))
			if res.StatusCode != 200 || n == 0 || n > frameworks.DefaultPageSize {
				t.Fatalf("GET %s: %d with %d control rows", path, res.StatusCode, n)
			}
			rows += n
			path = ""
			if m := nextLink.FindStringSubmatch(page); m != nil {
				path = m[1]
			}
		}
		if rows != 250 {
			t.Errorf("the framework's pages showed %d control rows, want 250", rows)
		}
	})
}
