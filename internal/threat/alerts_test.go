package threat_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/notify"
	"ciiguard/internal/notify/notifytest"
	"ciiguard/internal/store"
)

// TestNotificationAlertsResponders: the regulator publishes a notification to the energy
// sector; the grid operator's responders (administrator, security manager, analyst: those
// who may acknowledge and answer it) are e-mailed at once, read back from a real SMTP
// server, with the regulator, the severity and the answer deadline in China time; the
// auditor is not, and neither is the water operator, outside the sector. Five days before
// the deadline the reminder scheduler sends the 7-day reminder of the unanswered
// notification.
func TestNotificationAlertsResponders(t *testing.T) {
	mail := notifytest.Start(t)
	mods := app.Modules()
	var n *notify.Module
	for _, m := range mods {
		if nm, ok := m.(*notify.Module); ok {
			n = nm
		}
	}
	n.SetMail(notify.Mail{Addr: mail.Addr, From: "ciiguard@regulator.demo", Security: "none"}, "https://ciiguard.example.cn")
	env := apptest.StartWith(t, store.SQLite, mods)
	bg := context.Background()
	if _, err := n.Deliver(bg); err != nil { // the demo's own notices
		t.Fatal(err)
	}
	mark := len(mail.Messages())
	an := env.Login(t, "analyst@regulator.demo")
	deadline := time.Now().Add(5*24*time.Hour + time.Hour)
	const title = "勒索软件投递服务器预警"
	code, body := call(t, an, "POST", "/api/v1/threat/notifications", map[string]any{
		"title_zh": title, "title_en": "Ransomware delivery server warning", "severity": "high", "sectors": []string{"energy"},
		"summary": "请排查与该地址的连接。", "actions": "阻断并排查", "deadline": deadline.Format(time.RFC3339), "format": "list", "indicators": "203.0.113.77\n"}, nil)
	must(t, "publish", code, http.StatusCreated, body)
	if _, err := n.Deliver(bg); err != nil {
		t.Fatal(err)
	}
	due := deadline.In(shanghai(t)).Format("2006-01-02 15:04")
	var got []string
	for _, m := range mail.Messages()[mark:] {
		if !strings.Contains(m.Subject, title) {
			continue
		}
		got = append(got, m.To...)
		if strings.Contains(m.Subject, "威胁预警通报") && (!strings.Contains(m.Body, "示例能源监管局") || !strings.Contains(m.Body, "（高）") || !strings.Contains(m.Body, due)) {
			t.Errorf("the alert to %v lacks the regulator, the severity or the deadline %s: %q", m.To, due, m.Body)
		}
	}
	slices.Sort(got)
	want := []string{"admin@grid.demo", "analyst@grid.demo", "security@grid.demo"}
	if !slices.Equal(got, want) {
		t.Errorf("alerted %v, want the grid operator's responders %v", got, want)
	}
	mark = len(mail.Messages())
	if _, err := n.Schedule(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Deliver(bg); err != nil {
		t.Fatal(err)
	}
	reminded := false
	for _, m := range mail.Messages()[mark:] {
		if strings.Contains(m.Subject, "天后截止】威胁预警通报："+title) && slices.Contains(m.To, "security@grid.demo") {
			reminded = true
		}
	}
	if !reminded {
		var subjects []string
		for _, m := range mail.Messages()[mark:] {
			subjects = append(subjects, m.Subject)
		}
		t.Errorf("no reminder of the unanswered notification; mails: %q", subjects)
	}
}

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
