package notify

import (
	"testing"
	"time"
)

// A deadline is a Beijing date that ends at 24:00 Beijing time, whatever zone the server
// runs in: at 23:59 Beijing on the due date it is due today (1d), at 00:01 the next day it
// is overdue. The reminder points are the latest of 30, 7 and 1 days before that has come.
func TestReminderPoints(t *testing.T) {
	due := time.Date(2026, 12, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)) // the date 2026-12-01
	for _, c := range []struct {
		now  string // UTC
		days int
		want string
	}{
		{"2026-10-31T15:59:00Z", 31, ""},        // 23:59 Beijing, 31 days before
		{"2026-10-31T16:01:00Z", 30, "30d"},     // 00:01 Beijing on 1 November
		{"2026-11-23T12:00:00Z", 8, "30d"},      // 20:00 Beijing
		{"2026-11-24T12:00:00Z", 7, "7d"},       //
		{"2026-11-29T15:59:00Z", 2, "7d"},       // 23:59 Beijing on 29 November
		{"2026-11-29T16:01:00Z", 1, "1d"},       // 00:01 Beijing on 30 November
		{"2026-12-01T15:59:00Z", 0, "1d"},       // 23:59 Beijing on the due date: due today
		{"2026-12-01T16:01:00Z", -1, "overdue"}, // 00:01 Beijing on 2 December
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		days := daysLeft(now, due)
		if days != c.days || pointFor(days) != c.want {
			t.Errorf("at %s: %d days, point %q; want %d, %q", c.now, days, pointFor(days), c.days, c.want)
		}
	}
}

// The address of a webhook carries the robot's key: only scheme and host are shown.
func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc": "https://qyapi.weixin.qq.com/…",
		"https://open.feishu.cn/open-apis/bot/v2/hook/xyz":         "https://open.feishu.cn/…",
		"not a url": "…",
	} {
		if got := mask(in); got != want {
			t.Errorf("mask(%q) = %q, want %q", in, got, want)
		}
	}
}

// The SMTP configuration shows whether a password is set, never the password.
func TestMailStringHidesPassword(t *testing.T) {
	m := Mail{Addr: "smtp.example.cn:587", From: "ciiguard@example.cn", Username: "ciiguard", Password: "hunter2-秘密"}
	if s := m.String(); s != `smtp smtp.example.cn:587 (starttls) from ciiguard@example.cn as "ciiguard", password set` {
		t.Fatalf("String() = %q", s)
	}
}
