package incidents_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

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
