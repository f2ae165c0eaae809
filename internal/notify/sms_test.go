package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/kernel"
	"ciiguard/internal/notify"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// A notice to a phone number is handed to the SMS outbox, one JSON line the operator's
// gateway sends, and to nobody else: an organisation's alert webhook does not get a
// one-time code. With the outbox off, the notice is refused with kernel.ErrNoSMS.
func TestNoticeToAPhoneGoesToTheSMSOutboxOnly(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	var n *notify.Module
	for _, m := range env.App.Modules {
		if nm, ok := m.(*notify.Module); ok {
			n = nm
		}
	}
	admin := env.Login(t, "admin@grid.demo")
	h := map[string]string{"X-CSRF-Token": admin.CSRF, "Content-Type": "application/json"}
	if res, out := admin.Do("POST", "/api/v1/notifications/webhooks", nil, h, `{"name":"告警群","format":"generic","url":"https://hooks.example.cn/alerts","alerts":true}`); res.StatusCode != 201 {
		t.Fatalf("webhook: %d %s", res.StatusCode, out)
	}
	u := user(t, env, "admin@grid.demo")
	ctx := context.Background()
	notice := kernel.Notice{Kind: "appstore.phone_code", Subject: "appstore-developer:1", Point: "code-1",
		Title: rules.Text{Zh: "开发者手机验证码", En: "code"}, Body: rules.Text{Zh: "您的验证码：482913", En: "482913"}, Phones: []string{"13812345678"}}
	queued, err := n.Notify(ctx, u.OrgID, notice)
	if err != nil || queued != 1 {
		t.Fatalf("Notify to a phone: %d queued, %v; want 1 (the phone, not the webhook)", queued, err)
	}
	if _, err := n.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	path := n.SMSOutbox()
	if !strings.HasPrefix(path, os.TempDir()) && !strings.Contains(path, "sms-outbox.jsonl") {
		t.Fatalf("outbox %q", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var m notify.OutboxMessage
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &m) != nil || m.To != "13812345678" || !strings.Contains(m.Text, "482913") || m.Org != u.OrgID {
		t.Fatalf("outbox holds %q; want one SMS to 13812345678 with the code", b)
	}
	off := notify.New()
	if _, err := off.Notify(ctx, u.OrgID, notice); !errors.Is(err, kernel.ErrNoSMS) {
		t.Errorf("Notify without an outbox: %v, want ErrNoSMS", err)
	}
}
