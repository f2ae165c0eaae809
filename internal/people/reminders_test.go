package people_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
	"ciiguard/internal/notify"
	"ciiguard/internal/notify/notifytest"
	"ciiguard/internal/store"
)

// TestVettingReminderByMail: a key-post holder's background check falls due again in five
// days and a certificate expires in twenty; the notification scheduler (as the server's
// ticker runs it) mails the security manager a 7-day and a 30-day reminder naming the
// person, and nobody else gets the name — it is personal information (people.hr). The
// mail is read back from a real SMTP server.
func TestVettingReminderByMail(t *testing.T) {
	mail := notifytest.Start(t)
	mods := app.Modules()
	var n *notify.Module
	for _, m := range mods {
		if nm, ok := m.(*notify.Module); ok {
			n = nm
		}
	}
	n.SetMail(notify.Mail{Addr: mail.Addr, From: "ciiguard@grid.demo", Security: "none"}, "https://ciiguard.grid.demo")
	env := apptest.StartWith(t, store.SQLite, mods)
	bg := context.Background()
	if _, err := n.Deliver(bg); err != nil { // the demo's own notices, before ours
		t.Fatal(err)
	}
	sm := env.Login(t, "security@grid.demo")
	jsonHdr := map[string]string{"Content-Type": "application/json", "X-CSRF-Token": sm.CSRF}
	const who = "提醒测试员"
	res, out := sm.Do("POST", "/api/v1/people/persons", nil, jsonHdr,
		`{"name":"`+who+`","employee_no":"T-1","department":"信息中心","security_staff":true}`)
	if res.StatusCode != 201 && res.StatusCode != 200 {
		t.Fatalf("add person: %d %s", res.StatusCode, out)
	}
	var p struct{ ID int64 }
	if err := json.Unmarshal([]byte(out), &p); err != nil || p.ID == 0 {
		t.Fatalf("add person: %s", out)
	}
	day := func(d int) string { return time.Now().In(calendar.Shanghai).AddDate(0, 0, d).Format(time.DateOnly) }
	base := "/api/v1/people/persons/" + jsonNum(p.ID)
	for path, body := range map[string]string{
		base + "/vettings":       `{"checked_on":"` + day(-1000) + `","result":"passed","next_due":"` + day(5) + `"}`,
		base + "/certifications": `{"name":"CISP","issuer":"CNITSEC","number":"C-1","expires_on":"` + day(20) + `"}`,
	} {
		if res, out := sm.Do("POST", path, nil, jsonHdr, body); res.StatusCode >= 300 {
			t.Fatalf("POST %s: %d %s", path, res.StatusCode, out)
		}
	}
	mark := len(mail.Messages())
	if _, err := n.Schedule(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Deliver(bg); err != nil {
		t.Fatal(err)
	}
	var vetting, cert bool
	for _, m := range mail.Messages()[mark:] {
		if !strings.Contains(m.Subject+m.Body, who) {
			continue
		}
		if len(m.To) != 1 || m.To[0] != "security@grid.demo" {
			t.Errorf("the person's name went to %v in %q", m.To, m.Subject)
			continue
		}
		switch {
		case strings.Contains(m.Subject, "【5 天后截止】安全背景审查复查："+who):
			vetting = true
		case strings.Contains(m.Subject, "【20 天后截止】证书到期："+who+"（CISP）"):
			cert = true
		case strings.HasPrefix(m.Subject, "合规每日摘要"):
		default:
			t.Errorf("unexpected mail naming the person: %q", m.Subject)
		}
	}
	if !vetting || !cert {
		var subjects []string
		for _, m := range mail.Messages()[mark:] {
			subjects = append(subjects, strings.Join(m.To, ",")+": "+m.Subject)
		}
		t.Errorf("vetting reminder %v, certificate reminder %v; mails since: %q", vetting, cert, subjects)
	}
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }
