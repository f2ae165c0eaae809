package incidents_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
)

// TestRefusedFieldsOnTheNewIncidentForm: a refused registration comes back with each
// refused control marked aria-invalid and pointing at its reason, also for the refusals the
// form has no control of its own for (a subtype, on the one type select; a system, on the
// systems' checkboxes), and a field that was fine is not marked.
func TestRefusedFieldsOnTheNewIncidentForm(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	sm.Do("POST", "/lang", url.Values{"lang": {"en"}}, nil)
	res, body := sm.Do("POST", "/incidents", url.Values{
		"title": {"门户网站被篡改"}, "type": {"attack/no-such-subtype"}, "detected_at": {chinaMinute(time.Now().Add(-time.Hour))},
		"reporter": {""}, "impact.loss_rmb": {"很多"}, "systems": {"999999"},
	}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad registration: %d, want 400", res.StatusCode)
	}
	doc := htmltest.Parse(t, body)
	for id, want := range map[string]string{"reporter": "required", "type": "subcategory", "impact-loss_rmb": "whole number"} {
		reason, ok := doc.Refusal(id)
		if !ok || !strings.Contains(reason, want) {
			t.Errorf("%s: refused=%v, reason %q, want one saying %q", id, ok, reason, want)
		}
	}
	boxes := doc.Root().All("input", func(n htmltest.Node) bool { v, _ := n.Attr("name"); return v == "systems" })
	if len(boxes) == 0 {
		t.Fatal("the form offers no systems")
	}
	for _, b := range boxes {
		inv, _ := b.Attr("aria-invalid")
		by, _ := b.Attr("aria-describedby")
		if inv != "true" || by == "" || !strings.Contains(doc.ID(by).Text(), "inventory") {
			t.Fatalf("a system checkbox: aria-invalid=%q, aria-describedby=%q", inv, by)
		}
	}
	if v, ok := doc.ID("title").Attr("aria-invalid"); ok {
		t.Errorf("the title, which was fine, is aria-invalid=%q", v)
	}
}

// TestRefusedFormsOnTheIncidentPage: each form of an incident's page and of a report's page
// that is refused comes back as that page (400) in Chinese, with the refused control of the
// form that was sent aria-invalid and its reason, what was typed kept, and the controls of
// the page's other forms that share a name (the note and the evidence's note) left alone.
func TestRefusedFormsOnTheIncidentPage(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
	res, body := sm.Do("POST", "/api/v1/incidents", nil, jsonHdr(sm.CSRF), fmt.Sprintf(`{"title":"门户网站被篡改","type":"attack","subtype":"defacement","detected_at":%q,"impact":{"portal_down_min":30},"reporter":"值班员"}`,
		chinaMinute(time.Now().Add(-2*time.Hour))))
	var in struct{ ID int64 }
	if res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &in) != nil {
		t.Fatalf("register: %d %s", res.StatusCode, body)
	}
	_, body = sm.Do("POST", fmt.Sprintf("/api/v1/incidents/%d/reports", in.ID), nil, jsonHdr(sm.CSRF), `{"kind":"first"}`)
	var rep struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &rep); err != nil || rep.ID == 0 {
		t.Fatalf("first report: %v %s", err, body)
	}
	page := fmt.Sprintf("/incidents/%d", in.ID)
	cases := []struct {
		name, path string
		form       url.Values
		id, reason string // the refused control and a part of its reason
		kept, val  string // a control whose typed value comes back
		untouched  string // a same-named control of another form
	}{
		{"note left empty", page + "/notes", url.Values{"note": {" "}}, "note", "必填", "", "", "evidence-note"},
		{"evidence hash", page + "/evidence", url.Values{"sha256": {"abc"}, "note": {"防火墙日志"}}, "sha256", "SHA-256", "evidence-note", "防火墙日志", "note"},
		{"loss not a number", page + "/impact", url.Values{"impact.loss_rmb": {"很多"}, "measures": {"已隔离"}}, "impact-loss_rmb", "整数", "", "", ""},
		{"task due", page + "/tasks", url.Values{"title": {"修补门户"}, "due": {"明天"}}, "task-due", "日期", "task-title", "修补门户", ""},
		{"sent at", fmt.Sprintf("%s/reports/%d/send", page, rep.ID), url.Values{"sent_at": {"昨天"}, "to": {"protection_dept"}, "channel": {"outside"}}, "sent_at", "", "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, body := sm.Do("POST", tc.path, tc.form, nil)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400 with the page again: %.300s", res.StatusCode, body)
			}
			doc := htmltest.Parse(t, body)
			if reason, ok := doc.Refusal(tc.id); !ok || !strings.Contains(reason, tc.reason) || !hasHan(reason) {
				t.Errorf("%s: refused=%v, reason %q, want one in Chinese saying %q", tc.id, ok, reason, tc.reason)
			}
			if tc.kept != "" {
				if v, _ := doc.ID(tc.kept).Attr("value"); v != tc.val {
					t.Errorf("%s kept %q, want %q", tc.kept, v, tc.val)
				}
			}
			if tc.untouched != "" {
				if v, ok := doc.ID(tc.untouched).Attr("aria-invalid"); ok {
					t.Errorf("%s, of another form, is aria-invalid=%q", tc.untouched, v)
				}
			}
		})
	}
}

// hasHan reports whether s has a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
