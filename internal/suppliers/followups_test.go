package suppliers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestFindingFollowUpTask: the demo grid accepted 示例安全设备有限公司's questionnaire with one
// finding open, to be followed up in 20 days. On both engines: the other operator gets 404
// before its input is read, the auditor 403; bad input is refused naming each field (owner
// missing, a date that is no date, a day in the past, a user of another organisation);
// a task for the system owner with nothing else given takes the finding's text and its
// follow-up day, is listed with the finding (API and the page in Chinese) and among the
// grid's tasks; the page's form refused without an owner names the field in Chinese; once
// the finding is closed no task can be opened on it (409).
func TestFindingFollowUpTask(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		grid := env.Login(t, "security@grid.demo")
		water := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		aud := env.Login(t, "auditor@grid.demo")
		gh := jsonHdr(grid.CSRF)
		ctx := context.Background()
		owner, err := env.App.Auth.UserByEmail(ctx, "owner@grid.demo")
		if err != nil {
			t.Fatal(err)
		}
		stranger, err := env.App.Auth.UserByEmail(ctx, app.OtherOperatorEmail(auth.SecurityManager))
		if err != nil {
			t.Fatal(err)
		}

		var list struct {
			Suppliers []struct {
				ID   int64
				Name string
			}
		}
		res, body := grid.Do("GET", "/api/v1/suppliers", nil, nil)
		decode(t, res, body, 200, &list)
		var sid int64
		for _, x := range list.Suppliers {
			if x.Name == "示例安全设备有限公司" {
				sid = x.ID
			}
		}
		type task struct {
			ID    int64
			Title string
			Owner string
			Due   string
			Path  string
		}
		var sq struct {
			Findings []struct {
				ID       int64
				TextZh   string  `json:"text_zh"`
				FollowUp string  `json:"follow_up_by"`
				ClosedAt *string `json:"closed_at"`
				Tasks    []task
			}
		}
		res, body = grid.Do("GET", fmt.Sprintf("/api/v1/suppliers/%d/questionnaires", sid), nil, nil)
		decode(t, res, body, 200, &sq)
		if len(sq.Findings) != 1 || sq.Findings[0].ClosedAt != nil || len(sq.Findings[0].Tasks) != 0 {
			t.Fatalf("the demo's findings: %s", body)
		}
		f := sq.Findings[0]
		path := fmt.Sprintf("/api/v1/supplier-findings/%d/tasks", f.ID)

		res, body = water.Do("POST", path, nil, jsonHdr(water.CSRF), `not json`)
		decode(t, res, body, 404, nil)
		res, body = aud.Do("POST", path, nil, jsonHdr(aud.CSRF), `{}`)
		decode(t, res, body, 403, nil)
		for _, c := range []struct {
			body string
			want map[string]string
		}{
			{`{"due":"2026-13-01"}`, map[string]string{"owner_id": "is required", "due": "YYYY-MM-DD"}},
			{fmt.Sprintf(`{"owner_id":%d,"due":%q}`, owner.ID, chinaDate(-1)), map[string]string{"due": "is in the past"}},
			{fmt.Sprintf(`{"owner_id":%d}`, stranger.ID), map[string]string{"owner_id": "not a user of your organisation"}},
		} {
			res, body = grid.Do("POST", path, nil, gh, c.body)
			decode(t, res, body, 400, nil)
			got := fields(t, body)
			for k, w := range c.want {
				if !strings.Contains(got[k], w) {
					t.Errorf("%s: %s = %q, want %q (%v)", c.body, k, got[k], w, got)
				}
			}
		}

		var made task
		res, body = grid.Do("POST", path, nil, gh, fmt.Sprintf(`{"owner_id":%d}`, owner.ID))
		decode(t, res, body, 201, &made)
		if made.Title != f.TextZh || made.Due != chinaDate(20) || !strings.HasPrefix(made.Path, "/tasks/") {
			t.Errorf("the task: %+v, want the finding's text %q due %s", made, f.TextZh, chinaDate(20))
		}
		res, body = grid.Do("GET", fmt.Sprintf("/api/v1/suppliers/%d/questionnaires", sid), nil, nil)
		decode(t, res, body, 200, &sq)
		if ts := sq.Findings[0].Tasks; len(ts) != 1 || ts[0].ID != made.ID {
			t.Errorf("the finding's tasks: %s", body)
		}
		if _, tasks := grid.Do("GET", "/api/v1/tasks", nil, nil); !strings.Contains(tasks, made.Title) {
			t.Errorf("the grid's tasks lack the follow-up: %s", tasks)
		}
		zh := map[string]string{"Accept-Language": "zh-CN"}
		if _, page := grid.Do("GET", fmt.Sprintf("/suppliers/%d", sid), nil, zh); !strings.Contains(page, made.Path) || !strings.Contains(page, "安排跟进整改任务") || !strings.Contains(page, "待处理") {
			t.Errorf("the supplier page in Chinese lacks the task or its form")
		}
		form := url.Values{"_csrf": {grid.CSRF}, "owner_id": {""}, "due": {chinaDate(5)}}
		res, page := grid.Do("POST", fmt.Sprintf("/suppliers/%d/findings/%d/tasks", sid, f.ID), nil,
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "zh-CN"}, form.Encode())
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "必填：负责完成任务的用户") {
			t.Errorf("the form without an owner: %d, want 400 naming the owner in Chinese", res.StatusCode)
		}

		res, body = grid.Do("POST", fmt.Sprintf("/api/v1/supplier-findings/%d/close", f.ID), nil, gh, `{"note":"已补充分包商清单"}`)
		decode(t, res, body, 200, nil)
		res, body = grid.Do("POST", path, nil, gh, fmt.Sprintf(`{"owner_id":%d}`, owner.ID))
		decode(t, res, body, 409, nil)
	})
}
