package tasks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/tasks"
)

func hdr(c *apptest.Client) map[string]string {
	return map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}
}

type finding struct {
	ObligationID string `json:"obligation_id"`
	SubjectKind  string `json:"subject_kind"`
	SubjectID    string `json:"subject_id"`
	Status       string `json:"status"`
}

// findingOf reads the current finding of a duty for a subject, after the evaluation caught up.
func findingOf(t *testing.T, c *apptest.Client, ob, kind, id string) finding {
	t.Helper()
	c.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil)
	_, body := c.Do("GET", "/api/v1/findings?obligation="+ob, nil, nil)
	var a struct{ Findings []finding }
	_ = json.Unmarshal([]byte(body), &a)
	for _, f := range a.Findings {
		if f.SubjectKind == kind && f.SubjectID == id {
			return f
		}
	}
	t.Fatalf("no finding of %s for %s %s", ob, kind, id)
	return finding{}
}

// aSystemAttestationGap is an open attestation duty of one of the demo's systems.
func aSystemAttestationGap(t *testing.T, c *apptest.Client) finding {
	t.Helper()
	c.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil)
	_, body := c.Do("GET", "/api/v1/findings?status=needs_attestation", nil, nil)
	var a struct{ Findings []finding }
	_ = json.Unmarshal([]byte(body), &a)
	for _, f := range a.Findings {
		if f.SubjectKind == "system" {
			return f
		}
	}
	t.Fatalf("the demo has no system with a duty that needs an attestation: %s", body)
	return finding{}
}

