package people_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

func jsonHdr(csrf string) map[string]string {
	return map[string]string{"X-CSRF-Token": csrf, "Content-Type": "application/json"}
}

type summary struct {
	Unit *struct {
		Name         string `json:"name"`
		HeadNamed    bool   `json:"head_named"`
		ManagerNamed bool   `json:"manager_named"`
		HeadID       int64  `json:"head_id"`
	} `json:"unit"`
	Facts   map[string]any `json:"facts"`
	Persons []struct {
		ID      int64    `json:"id"`
		Name    string   `json:"name"`
		Vetting string   `json:"vetting"`
		Posts   []string `json:"key_posts"`
	} `json:"persons"`
	Posts []struct {
		ID        int64 `json:"id"`
		Name      string
		Holders   int               `json:"holders"`
		HolderIDs []json.RawMessage `json:"holder_ids"`
	} `json:"posts"`
}

func getSummary(t *testing.T, c *apptest.Client, query string) summary {
	t.Helper()
	res, body := c.Do("GET", "/api/v1/people"+query, nil, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/people%s: %d %s", query, res.StatusCode, body)
	}
	var s summary
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatalf("summary: %v: %s", err, body)
	}
	return s
}

// demoNames are the twelve people the demo records (internal/people/demo.go), written out
// by hand: the test looks for each in what a role without people.hr receives.
var demoNames = []string{"周建国", "李强", "赵晓东", "钱雨婷", "孙志刚", "吴海燕", "郑磊", "冯佳", "陈思远", "褚文博", "卫明", "蒋丽华"}

// TestDemoHasExactlyOneGap: the demo operator's security organisation has twelve people, a
// named and vetted head and manager, four filled key posts, and exactly one gap — one
// key-post holder's background check (the database administrator's) is overdue.
func TestDemoHasExactlyOneGap(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	s := getSummary(t, sm, "?include=personal")
	want := map[string]any{"security_org_established": true, "head_named": true, "head_vetted": true, "manager_named": true, "manager_vetted": true,
		"key_posts": 4.0, "key_posts_unfilled": 0.0, "key_post_holders": 5.0, "key_posts_unvetted": 0.0, "vetting_overdue": 1.0,
		"key_post_holders_uncertified": 0.0, "security_staff": 12.0, "staff_below_training_policy": 0.0, "key_posts_below_training_policy": 0.0}
	for k, v := range want {
		if s.Facts[k] != v {
			t.Errorf("fact %s = %v, want %v", k, s.Facts[k], v)
		}
	}
	if len(s.Persons) != 12 {
		t.Fatalf("%d people, want 12", len(s.Persons))
	}
	var overdue []string
	for _, p := range s.Persons {
		if p.Vetting == "overdue" {
			overdue = append(overdue, p.Name)
		}
	}
	if len(overdue) != 1 || overdue[0] != "郑磊" {
		t.Errorf("overdue checks: %v, want only 郑磊 (the database administrator)", overdue)
	}

	// The installation evaluates the catalog on these facts: of the duties checked on the
	// people set, the key-post vetting duty alone is a gap (MIIT14 does not bind a grid
	// company).
	if res, _ := sm.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("wait for the evaluation: %d", res.StatusCode)
	}
	_, body := sm.Do("GET", "/api/v1/findings?area=people&limit=1000", nil, nil)
	var fs struct {
		Findings []struct {
			ID     string `json:"obligation_id"`
			Status string `json:"status"`
		}
	}
	if err := json.Unmarshal([]byte(body), &fs); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range fs.Findings {
		got[f.ID] = f.Status
	}
	for id, st := range map[string]string{"CIIR-SECURITY-ORGANISATION-VETTED": "met", "CIIR-KEY-POST-VETTING": "gap", "CIIR-KEY-POST-CERTIFICATION": "met",
		"CIIR-ANNUAL-TRAINING-DAYS": "met", "CSL-CII-SECURITY-ORGANISATION": "met", "CSL-CII-TRAINING": "met", "CSL-SECURITY-RESPONSIBLE-PERSON": "met"} {
		if got[id] != st {
			t.Errorf("%s: %q, want %s", id, got[id], st)
		}
	}
}

