package notify_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
)

// TestRefusedWebhookAddressMarked: a webhook address that is not https comes back with the
// address field marked aria-invalid and pointing at the reason; the name, which was fine,
// is not marked.
func TestRefusedWebhookAddressMarked(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	admin := env.Login(t, "admin@grid.demo")
	en := map[string]string{"Accept-Language": "en"}
	res, page := admin.Do("POST", "/notifications/webhooks", url.Values{"name": {"值班群"}, "format": {"generic"}, "url": {"ftp://hooks.example.cn/x"}, "alerts": {"on"}}, en)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("refused webhook: %d", res.StatusCode)
	}
	doc := htmltest.Parse(t, page)
	if reason, ok := doc.Refusal("wh_url"); !ok || !strings.Contains(reason, "https") {
		t.Errorf("the address: refused=%v, reason %q, want one naming https", ok, reason)
	}
	if v, ok := doc.ID("wh_name").Attr("aria-invalid"); ok {
		t.Errorf("the name, which was fine, is aria-invalid=%q", v)
	}
}