func userID(t *testing.T, env *apptest.Env, email string) int64 {
	t.Helper()
	u, err := env.App.Auth.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// From a gap to its fix: a task with an owner and a due date shows on the owner's
// dashboard and the system's page; evidence is attached once (citing a file twice changes
// nothing); closing it with an attestation leaves the duty open until a second person
// approves; then it is met. Another organisation sees none of it (404).
func TestTaskFromGapToMet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		sec := env.Login(t, "security@grid.demo")
		gap := aSystemAttestationGap(t, sec)
		ownerID := userID(t, env, "owner@grid.demo")
		in := fmt.Sprintf(`{"obligation_id":%q,"subject_kind":"system","subject_id":%q,"title":"补齐制度文件","owner_id":%d,"due":"2026-12-20"}`, gap.ObligationID, gap.SubjectID, ownerID)
		res, out := sec.Do("POST", "/api/v1/tasks", nil, hdr(sec), in)
		var task tasks.Task
		if err := json.Unmarshal([]byte(out), &task); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, out)
		}
		if task.Owner != "张伟 Zhang Wei" || task.DueDate != "2026-12-20" || task.Status != "open" {
			t.Fatalf("task as created: %+v", task)
		}
		id := fmt.Sprint(task.ID)

		owner := env.Login(t, "owner@grid.demo")
		_, home := owner.Do("GET", "/", nil, nil)
		if !strings.Contains(home, `id="my-tasks"`) || !strings.Contains(home, "补齐制度文件") {
			t.Fatal("the owner's dashboard does not show the task")
		}
		// The card names the task's system and, as everywhere a system is named, links to
		// its page (issue 10 item 8).
		widget := home[strings.Index(home, `id="my-tasks"`):]
		widget = widget[:strings.Index(widget, "</section>")]
		if !strings.Contains(widget, `<a href="/scope/systems/`+gap.SubjectID+`">`) {
			t.Errorf("the dashboard's task card does not link the system %s: %s", gap.SubjectID, widget)
		}
		// The task's page has its own title: the task's, not the list's (item 14).
		if _, page := owner.Do("GET", "/tasks/"+id, nil, nil); !strings.Contains(page, "<title>补齐制度文件 · ciiguard</title>") {
			t.Errorf("the task's page is titled %q", page[strings.Index(page, "<title>"):strings.Index(page, "</title>")])
		}
		if _, page := sec.Do("GET", "/", nil, nil); strings.Contains(page, "补齐制度文件") {
			t.Fatal("the task shows on the dashboard of someone who does not own it")
		}
		if res, page := sec.Do("GET", "/scope/systems/"+gap.SubjectID, nil, nil); res.StatusCode != 200 || !strings.Contains(page, `id="system-tasks"`) || !strings.Contains(page, "/tasks/"+id) {
			t.Fatalf("system page: %d, lists the task: %v", res.StatusCode, strings.Contains(page, "/tasks/"+id))
		}

		_, out = owner.Do("POST", "/api/v1/evidence?name=制度.txt", nil, map[string]string{"X-CSRF-Token": owner.CSRF, "Content-Type": "text/plain"}, "网络安全管理制度（2026 年版）")
		var file struct{ SHA256 string }
		_ = json.Unmarshal([]byte(out), &file)
		for i := 0; i < 2; i++ {
			if res, out := owner.Do("POST", "/api/v1/tasks/"+id+"/evidence", nil, hdr(owner), `{"sha256":"`+file.SHA256+`"}`); res.StatusCode != 200 {
				t.Fatalf("attach #%d: %d %s", i+1, res.StatusCode, out)
			}
		}
		if res, out := owner.Do("POST", "/api/v1/tasks/"+id+"/comments", nil, hdr(owner), `{"body":"已上传制度文本"}`); res.StatusCode != 200 {
			t.Fatalf("comment: %d %s", res.StatusCode, out)
		}
		_, out = owner.Do("GET", "/api/v1/tasks/"+id, nil, nil)
		_ = json.Unmarshal([]byte(out), &task)
		if len(task.Evidence) != 1 || task.Evidence[0].Name != "制度.txt" || len(task.Comments) != 1 || task.Comments[0].Body != "已上传制度文本" {
			t.Fatalf("task after attaching twice and commenting: %s", out)
		}

		// An analyst may work on tasks but not attest duties.
		an := env.Login(t, "analyst@grid.demo")
		if res, _ := an.Do("POST", "/api/v1/tasks/"+id+"/close", nil, hdr(an), `{"attest":true,"statement":"x"}`); res.StatusCode != http.StatusForbidden {
			t.Fatalf("analyst closing with an attestation: %d, want 403", res.StatusCode)
		}
		if res, out := owner.Do("POST", "/api/v1/tasks/"+id+"/close", nil, hdr(owner), `{"attest":true}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(out, `"field":"statement"`) {
			t.Fatalf("close with an attestation but no statement: %d %s", res.StatusCode, out)
		}
		res, out = owner.Do("POST", "/api/v1/tasks/"+id+"/close", nil, hdr(owner), `{"attest":true,"statement":"制度已发布实施"}`)
		_ = json.Unmarshal([]byte(out), &task)
		if res.StatusCode != 200 || task.Status != "done" || task.AttestationID == 0 {
			t.Fatalf("close with attestation: %d %s", res.StatusCode, out)
		}
		if f := findingOf(t, sec, gap.ObligationID, "system", gap.SubjectID); f.Status == "met" {
			t.Fatal("met before a second person reviewed the attestation")
		}
		review := fmt.Sprintf("/api/v1/attestation-reviews/%d", task.AttestationID)
		if res, _ := owner.Do("POST", review, nil, hdr(owner), `{"decision":"approved"}`); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the author approving: %d, want 403", res.StatusCode)
		}
		if res, out := sec.Do("POST", review, nil, hdr(sec), `{"decision":"approved"}`); res.StatusCode != 200 {
			t.Fatalf("reviewer approving: %d %s", res.StatusCode, out)
		}
		if f := findingOf(t, sec, gap.ObligationID, "system", gap.SubjectID); f.Status != "met" {
			t.Fatalf("after approval: %s, want met", f.Status)
		}
		if res, _ := owner.Do("POST", "/api/v1/tasks/"+id+"/close", nil, hdr(owner), `{}`); res.StatusCode != http.StatusConflict {
			t.Fatalf("closing a closed task: %d, want 409", res.StatusCode)
		}

		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		for _, p := range []string{"/api/v1/tasks/" + id, "/tasks/" + id} {
			if res, _ := other.Do("GET", p, nil, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("another organisation reading %s: %d, want 404", p, res.StatusCode)
			}
		}
		if res, _ := other.Do("POST", "/api/v1/tasks/"+id+"/comments", nil, hdr(other), `{"body":"x"}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("another organisation commenting: %d, want 404", res.StatusCode)
		}
		if res, _ := other.Do("POST", "/tasks/"+id+"/comments", url.Values{"body": {"x"}}, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("another organisation commenting by form: %d, want 404", res.StatusCode)
		}
		if _, l := other.Do("GET", "/api/v1/tasks", nil, nil); strings.Contains(l, "补齐制度文件") {
			t.Error("another organisation lists the task")
		}
	})
}