// TestPersonalInformationNeedsHR: a role without people.hr (the analyst, the administrator)
// sees the security organisation as counts — no name of any demo person in the API's
// answer, the people page or the training export — and is refused (403) when it asks for
// the personal fields or a person's record; the security manager sees the names.
func TestPersonalInformationNeedsHR(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	full := getSummary(t, sm, "?include=personal")
	pid := full.Persons[0].ID
	for _, email := range []string{"analyst@grid.demo", "admin@grid.demo", "auditor@grid.demo"} {
		c := env.Login(t, email)
		s := getSummary(t, c, "")
		if s.Unit == nil || !s.Unit.HeadNamed || s.Unit.HeadID != 0 || len(s.Persons) != 0 {
			t.Errorf("%s: unit %+v, %d persons; want the head named as a fact, no id, no persons", email, s.Unit, len(s.Persons))
		}
		if len(s.Posts) != 4 || s.Posts[0].Holders == 0 || s.Posts[0].HolderIDs != nil {
			t.Errorf("%s: posts %+v; want counts without holder ids", email, s.Posts)
		}
		if _, home := c.Do("GET", "/", nil, nil); !strings.Contains(home, `id="people-widget"`) ||
			!(strings.Contains(home, "no background check overdue (overdue: 1)") || strings.Contains(home, "安全背景审查未逾期（逾期未复查：1 人）")) {
			t.Errorf("%s: the dashboard lacks the people widget with the overdue check", email)
		}
		for _, path := range []string{"/api/v1/people", "/people", "/api/v1/people/training.csv", "/"} {
			_, body := c.Do("GET", path, nil, nil)
			for _, n := range demoNames {
				if strings.Contains(body, n) && !(n == "李强" && strings.Contains(body, "李强 Li Qiang")) {
					t.Errorf("%s: %s shows %s", email, path, n)
				}
			}
		}
		for _, path := range []string{"/api/v1/people?include=personal", "/api/v1/people/training.csv?include=personal", "/api/v1/people/persons", fmt.Sprintf("/api/v1/people/persons/%d", pid)} {
			if res, _ := c.Do("GET", path, nil, nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: GET %s = %d, want 403", email, path, res.StatusCode)
			}
		}
	}
	_, body := sm.Do("GET", "/api/v1/people/training.csv?include=personal", nil, nil)
	if !strings.Contains(body, "郑磊") || !strings.Contains(body, "GD-0252") {
		t.Errorf("the security manager's export with personal fields lacks them:\n%s", body)
	}
	_, body = sm.Do("GET", "/api/v1/people/training.csv", nil, nil)
	if strings.Contains(body, "郑磊") || !strings.Contains(body, "P") {
		t.Errorf("the export without include=personal has personal fields:\n%s", body)
	}
}

// TestPeopleAPI records a person, a key post, a holder and a background check through the
// API on both engines: the facts follow each step; bad input is refused naming the field
// with nothing written; and the other demo operator's security manager (same role) gets
// 404 for every record of this one.
func TestPeopleAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		do := func(method, path, body string, want int) string {
			t.Helper()
			res, out := sm.Do(method, path, nil, h, body)
			if res.StatusCode != want {
				t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, out, want)
			}
			return out
		}
		before := getSummary(t, sm, "?include=personal")

		// Bad input: every bad field named, nothing written.
		out := do("POST", "/api/v1/people/persons", `{"name":"","joined_on":"2024-02-30"}`, http.StatusBadRequest)
		if !strings.Contains(out, `"name"`) || !strings.Contains(out, `"joined_on"`) {
			t.Errorf("refusal does not name name and joined_on: %s", out)
		}
		if n := len(getSummary(t, sm, "?include=personal").Persons); n != len(before.Persons) {
			t.Errorf("a refused person was written: %d people, was %d", n, len(before.Persons))
		}

		var p struct{ ID int64 }
		_ = json.Unmarshal([]byte(do("POST", "/api/v1/people/persons", `{"name":"韩梅","employee_no":"GD-0400","security_staff":true}`, http.StatusCreated)), &p)
		var post struct{ ID int64 }
		_ = json.Unmarshal([]byte(do("POST", "/api/v1/people/posts", `{"name":"密码管理员"}`, http.StatusCreated)), &post)
		do("POST", fmt.Sprintf("/api/v1/people/posts/%d/holders", post.ID), fmt.Sprintf(`{"person_id":%d}`, p.ID), http.StatusCreated)
		s := getSummary(t, sm, "")
		if s.Facts["key_posts_unvetted"] != 1.0 || s.Facts["key_posts"] != 5.0 || s.Facts["key_post_holders_uncertified"] != 1.0 {
			t.Errorf("after adding an unvetted, uncertified holder: %v", s.Facts)
		}
		out = do("POST", fmt.Sprintf("/api/v1/people/persons/%d/vettings", p.ID), `{"checked_on":"2020-01-01","result":"maybe","next_due":"2019-01-01"}`, http.StatusBadRequest)
		if !strings.Contains(out, `"result"`) || !strings.Contains(out, `"next_due"`) {
			t.Errorf("refusal does not name result and next_due: %s", out)
		}
		var v struct {
			NextDue string `json:"next_due"`
		}
		_ = json.Unmarshal([]byte(do("POST", fmt.Sprintf("/api/v1/people/persons/%d/vettings", p.ID), `{"checked_on":"2026-03-02","result":"passed"}`, http.StatusCreated)), &v)
		if v.NextDue != "2029-03-02" {
			t.Errorf("next due %q, want 2029-03-02 (the policy's default of 3 years)", v.NextDue)
		}
		if s := getSummary(t, sm, ""); s.Facts["key_posts_unvetted"] != 0.0 {
			t.Errorf("after the check: %v", s.Facts)
		}

		// The other operator's security manager: 404 for every record of this one.
		water := env.Login(t, "security@water.demo")
		wh := jsonHdr(water.CSRF)
		for _, c := range []struct{ method, path, body string }{
			{"GET", fmt.Sprintf("/api/v1/people/persons/%d", p.ID), ""},
			{"PUT", fmt.Sprintf("/api/v1/people/persons/%d", p.ID), `{"name":"改名"}`},
			{"POST", fmt.Sprintf("/api/v1/people/persons/%d/vettings", p.ID), `{"checked_on":"2026-01-05","result":"failed"}`},
			{"POST", fmt.Sprintf("/api/v1/people/persons/%d/certifications", p.ID), `{"name":"CISP"}`},
			{"POST", fmt.Sprintf("/api/v1/people/posts/%d/holders", post.ID), `{"person_id":1}`},
			{"DELETE", fmt.Sprintf("/api/v1/people/posts/%d/holders/%d", post.ID, p.ID), ""},
		} {
			if res, body := water.Do(c.method, c.path, nil, wh, c.body); res.StatusCode != http.StatusNotFound {
				t.Errorf("water: %s %s = %d %s, want 404", c.method, c.path, res.StatusCode, body)
			}
		}
		if ws := getSummary(t, water, "?include=personal"); len(ws.Persons) != 0 || ws.Unit != nil {
			t.Errorf("water sees grid's people: %+v", ws)
		}
		if s := getSummary(t, sm, ""); s.Facts["key_posts_unvetted"] != 0.0 {
			t.Errorf("water's refused writes changed grid's facts: %v", s.Facts)
		}
	})
}

