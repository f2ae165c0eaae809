package notify_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/notify/notifytest"
	"ciiguard/internal/store"
)

// TestPreferencesDecideWhatArrives: issue 10 item 11 — "Users choose what they receive".
// The digest and the duties' reminders go to the administrator and the cybersecurity
// manager. The administrator turns the daily digest off and keeps the reminders; the
// manager turns the four reminders off and keeps the digest. After the morning's schedule,
// read back from the SMTP server: the administrator has reminders and no digest, the
// manager the digest and no reminder.
func TestPreferencesDecideWhatArrives(t *testing.T) {
	srv := notifytest.Start(t)
	mods, n := withMail(srv, func() time.Time { return at10 })
	env, before := start(t, store.SQLite, mods, n, srv)
	for email, prefs := range map[string]string{
		"admin@grid.demo":    `{"digest":false}`,
		"security@grid.demo": `{"remind_30d":false,"remind_7d":false,"remind_1d":false,"remind_overdue":false}`,
	} {
		c := env.Login(t, email)
		h := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}
		if res, out := c.Do("PUT", "/api/v1/notifications/preferences", nil, h, prefs); res.StatusCode != http.StatusOK {
			t.Fatalf("%s saving %s: %d %s", email, prefs, res.StatusCode, out)
		}
	}
	ctx := context.Background()
	if _, err := n.Schedule(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	const digest = "合规每日摘要 2026-12-01"
	got := map[string]map[string]int{} // recipient → digest / other → count
	for _, m := range srv.Messages()[before:] {
		for _, to := range m.To {
			if got[to] == nil {
				got[to] = map[string]int{}
			}
			if strings.HasPrefix(m.Subject, digest) {
				got[to]["digest"]++
			} else {
				got[to]["other"]++
			}
		}
	}
	if got["admin@grid.demo"]["digest"] != 0 {
		t.Error("the administrator turned the digest off and still received it")
	}
	if got["admin@grid.demo"]["other"] == 0 {
		t.Errorf("the administrator kept the reminders and received none: %v", got)
	}
	if got["security@grid.demo"]["digest"] != 1 {
		t.Errorf("the manager kept the digest and received %d", got["security@grid.demo"]["digest"])
	}
	if got["security@grid.demo"]["other"] != 0 {
		t.Errorf("the manager turned the reminders off and received %d", got["security@grid.demo"]["other"])
	}
}
