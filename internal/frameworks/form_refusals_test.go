package frameworks_test

import (
	"net/http"
	"net/url"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/frameworks"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
)

// TestRefusedMappingMarked: a mapping to a duty that does not exist comes back with the
// duty select marked aria-invalid and pointing at its reason; the control, which exists,
// is not marked.
func TestRefusedMappingMarked(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sec := env.Login(t, "security@grid.demo")
	sec.Do("POST", "/lang", url.Values{"lang": {"en"}}, nil)
	path := "/frameworks/" + frameworks.DemoFramework
	_, page := sec.Do("GET", path, nil, nil)
	opts := htmltest.Parse(t, page).ID("control_ids").All("option", nil)
	if len(opts) == 0 {
		t.Fatal("the framework page offers no controls to map")
	}
	cid, _ := opts[0].Attr("value")
	res, body := sec.Do("POST", path+"/mappings", url.Values{"control_id": {cid}, "obligation_id": {"NO-SUCH-DUTY"}, "relation": {"subset"}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("mapping to no duty: %d", res.StatusCode)
	}
	doc := htmltest.Parse(t, body)
	if reason, ok := doc.Refusal("obligation_id"); !ok || reason == "" {
		t.Errorf("the duty: refused=%v, reason %q", ok, reason)
	}
	if v, ok := doc.ID("control_id").Attr("aria-invalid"); ok {
		t.Errorf("the control, which exists, is aria-invalid=%q", v)
	}
}
