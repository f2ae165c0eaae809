package threat_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
)

// TestRefusedThreatFormsMarked: each threat page's form, refused, comes back in Chinese
// with the refused control aria-invalid and described by its reason (the oracle: the
// reasons' Chinese as the message files give them, read through the page's own
// aria-describedby): the import's pasted content and uploaded file, the regulator's
// summary and sector checkboxes, a hit's triage note.
func TestRefusedThreatFormsMarked(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	zh := func(email string) *apptest.Client {
		c := env.Login(t, email)
		c.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		return c
	}
	marked := func(t *testing.T, what, body, id, want string) {
		t.Helper()
		reason, ok := htmltest.Parse(t, body).Refusal(id)
		if !ok || !strings.Contains(reason, want) {
			t.Errorf("%s: %s refused=%v, reason %q, want one saying %q", what, id, ok, reason, want)
		}
	}

	an := zh("analyst@grid.demo")
	for _, c := range []struct {
		name, field string
		file        bool
	}{{"pasted content", "content", false}, {"uploaded file", "file", true}} {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("_csrf", an.CSRF)
		_ = mw.WriteField("format", "stix")
		_ = mw.WriteField("collection", "private")
		if c.file {
			fw, _ := mw.CreateFormFile("file", "feed.json")
			_, _ = fw.Write([]byte("{not a bundle"))
		} else {
			_ = mw.WriteField("content", "{not a bundle")
		}
		_ = mw.Close()
		res, body := an.Do("POST", "/threat/imports", nil, map[string]string{"Content-Type": mw.FormDataContentType(), "X-CSRF-Token": an.CSRF}, buf.String())
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: %d, want 400", c.name, res.StatusCode)
		}
		marked(t, c.name, body, c.field, "无法读取")
	}

	reg := zh("analyst@regulator.demo")
	res, body := reg.Do("POST", "/threat/regulator/notifications", url.Values{"title_zh": {"预警"}, "title_en": {"Warning"}, "summary": {"a\x00b"},
		"severity": {"high"}, "actions": {"排查"}, "deadline": {time.Now().Add(72 * time.Hour).Format("2006-01-02T15:04")}, "format": {"list"}, "indicators": {"203.0.113.9\n"}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("refused notification: %d, want 400", res.StatusCode)
	}
	marked(t, "notification", body, "summary", "NUL")
	marked(t, "notification", body, "sector-energy", "至少选择一个行业")

	// A hit: the regulator's indicator found in the grid operator's logs by the retro-hunt.
	code, out := call(t, reg, "POST", "/api/v1/threat/notifications", map[string]any{
		"title_zh": "僵尸网络控制端预警", "title_en": "Botnet controller warning", "severity": "critical", "sectors": []string{"energy"},
		"actions": "阻断并排查", "deadline": time.Now().Add(72 * time.Hour).Format(time.RFC3339), "format": "list", "indicators": c2 + "\n"}, nil)
	must(t, "publish", code, http.StatusCreated, out)
	op := zh("security@grid.demo")
	var inbox struct {
		Items []struct {
			ID int64 `json:"id"`
		}
	}
	code, out = call(t, op, "GET", "/api/v1/threat/inbox", nil, &inbox)
	must(t, "inbox", code, http.StatusOK, out)
	if len(inbox.Items) == 0 {
		t.Fatalf("empty inbox: %s", out)
	}
	waitHunt(t, op, "inbox:"+strconv.FormatInt(inbox.Items[0].ID, 10))
	var hits struct{ Hits []hitJSON }
	code, out = call(t, op, "GET", "/api/v1/threat/hits", nil, &hits)
	must(t, "hits", code, http.StatusOK, out)
	if len(hits.Hits) == 0 {
		t.Fatalf("no hit: %s", out)
	}
	res, body = op.Do("POST", "/threat/hits/"+strconv.FormatInt(hits.Hits[0].ID, 10)+"/triage", url.Values{"triage": {"confirmed"}, "note": {"a\x00b"}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("refused triage: %d, want 400", res.StatusCode)
	}
	marked(t, "triage", body, "note", "NUL")
}
