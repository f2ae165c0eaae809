package data_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
)

// TestRefusedTransferFieldsMarked: a refused transfer comes back with each refused control
// marked aria-invalid and pointing at its reason; the asset form on the same page, which
// also has a "people" field, is not marked.
func TestRefusedTransferFieldsMarked(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	sm.Do("POST", "/lang", url.Values{"lang": {"en"}}, nil)
	res, body := sm.Do("POST", "/data/transfers", url.Values{"recipient": {""}, "recipient_country": {"中国"}, "start_on": {"2026-13-01"}, "people": {"-5"}, "assets": {"999999"}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad transfer form: %d", res.StatusCode)
	}
	doc := htmltest.Parse(t, body)
	for id, want := range map[string]string{"recipient": "required", "recipient_country": "China", "start_on": "not a date", "people": "between 0 and"} {
		reason, ok := doc.Refusal(id)
		if !ok || !strings.Contains(reason, want) {
			t.Errorf("%s: refused=%v, reason %q, want one saying %q", id, ok, reason, want)
		}
	}
	// A refused asset ("assets[0]" to the API) shows on the assets' checkboxes.
	boxes := doc.Root().All("input", func(n htmltest.Node) bool { v, _ := n.Attr("name"); return v == "assets" })
	if len(boxes) == 0 {
		t.Fatal("the transfer form offers no assets")
	}
	for _, b := range boxes {
		inv, _ := b.Attr("aria-invalid")
		by, _ := b.Attr("aria-describedby")
		if inv != "true" || by == "" || !strings.Contains(doc.ID(by).Text(), "not a data asset") {
			t.Fatalf("an asset checkbox: aria-invalid=%q, aria-describedby=%q", inv, by)
		}
	}
	if v, ok := doc.ID("people-held").Attr("aria-invalid"); ok {
		t.Errorf("the asset form's people field, not sent, is aria-invalid=%q", v)
	}
}
