package tasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/tasks"
)

// tasksModule is the installation's tasks capability.
func tasksModule(t *testing.T, env *apptest.Env) *tasks.Module {
	t.Helper()
	for _, m := range env.App.Modules {
		if tm, ok := m.(*tasks.Module); ok {
			return tm
		}
	}
	t.Fatal("no tasks module")
	return nil
}

// TestLinkedTasks: kernel.Tasks as another capability uses it. A task created in the
// caller's transaction is listed by its link, shows on its page a way back to the record
// and no duty, and closes without an attestation; a rolled-back transaction leaves no task;
// bad input names the caller's field; another organisation lists none of it and reads 404.
func TestLinkedTasks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		tm := tasksModule(t, env)
		owner := userID(t, env, "owner@grid.demo")
		org := func(email string) context.Context {
			u, err := env.App.Auth.UserByEmail(context.Background(), email)
			if err != nil {
				t.Fatal(err)
			}
			return audit.WithActor(store.WithOrg(context.Background(), u.OrgID), audit.Actor{UserID: u.ID, OrgID: u.OrgID, Label: email})
		}
		ctx := org("security@grid.demo")
		due := time.Date(2027, 1, 15, 0, 0, 0, 0, calendar.Shanghai)
		create := func(ctx context.Context, n kernel.NewLinkedTask, rollback bool) (kernel.LinkedTask, error) {
			var lt kernel.LinkedTask
			err := env.App.DB.WriteTenant(ctx, func(tx *store.Tenant) error {
				var err error
				if lt, err = tm.CreateLinked(tx, "followups[0]", n); err != nil {
					return err
				}
				if rollback {
					return errors.New("the record failed")
				}
				return nil
			})
			return lt, err
		}
		n := kernel.NewLinkedTask{Link: "drill:901", LinkPath: "/emergency/drills/901", Title: "修订切换手册", OwnerID: owner, Due: due}
		lt, err := create(ctx, n, false)
		if err != nil {
			t.Fatal(err)
		}
		if lt.Title != "修订切换手册" || lt.Owner != "张伟 Zhang Wei" || lt.DueDate != "2027-01-15" || !lt.Open || lt.Status != "open" {
			t.Fatalf("created %+v", lt)
		}
		rolled := n
		rolled.Title = "回滚的任务"
		if _, err := create(ctx, rolled, true); err == nil {
			t.Fatal("the rolled-back transaction succeeded")
		}
		got, err := tm.Linked(ctx, "drill:901", "drill:902")
		if err != nil || len(got) != 1 || got[0].ID != lt.ID || got[0].Path != "/tasks/"+itoa(lt.ID) {
			t.Fatalf("linked to drill 901: %+v %v (the rolled-back task must not be there)", got, err)
		}
		for _, c := range []struct {
			n     kernel.NewLinkedTask
			field string
		}{
			{kernel.NewLinkedTask{Link: "drill:901", Title: "", OwnerID: owner, Due: due}, "followups[0].title"},
			{kernel.NewLinkedTask{Link: "drill:901", Title: "x", OwnerID: 0, Due: due}, "followups[0].owner_id"},
			{kernel.NewLinkedTask{Link: "drill:901", Title: "x", OwnerID: owner}, "followups[0].due"},
			{kernel.NewLinkedTask{Link: "901", Title: "x", OwnerID: owner, Due: due}, "followups[0].link"},
			{kernel.NewLinkedTask{Link: "drill:901", Title: "x", OwnerID: userID(t, env, app.OtherOperatorEmail(auth.SystemOwner)), Due: due}, "followups[0].owner_id"},
		} {
			_, err := create(ctx, c.n, false)
			var inv *problem.Invalid
			if !errors.As(err, &inv) || !strings.Contains(err.Error(), c.field) {
				t.Errorf("%+v: %v, want a field error on %s", c.n, err, c.field)
			}
		}
		if got, _ := tm.Linked(ctx, "drill:901"); len(got) != 1 {
			t.Fatalf("refused tasks were stored: %+v", got)
		}

		sec := env.Login(t, "security@grid.demo")
		res, page := sec.Do("GET", lt.Path, nil, map[string]string{"Accept-Language": "zh-CN"})
		if res.StatusCode != 200 || !strings.Contains(page, `id="task-link" href="/emergency/drills/901"`) || strings.Contains(page, `id="finding-status"`) {
			t.Fatalf("task page: %d, links the record: %v", res.StatusCode, strings.Contains(page, "/emergency/drills/901"))
		}
		if res, out := sec.Do("POST", "/api/v1"+lt.Path+"/close", nil, hdr(sec), `{"attest":true,"statement":"x"}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(out, `"field":"attest"`) {
			t.Fatalf("closing a linked task with an attestation: %d %s", res.StatusCode, out)
		}
		var closed tasks.Task
		if res, out := sec.Do("POST", "/api/v1"+lt.Path+"/close", nil, hdr(sec), `{}`); res.StatusCode != 200 || json.Unmarshal([]byte(out), &closed) != nil || closed.Status != "done" || closed.Link != "drill:901" {
			t.Fatalf("closing a linked task: %d %s", res.StatusCode, out)
		}

		other := org(app.OtherOperatorEmail(auth.SecurityManager))
		if got, err := tm.Linked(other, "drill:901"); err != nil || len(got) != 0 {
			t.Fatalf("another organisation lists %+v %v", got, err)
		}
		oc := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		if res, _ := oc.Do("GET", lt.Path, nil, nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("another organisation reading the task: %d", res.StatusCode)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
