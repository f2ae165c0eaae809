package people_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
)

// TestRefusedPeopleForms: a refused form on the people pages comes back as the page again
// (400), in Chinese, with the refused control of the form that was sent marked aria-invalid
// and pointing at its reason, what was typed kept, and the same-named controls of the
// page's other forms (several have a name, hours or a person) left alone.
func TestRefusedPeopleForms(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
	// A person of the grid, for the person page's own forms.
	_, body := sm.Do("GET", "/people", nil, nil)
	person := htmltest.Parse(t, body).Root().All("a", func(n htmltest.Node) bool {
		h, _ := n.Attr("href")
		return strings.HasPrefix(h, "/people/persons/")
	})
	if len(person) == 0 {
		t.Fatal("the demo grid lists no staff on /people")
	}
	personPath, _ := person[0].Attr("href")
	cases := []struct {
		name, path string
		form       url.Values
		id         string // the control that must be refused
		reason     string // a part of its Chinese reason
		kept       string // the control whose typed value must come back
		keptValue  string
		untouched  []string // same-named controls of other forms, not marked
	}{
		{"course hours", "/people/courses", url.Values{"title": {"保密培训"}, "held_on": {"2026-11-02"}, "hours": {"三小时"}},
			"course-hours", "学时", "course-title", "保密培训", []string{"attend-hours"}},
		{"person without name", "/people/persons", url.Values{"name": {""}, "employee_no": {"E-77"}},
			"person-name", "必填", "person-no", "E-77", []string{"unit-name", "post-name"}},
		{"policy not a number", "/people/policy", url.Values{"staff_days": {"七"}, "key_post_days": {"3"}, "hours_per_day": {"8"}, "vetting_years": {"3"}},
			"pol-staff", "整数", "", "", nil},
		{"vetting date", personPath + "/vettings", url.Values{"checked_on": {"2026-13-40"}, "result": {"passed"}},
			"vet-day", "日期", "", "", []string{"cert-exp"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, body := sm.Do("POST", tc.path, tc.form, nil)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400 with the form again: %.300s", res.StatusCode, body)
			}
			doc := htmltest.Parse(t, body)
			reason, ok := doc.Refusal(tc.id)
			if !ok || !strings.Contains(reason, tc.reason) {
				t.Errorf("%s: refused=%v, reason %q, want one saying %q", tc.id, ok, reason, tc.reason)
			}
			if tc.kept != "" {
				if v, _ := doc.ID(tc.kept).Attr("value"); v != tc.keptValue {
					t.Errorf("%s kept %q, want %q", tc.kept, v, tc.keptValue)
				}
			}
			for _, id := range tc.untouched {
				if v, ok := doc.ID(id).Attr("aria-invalid"); ok {
					t.Errorf("%s, of another form, is aria-invalid=%q", id, v)
				}
			}
		})
	}
	// The API keeps answering 400 naming the field.
	res, body := sm.Do("POST", "/api/v1/people/courses", nil, map[string]string{"X-CSRF-Token": sm.CSRF, "Content-Type": "application/json"},
		fmt.Sprintf(`{"title":"保密培训","held_on":"2026-11-02","hours":%q}`, "x"))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "hours") {
		t.Errorf("API: %d %s", res.StatusCode, body)
	}
}