// TestRemoveHolderOnThePage: the security manager takes a holder off a key post from the
// overview, through the confirmation panel that says whom and which post; a post without
// the confirmation removes nothing, and the other operator's security manager gets 404.
func TestRemoveHolderOnThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		before := getSummary(t, sm, "?include=personal")
		post := before.Posts[0]
		if len(post.HolderIDs) == 0 {
			t.Fatalf("the demo's first post %q has no holder", post.Name)
		}
		pid := holderIDs(t, post.HolderIDs)[0]
		var holder string
		for _, p := range before.Persons {
			if p.ID == pid {
				holder = p.Name
			}
		}
		path := fmt.Sprintf("/people/posts/%d/holders/%d/remove", post.ID, pid)
		_, page := sm.Do("GET", "/people", nil, nil)
		if !strings.Contains(page, `action="`+path+`"`) || !strings.Contains(page, "将"+holder+"移出关键岗位“"+post.Name+"”") && !strings.Contains(page, "Remove "+holder+" from the key post") {
			t.Fatalf("the overview has no confirmation to remove %s from %s", holder, post.Name)
		}
		water := env.Login(t, "security@water.demo")
		if res, _ := water.Do("POST", path, url.Values{"confirm": {"yes"}}, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("water: POST %s = %d, want 404", path, res.StatusCode)
		}
		if res, _ := sm.Do("POST", path, url.Values{}, nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("without confirm=yes: %d, want 400", res.StatusCode)
		}
		if got := holderIDs(t, getSummary(t, sm, "?include=personal").Posts[0].HolderIDs); len(got) != len(post.HolderIDs) {
			t.Fatalf("a refused removal changed the holders: %v, was %v", got, post.HolderIDs)
		}
		if res, body := sm.Do("POST", path, url.Values{"confirm": {"yes"}}, nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/people#posts" {
			t.Fatalf("remove: %d %s %s, want 303 to /people#posts", res.StatusCode, res.Header.Get("Location"), body)
		}
		after := holderIDs(t, getSummary(t, sm, "?include=personal").Posts[0].HolderIDs)
		if len(after) != len(post.HolderIDs)-1 || slices.Contains(after, pid) {
			t.Errorf("holders after removal %v, had %d; want %d gone", after, len(post.HolderIDs), pid)
		}
	})
}

// holderIDs reads the person ids of a post's holders from the API's holder_ids.
func holderIDs(t *testing.T, raw []json.RawMessage) []int64 {
	t.Helper()
	ids := make([]int64, len(raw))
	for i, r := range raw {
		var h struct {
			PersonID int64 `json:"person_id"`
		}
		if err := json.Unmarshal(r, &h); err != nil {
			t.Fatalf("holder %s: %v", r, err)
		}
		ids[i] = h.PersonID
	}
	return ids
}