// Bad input names its field, and nothing is stored.
func TestTaskInput(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sec := env.Login(t, "security@grid.demo")
	gap := aSystemAttestationGap(t, sec)
	owner := userID(t, env, "owner@grid.demo")
	water := userID(t, env, app.OtherOperatorEmail(auth.SystemOwner))
	mk := func(ob, title, due string, who int64) string {
		return fmt.Sprintf(`{"obligation_id":%q,"subject_kind":"system","subject_id":%q,"title":%q,"owner_id":%d,"due":%q}`, ob, gap.SubjectID, title, who, due)
	}
	for _, c := range []struct{ body, field string }{
		{mk(gap.ObligationID, "t", "20/12/2026", owner), "due"},
		{mk(gap.ObligationID, "t", "2026-12-20", water), "owner_id"},
		{mk(gap.ObligationID, "t", "2026-12-20", 0), "owner_id"},
		{mk("NO-SUCH-DUTY", "t", "2026-12-20", owner), "obligation_id"},
		{mk(gap.ObligationID, "", "2026-12-20", owner), "title"},
		{mk(gap.ObligationID, strings.Repeat("长", 201), "2026-12-20", owner), "title"},
	} {
		res, out := sec.Do("POST", "/api/v1/tasks", nil, hdr(sec), c.body)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(out, `"field":"`+c.field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", c.body, res.StatusCode, out, c.field)
		}
	}
	if _, l := sec.Do("GET", "/api/v1/tasks?owner="+fmt.Sprint(owner), nil, nil); strings.Contains(l, `"title":"t"`) {
		t.Fatal("a refused task was stored")
	}
	// The form keeps what was typed and says what is wrong, in Chinese.
	res, page := sec.Do("POST", "/tasks", url.Values{"obligation_id": {gap.ObligationID}, "subject_kind": {"system"}, "subject_id": {gap.SubjectID},
		"title": {"我输入的标题"}, "owner_id": {fmt.Sprint(owner)}, "due": {"明天"}}, map[string]string{"Accept-Language": "zh-CN"})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "我输入的标题") || !strings.Contains(page, "应为日期，格式 YYYY-MM-DD") {
		t.Fatalf("refused form: %d, keeps the title: %v", res.StatusCode, strings.Contains(page, "我输入的标题"))
	}
	// The refused date is marked and points at its reason; the title, which was fine, is not.
	doc := htmltest.Parse(t, page)
	if reason, ok := doc.Refusal("due"); !ok || !strings.Contains(reason, "应为日期") {
		t.Errorf("the due date: refused=%v, reason %q", ok, reason)
	}
	if v, ok := doc.ID("title").Attr("aria-invalid"); ok {
		t.Errorf("the title, which was fine, is aria-invalid=%q", v)
	}

	// Issue 10 item 13: a message after a save is shown once and then cleared, and never
	// over a failed save — also when the failed save is the next thing the user does. A
	// comment's "评论已添加。" waits in its cookie; the refused form neither shows it nor
	// leaves it for the next page.
	zh := map[string]string{"Accept-Language": "zh-CN"}
	if res, _ := sec.Do("POST", "/tasks/1/comments", url.Values{"body": {"已安排"}}, zh); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("comment: %d", res.StatusCode)
	}
	res, page = sec.Do("POST", "/tasks", url.Values{"obligation_id": {gap.ObligationID}, "subject_kind": {"system"}, "subject_id": {gap.SubjectID},
		"title": {"我输入的标题"}, "owner_id": {fmt.Sprint(owner)}, "due": {"明天"}}, zh)
	if strings.Contains(page, "评论已添加。") {
		t.Error("the refused form shows the earlier success message")
	}
	cleared := false
	for _, c := range res.Cookies() {
		cleared = cleared || (c.Name == "ciiguard_flash" && c.MaxAge < 0)
	}
	if !cleared {
		t.Error("the refused form leaves the earlier success message for the next page")
	}
	if _, page := sec.Do("GET", "/tasks", nil, zh); strings.Contains(page, "评论已添加。") {
		t.Error("the next page shows the message of a save two requests ago")
	}
}

// TestRefusedFormsOnTheTaskPage: a refused comment or status on a task's page comes back as
// that page (400) in Chinese with the refused control aria-invalid and its reason, the
// typed text kept; before, each answered with the error page.
func TestRefusedFormsOnTheTaskPage(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sec := env.Login(t, "security@grid.demo")
	gap := aSystemAttestationGap(t, sec)
	owner := userID(t, env, "owner@grid.demo")
	res, body := sec.Do("POST", "/api/v1/tasks", nil, hdr(sec), fmt.Sprintf(`{"obligation_id":%q,"subject_kind":"system","subject_id":%q,"title":"补齐证明","owner_id":%d,"due":%q}`,
		gap.ObligationID, gap.SubjectID, owner, time.Now().In(calendar.Shanghai).AddDate(0, 0, 9).Format("2006-01-02")))
	var task struct{ ID int64 }
	if res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &task) != nil {
		t.Fatalf("task: %d %s", res.StatusCode, body)
	}
	zh := map[string]string{"Accept-Language": "zh-CN"}
	for _, c := range []struct {
		path     string
		form     url.Values
		id, kept string
	}{
		{"/comments", url.Values{"body": {strings.Repeat("长", 5000)}}, "body", strings.Repeat("长", 5000)},
		{"/status", url.Values{"status": {"finished"}}, "status", ""},
	} {
		res, page := sec.Do("POST", fmt.Sprintf("/tasks/%d%s", task.ID, c.path), c.form, zh)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: %d, want 400 with the page again", c.path, res.StatusCode)
		}
		doc := htmltest.Parse(t, page)
		reason, ok := doc.Refusal(c.id)
		if !ok || reason == "" || !strings.ContainsFunc(reason, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("%s: refused=%v, reason %q, want one in Chinese", c.id, ok, reason)
		}
		if c.kept != "" && doc.ID(c.id).Text() != c.kept {
			t.Errorf("%s: the typed text was not kept", c.id)
		}
	}
}
