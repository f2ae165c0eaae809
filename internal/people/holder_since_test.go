package people_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestCorrectHolderSince on both engines: the day since which a person holds a key post
// decides which training minimum applies to them (the key post's from the first calendar
// year they held it on 1 January, the staff minimum before — 2017 draft Art. 27, our
// default of 3 days and 1 day). A person with one day of training in the year judged, who
// took the post after 1 January of that year, is not below any minimum; corrected to a day
// before it, they are a key-post holder below the minimum. A bad day is a 400 naming
// `since` and changes nothing; a person not in the post and another organisation get 404.
func TestCorrectHolderSince(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		hdr := jsonHdr(sm.CSRF)
		post := func(path, body string) string {
			t.Helper()
			res, out := sm.Do("POST", path, nil, hdr, body)
			if res.StatusCode >= 300 {
				t.Fatalf("POST %s: %d %s", path, res.StatusCode, out)
			}
			return out
		}
		idOf := func(body string) int64 {
			var v struct{ ID int64 }
			if err := json.Unmarshal([]byte(body), &v); err != nil || v.ID == 0 {
				t.Fatalf("no id in %s", body)
			}
			return v.ID
		}
		facts := func() (year, below, staffBelow int) {
			f := getSummary(t, sm, "").Facts
			return int(f["training_year"].(float64)), int(f["key_posts_below_training_policy"].(float64)), int(f["staff_below_training_policy"].(float64))
		}
		y, below0, staff0 := facts()
		person := idOf(post("/api/v1/people/persons", fmt.Sprintf(`{"name":"岗位测试员","employee_no":"S-9","department":"信息中心","security_staff":true,"joined_on":"%d-01-01"}`, y-3)))
		course := idOf(post("/api/v1/people/courses", fmt.Sprintf(`{"title":"网络安全意识培训","held_on":"%d-05-10","hours":8,"provider":"内部"}`, y)))
		post(fmt.Sprintf("/api/v1/people/courses/%d/attendance", course), fmt.Sprintf(`{"person_id":%d,"hours":8}`, person))
		postID := idOf(post("/api/v1/people/posts", `{"name":"数据库管理员（测试）","duties":"数据库运维"}`))
		post(fmt.Sprintf("/api/v1/people/posts/%d/holders", postID), fmt.Sprintf(`{"person_id":%d,"since":"%d-03-01"}`, person, y))
		if _, b, s := facts(); b != below0 || s != staff0 {
			t.Fatalf("in the post since March of %d with one day's training: key-post below %d (was %d), staff below %d (was %d); want both unchanged", y, b, below0, s, staff0)
		}
		path := fmt.Sprintf("/api/v1/people/posts/%d/holders/%d", postID, person)
		if res, body := sm.Do("PUT", path, nil, hdr, `{"since":"2024-02-30"}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"since"`) {
			t.Errorf("a bad day: %d %s, want 400 naming since", res.StatusCode, body)
		}
		water := env.Login(t, "security@water.demo")
		if res, _ := water.Do("PUT", path, nil, jsonHdr(water.CSRF), `{"since":"2020-01-01"}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("another organisation: %d, want 404", res.StatusCode)
		}
		if res, _ := water.Do("POST", fmt.Sprintf("/people/posts/%d/holders/%d/since", postID, person), url.Values{"since": {"2020-01-01"}}, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("another organisation on the page: %d, want 404", res.StatusCode)
		}
		if res, _ := sm.Do("PUT", fmt.Sprintf("/api/v1/people/posts/%d/holders/%d", postID, person+1000), nil, hdr, `{"since":"2020-01-01"}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("a person not in the post: %d, want 404", res.StatusCode)
		}
		if _, b, _ := facts(); b != below0 {
			t.Fatalf("refused corrections changed the facts: key-post below %d, want %d", b, below0)
		}
		if res, body := sm.Do("PUT", path, nil, hdr, fmt.Sprintf(`{"since":"%d-06-01"}`, y-1)); res.StatusCode != http.StatusOK {
			t.Fatalf("correct: %d %s", res.StatusCode, body)
		}
		if _, b, s := facts(); b != below0+1 || s != staff0 {
			t.Errorf("in the post since June of %d, one day's training in %d: key-post below %d, staff below %d; want %d and %d", y-1, y, b, s, below0+1, staff0)
		}
		// The page: the form shows the day and takes a correction.
		_, page := sm.Do("GET", "/people", nil, nil)
		form := fmt.Sprintf(`action="/people/posts/%d/holders/%d/since"`, postID, person)
		if !strings.Contains(page, form) || !strings.Contains(page, fmt.Sprintf(`value="%d-06-01"`, y-1)) {
			t.Fatalf("the overview has no correction form with the day for the holder")
		}
		res, _ := sm.Do("POST", fmt.Sprintf("/people/posts/%d/holders/%d/since", postID, person), url.Values{"since": {fmt.Sprintf("%d-02-01", y)}}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("correct on the page: %d, want 303", res.StatusCode)
		}
		if _, b, _ := facts(); b != below0 {
			t.Errorf("back to February of %d: key-post below %d, want %d", y, b, below0)
		}
	})
}
