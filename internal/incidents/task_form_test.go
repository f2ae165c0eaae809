package incidents_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// ownerOption finds a user in the incident page's owner picker: what the security manager
// chooses from.
var ownerOption = regexp.MustCompile(`<option value="(\d+)">([^<]+)</option>`)

// pickOwner returns the id of the first user offered as a task owner on the page.
func pickOwner(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `id="task-owner"`)
	if i < 0 {
		t.Fatal("the incident page has no owner picker for a remediation task")
	}
	m := ownerOption.FindStringSubmatch(page[i:])
	if m == nil {
		t.Fatal("the owner picker offers nobody")
	}
	return m[1]
}

// TestIncidentTaskFromThePage opens a remediation task from an incident's page on both
// engines: a task without owner or date is refused naming both with nothing written, an
// owner of another organisation is refused, a good one is listed on the incident with a
// timeline entry, and the other operator gets 404 for the incident's task routes.
func TestIncidentTaskFromThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		res, body := sm.Do("POST", "/api/v1/incidents", nil, h, fmt.Sprintf(`{"title":"门户网站被篡改","type":"attack","subtype":"defacement","detected_at":%q,"systems":[%d],"reporter":"值班员"}`,
			chinaMinute(time.Now().Add(-30*time.Minute)), ciiSystem(t, sm)))
		var inc apiIncident
		if err := json.Unmarshal([]byte(body), &inc); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		page := fmt.Sprintf("/incidents/%d", inc.ID)
		_, html := sm.Do("GET", page, nil, nil)
		owner := pickOwner(t, html)

		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		res, _ = other.Do("POST", page+"/tasks", url.Values{"title": {"恢复页面"}, "owner_id": {owner}, "due": {"2027-01-15"}}, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("other operator POST %s/tasks: %d, want 404", page, res.StatusCode)
		}
		if res, _ := other.Do("POST", "/api/v1"+page+"/tasks", nil, jsonHdr(other.CSRF), `{"title":"恢复页面","owner_id":1,"due":"2027-01-15"}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("other operator API: %d, want 404", res.StatusCode)
		}
		// The other operator's own incident page offers its own users: one of them is no
		// owner for grid's task.
		res, body = other.Do("POST", "/api/v1/incidents", nil, jsonHdr(other.CSRF), fmt.Sprintf(`{"title":"测试","type":"other","subtype":"other","detected_at":%q,"reporter":"值班员"}`, chinaMinute(time.Now())))
		var oinc apiIncident
		if err := json.Unmarshal([]byte(body), &oinc); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("other create: %d %s", res.StatusCode, body)
		}
		_, ohtml := other.Do("GET", fmt.Sprintf("/incidents/%d", oinc.ID), nil, nil)
		foreign := pickOwner(t, ohtml)

		for _, c := range []struct {
			form   url.Values
			fields []string
		}{
			{url.Values{"title": {""}, "owner_id": {""}, "due": {"明天"}}, []string{"title", "owner_id", "due"}},
			{url.Values{"title": {"恢复页面"}, "owner_id": {foreign}, "due": {"2027-01-15"}}, []string{"owner_id"}},
		} {
			res, body := sm.Do("POST", page+"/tasks", c.form, nil)
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("%v: %d, want 400", c.form, res.StatusCode)
			}
			// The page comes back with the task form's refused controls marked.
			doc := htmltest.Parse(t, body)
			for _, f := range c.fields {
				id := map[string]string{"title": "task-title", "owner_id": "task-owner", "due": "task-due"}[f]
				if reason, ok := doc.Refusal(id); !ok || reason == "" {
					t.Errorf("%v: %s is not marked refused (%q)", c.form, id, reason)
				}
			}
		}
		if _, html = sm.Do("GET", page, nil, nil); !strings.Contains(html, "尚无与本事件关联的整改任务") && !strings.Contains(html, "No remediation task is linked") {
			t.Fatal("a refused task was written")
		}

		res, _ = sm.Do("POST", page+"/tasks", url.Values{"title": {"恢复页面并核查篡改入口"}, "owner_id": {owner}, "due": {"2027-01-15"}}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("open task: %d, want 303", res.StatusCode)
		}
		_, html = sm.Do("GET", page, nil, nil)
		tasks := html[strings.Index(html, `id="incident-tasks"`):]
		tasks = tasks[:strings.Index(tasks, "</ul>")]
		if !strings.Contains(tasks, "恢复页面并核查篡改入口") || !strings.Contains(tasks, "2027-01-15") {
			t.Errorf("the incident's task list lacks the task: %s", tasks)
		}
		if !strings.Contains(html, "新建整改任务：恢复页面并核查篡改入口") && !strings.Contains(html, "Remediation task opened：恢复页面并核查篡改入口") {
			t.Error("the timeline does not record the task")
		}
	})
}
