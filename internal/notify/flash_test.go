package notify_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
)

// TestFailedWebhookFormClearsTheMessage: issue 10 item 13 — a message after a save is shown
// once and never over a failed save. The administrator saves their preferences
// ("通知设置已保存。" waits in its cookie), then adds a webhook with an address that is not
// https: the refused form is answered 422 naming the field, does not show the earlier
// message and clears it, so the next page does not show it either; what was typed stays.
func TestFailedWebhookFormClearsTheMessage(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	admin := env.Login(t, "admin@grid.demo")
	zh := map[string]string{"Accept-Language": "zh-CN"}
	if res, _ := admin.Do("POST", "/notifications", url.Values{"mail": {"on"}, "digest": {"on"}}, zh); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save preferences: %d", res.StatusCode)
	}
	res, page := admin.Do("POST", "/notifications/webhooks", url.Values{"name": {"值班群"}, "format": {"generic"}, "url": {"ftp://hooks.example.cn/x"}, "alerts": {"on"}}, zh)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("refused webhook: %d", res.StatusCode)
	}
	if strings.Contains(page, "通知设置已保存。") {
		t.Error("the refused form shows the earlier success message")
	}
	if !strings.Contains(page, `value="值班群"`) {
		t.Error("the refused form lost the name that was typed")
	}
	cleared := false
	for _, c := range res.Cookies() {
		cleared = cleared || (c.Name == "ciiguard_flash" && c.MaxAge < 0)
	}
	if !cleared {
		t.Error("the refused form leaves the earlier success message for the next page")
	}
	if _, page := admin.Do("GET", "/notifications", nil, zh); strings.Contains(page, "通知设置已保存。") {
		t.Error("the next page shows the message of a save two requests ago")
	}
}
