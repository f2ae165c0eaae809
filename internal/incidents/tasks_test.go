package incidents_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// TestTimelineShowsLinkedTasks: a remediation task linked to an incident through the
// kernel's tasks contract (as the tasks capability stores it) is listed with the incident,
// in the API and on its page in Chinese; an incident without one says so.
func TestTimelineShowsLinkedTasks(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	// One of the organisation's systems, as the scope API lists it.
	_, body := sm.Do("GET", "/api/v1/scope/systems", nil, nil)
	var listed struct {
		Systems []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"systems"`
	}
	if err := json.Unmarshal([]byte(body), &listed); err != nil || len(listed.Systems) == 0 {
		t.Fatalf("scope systems: %v %s", err, body)
	}
	sys := listed.Systems[0]
	res, body := sm.Do("POST", "/api/v1/incidents", nil, jsonHdr(sm.CSRF), fmt.Sprintf(`{"title":"门户网站短暂中断","type":"equipment","subtype":"hardware","detected_at":"2026-12-01T09:00","impact":{"portal_down_min":20},"reporter":"值班员","systems":[%d]}`, sys.ID))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %s", res.StatusCode, body)
	}
	var in struct{ ID int64 }
	_ = json.Unmarshal([]byte(body), &in)
	path := fmt.Sprintf("/incidents/%d", in.ID)
	_, page := sm.Do("GET", path, nil, map[string]string{"Accept-Language": "zh-CN"})
	if !strings.Contains(page, "尚无与本事件关联的整改任务") {
		t.Fatal("the page does not say that no task is linked")
	}
	// Issue 10 items 8 and 14: the affected system links to its page, and the tab is
	// titled with the incident's own title.
	if want := fmt.Sprintf(`<a href="/scope/systems/%d">%s</a>`, sys.ID, sys.Name); !strings.Contains(page, want) {
		t.Errorf("the incident's page does not link its system: want %s", want)
	}
	if !strings.Contains(page, "<title>门户网站短暂中断 · ciiguard</title>") {
		t.Errorf("the incident's page is not titled with the incident's title: %s", page[strings.Index(page, "<title>"):strings.Index(page, "</title>")])
	}
	var tasks kernel.Tasks
	for _, m := range env.App.Modules {
		if ts, ok := m.(kernel.Tasks); ok {
			tasks = ts
		}
	}
	u, err := env.App.Auth.UserByEmail(context.Background(), "owner@grid.demo")
	if err != nil {
		t.Fatal(err)
	}
	ctx := audit.WithActor(store.WithOrg(context.Background(), u.OrgID), audit.Actor{UserID: u.ID, OrgID: u.OrgID, Label: "test"})
	err = env.App.DB.WriteTenant(ctx, func(tx *store.Tenant) error {
		_, err := tasks.CreateLinked(tx, "task", kernel.NewLinkedTask{Link: fmt.Sprintf("incident:%d", in.ID), LinkPath: path,
			Title: "更换门户网站故障电源", OwnerID: u.ID, Due: time.Date(2027, 1, 10, 0, 0, 0, 0, calendar.Shanghai)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, body = sm.Do("GET", fmt.Sprintf("/api/v1/incidents/%d", in.ID), nil, nil)
	var got struct {
		Tasks []kernel.LinkedTask `json:"tasks"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || len(got.Tasks) != 1 || got.Tasks[0].Title != "更换门户网站故障电源" || got.Tasks[0].DueDate != "2027-01-10" {
		t.Fatalf("the incident's tasks in the API: %+v %v", got.Tasks, err)
	}
	_, page = sm.Do("GET", path, nil, map[string]string{"Accept-Language": "zh-CN"})
	if !strings.Contains(page, `href="`+got.Tasks[0].Path+`">更换门户网站故障电源</a>`) || !strings.Contains(page, "待处理") {
		t.Fatal("the incident's page does not list its task")
	}
	other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
	if res, _ := other.Do("GET", fmt.Sprintf("/api/v1/incidents/%d", in.ID), nil, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another organisation: %d, want 404", res.StatusCode)
	}
}
