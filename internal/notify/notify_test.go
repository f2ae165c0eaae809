package notify_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/notify"
	"ciiguard/internal/notify/notifytest"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// at10 is 2026-12-01 10:00 Beijing time (02:00 UTC): after the digest hour.
var at10 = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)

// withMail returns the installation's modules with e-mail going to srv and the clock at now.
func withMail(srv *notifytest.Server, now func() time.Time) ([]kernel.Module, *notify.Module) {
	mods := app.Modules()
	var n *notify.Module
	for _, m := range mods {
		if nm, ok := m.(*notify.Module); ok {
			n = nm
		}
	}
	n.SetMail(notify.Mail{Addr: srv.Addr, From: "ciiguard@grid.demo", Security: "none"}, "https://ciiguard.grid.demo")
	n.SetClock(now)
	return mods, n
}

// start starts the installation and delivers what its demo data queued (the demo's task
// owners are told of their tasks), so that a test sees only its own messages after.
func start(t *testing.T, d store.Dialect, mods []kernel.Module, n *notify.Module, srv *notifytest.Server) (*apptest.Env, int) {
	t.Helper()
	env := apptest.StartWith(t, d, mods)
	if _, err := n.Deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	return env, len(srv.Messages())
}

func user(t *testing.T, env *apptest.Env, email string) auth.User {
	t.Helper()
	u, err := env.App.Auth.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// An alert sent through the kernel.Notifier contract reaches the user by e-mail once: a
// second Notify of the same subject and point claims nothing, and the message read back
// from the SMTP server has the Chinese subject and body and the due date as a Beijing
// date (17:00 UTC on 1 December is already 2 December in Beijing).
func TestNotifierMailsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		srv := notifytest.Start(t)
		mods, n := withMail(srv, func() time.Time { return at10 })
		env, seeded := start(t, d, mods, n, srv)
		li := user(t, env, "security@grid.demo")
		var notifier kernel.Notifier = n
		notice := kernel.Notice{
			Kind: "incidents.clock", Subject: "incident:7", Point: "report-1h",
			Title: rules.Text{Zh: "事件 7：1 小时内须报告", En: "Incident 7: report within 1 hour"},
			Body:  rules.Text{Zh: "请立即向保护工作部门报告。", En: "Report to the protection department now."},
			Users: []int64{li.ID}, Due: time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC), Link: "/incidents/7",
		}
		for i, want := range []int{1, 0} {
			got, err := notifier.Notify(context.Background(), li.OrgID, notice)
			if err != nil || got != want {
				t.Fatalf("Notify #%d: %d, %v; want %d", i+1, got, err, want)
			}
		}
		if sent, err := n.Deliver(context.Background()); err != nil || sent != 1 {
			t.Fatalf("Deliver: %d, %v", sent, err)
		}
		msgs := srv.Messages()[seeded:]
		if len(msgs) != 1 {
			t.Fatalf("%d messages, want 1", len(msgs))
		}
		m := msgs[0]
		wantBody := "请立即向保护工作部门报告。\n\n截止日期：2026-12-02（北京时间当日 24:00 前）\n查看：https://ciiguard.grid.demo/incidents/7"
		if m.Subject != "事件 7：1 小时内须报告" || len(m.To) != 1 || m.To[0] != "security@grid.demo" || m.Body != wantBody {
			t.Fatalf("message: to %v subject %q body %q", m.To, m.Subject, m.Body)
		}
		if sent, _ := n.Deliver(context.Background()); sent != 0 {
			t.Fatalf("a second Deliver sent %d more", sent)
		}
	})
}

// A notice must say what it is and to whom; an empty one is refused, nothing claimed.
func TestNotifyRefusesIncompleteNotice(t *testing.T) {
	srv := notifytest.Start(t)
	mods, n := withMail(srv, func() time.Time { return at10 })
	env := apptest.StartWith(t, store.SQLite, mods)
	li := user(t, env, "security@grid.demo")
	full := kernel.Notice{Kind: "k", Subject: "s", Point: "p", Title: rules.Text{Zh: "标题"}, Users: []int64{li.ID}}
	for name, change := range map[string]func(*kernel.Notice){
		"kind": func(n *kernel.Notice) { n.Kind = "" }, "subject": func(n *kernel.Notice) { n.Subject = "" },
		"point": func(n *kernel.Notice) { n.Point = "" }, "title": func(n *kernel.Notice) { n.Title = rules.Text{} },
		"recipients": func(n *kernel.Notice) { n.Users = nil },
	} {
		bad := full
		change(&bad)
		if k, err := n.Notify(context.Background(), li.OrgID, bad); err == nil || !strings.Contains(err.Error(), name) || k != 0 {
			t.Errorf("notice without %s: %d, %v", name, k, err)
		}
	}
	// Another organisation's user is not a recipient of this organisation's notice.
	water := user(t, env, app.OtherOperatorEmail(auth.SecurityManager))
	other := full
	other.Users = []int64{water.ID}
	if k, err := n.Notify(context.Background(), li.OrgID, other); err != nil || k != 0 {
		t.Fatalf("notice to another organisation's user: %d, %v", k, err)
	}
}

// The scheduler's reminders and digest survive a restart without a duplicate: a second
// installation opened on the same store (new modules, new services) claims and sends
// nothing that the first already sent.
func TestScheduleNoDuplicatesAfterRestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		srv := notifytest.Start(t)
		mods, n := withMail(srv, func() time.Time { return at10 })
		env, _ := start(t, d, mods, n, srv)
		ctx := context.Background()
		claimed, err := n.Schedule(ctx)
		if err != nil || claimed == 0 {
			t.Fatalf("first schedule: %d, %v (the demo has open deadlines)", claimed, err)
		}
		sent, err := n.Deliver(ctx)
		if err != nil || sent != claimed {
			t.Fatalf("deliver: sent %d of %d: %v", sent, claimed, err)
		}
		first := len(srv.Messages())
		digests := 0
		for _, m := range srv.Messages() {
			if strings.HasPrefix(m.Subject, "合规每日摘要 2026-12-01") {
				digests++
			}
		}
		if digests == 0 {
			t.Fatalf("no digest among %d messages", first)
		}
		// Each reminder says what it is about: no recipient gets two with the same subject
		// line (the same duty of two systems is told apart by the system's name).
		seen := map[string]bool{}
		for _, m := range srv.Messages() {
			k := strings.Join(m.To, ",") + "|" + m.Subject
			if seen[k] {
				t.Errorf("%v received two messages titled %q", m.To, m.Subject)
			}
			seen[k] = true
		}

		mods2, n2 := withMail(srv, func() time.Time { return at10.Add(time.Hour) })
		a2, err := app.Open(ctx, app.Config{Data: t.TempDir(), DB: env.App.Cfg.DB, Modules: mods2}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer a2.Close()
		if again, err := n2.Schedule(ctx); err != nil || again != 0 {
			t.Fatalf("schedule after restart claimed %d (%v), want 0", again, err)
		}
		if sent, err := n2.Deliver(ctx); err != nil || sent != 0 || len(srv.Messages()) != first {
			t.Fatalf("deliver after restart: %d sent, %d messages (was %d), %v", sent, len(srv.Messages()), first, err)
		}
	})
}
