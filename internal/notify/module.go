// Package notify is the notifications capability: it delivers kernel.Notice values — the
// deadline reminders it schedules itself (30, 7 and 1 days before a due date, and once
// overdue), a daily digest, and the alerts other capabilities send through the
// kernel.Notifier contract — by e-mail over SMTP and by the organisation's webhooks
// (generic JSON and the group-robot formats of WeCom, DingTalk and Feishu); a notice to a
// phone number goes to the SMS outbox (sms.go), a file the operator's SMS gateway sends
// from.
//
// Every delivery is first claimed in a sent-ledger keyed by recipient, subject and
// reminder point, in the same transaction that decides to send it; a key already in the
// ledger is never claimed again, so a restart, a second scheduler run or a retried alert
// sends nothing twice. Users choose what they receive on their preferences page. SMTP
// passwords and webhook secrets are never logged and are shown back only masked.
package notify

import (
	"context"
	"embed"
	"flag"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json migrations
var files embed.FS

// Permissions of the notifications capability.
const (
	// Self is choosing what one receives oneself.
	Self auth.Permission = "notify.self"
	// Manage is configuring the organisation's webhooks.
	Manage auth.Permission = "notify.manage"
)

func init() {
	auth.Grant(Self, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor,
		auth.RegulatorAdmin, auth.RegulatorAnalyst, auth.Inspector, auth.SupplierUser)
	auth.Grant(Manage, auth.Admin, auth.SecurityManager)
}

// Module is the notifications capability.
type Module struct {
	*Service
	d     kernel.Deps
	pages *web.Pages
}

// Service claims, schedules and delivers notices.
type Service struct {
	db       *store.DB
	auth     *auth.Service
	log      *slog.Logger
	jobs     kernel.Jobs // singleton jobs across nodes
	obl      kernel.Obligations
	sources  []DeadlineSource
	systems  systemFacts // the inventory, for the names of systems in reminders
	mail     Mail
	sms      Outbox
	smsFlag  string // --notify-sms-outbox as given
	base     string // the installation's address, before the paths in links
	client   *http.Client
	now      func() time.Time
	kick     chan struct{}
	interval time.Duration
}

// New returns the module, with SMTP off until configured.
func New() *Module {
	return &Module{Service: &Service{now: time.Now, kick: make(chan struct{}, 1), interval: time.Minute,
		client: &http.Client{Timeout: 15 * time.Second}}}
}

// SetClock makes the service read the time from now (tests and the demo's fixed date).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// SetMail sets the SMTP configuration and the installation's address for links (the
// flags set them for the CLI).
func (s *Service) SetMail(m Mail, publicURL string) { s.mail, s.base = m, publicURL }

// Name implements kernel.Module.
func (m *Module) Name() string { return "notify" }

// Migrations implements kernel.Module: the files in migrations/.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "notify")
}

// Flags implements kernel.Configurable: the SMTP server that sends e-mail.
func (m *Module) Flags(fs *flag.FlagSet) {
	fs.StringVar(&m.mail.Addr, "smtp-addr", "", "SMTP server host:port for notification e-mail (e-mail off when empty)")
	fs.StringVar(&m.mail.From, "smtp-from", "", "sender address of notification e-mail")
	fs.StringVar(&m.mail.Username, "smtp-username", "", "SMTP user name (no authentication when empty)")
	fs.StringVar(&m.mail.Password, "smtp-password", "", "SMTP password (prefer CIIGUARD_SMTP_PASSWORD; never logged)")
	fs.StringVar(&m.base, "notify-public-url", "", "the address users reach ciiguard at (https://ciiguard.example.cn), for links in notices")
	fs.StringVar(&m.smsFlag, "notify-sms-outbox", "", "file the SMS channel appends messages to, one JSON line each, for the operator's SMS gateway to send (default <data>/sms-outbox.jsonl; \"off\" turns SMS off)")
	fs.StringVar(&m.mail.Security, "smtp-security", "starttls", "SMTP transport security: starttls, tls or none (none only on loopback)")
}

// Provision implements kernel.Module.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	m.db, m.auth, m.log, m.jobs = d.DB, d.Auth, d.Log, d.Jobs
	switch m.smsFlag {
	case SMSOff:
		m.sms.Path = ""
	case "":
		if d.DataDir != "" {
			m.sms.Path = filepath.Join(d.DataDir, "sms-outbox.jsonl")
		}
	default:
		m.sms.Path = m.smsFlag
	}
	var err error
	if m.obl, err = kernel.Need[kernel.Obligations](d.Registry, m.Name()); err != nil {
		return err
	}
	m.sources = kernel.All[DeadlineSource](d.Registry)
	if m.systems, err = kernel.Need[systemFacts](d.Registry, m.Name()); err != nil {
		return err
	}
	return m.mail.check()
}

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	var err error
	if m.pages, err = d.Web.LoadAssets(files, "templates/*.html"); err != nil {
		return err
	}
	s := d.Web
	s.Page("GET /notifications", Self, m.prefsPage)
	s.Page("POST /notifications", Self, m.savePrefsPage)
	s.Page("POST /notifications/webhooks", Manage, m.addWebhookPage)
	s.Page("POST /notifications/webhooks/{id}/delete", Manage, m.deleteWebhookPage)
	s.API("GET /api/v1/notifications/preferences", Self, m.apiPrefs)
	s.API("PUT /api/v1/notifications/preferences", Self, m.apiSavePrefs)
	s.API("GET /api/v1/notifications/webhooks", Manage, m.apiWebhooks)
	s.API("POST /api/v1/notifications/webhooks", Manage, m.apiAddWebhook)
	s.API("DELETE /api/v1/notifications/webhooks/{id}", Manage, m.apiDeleteWebhook)
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.notifications", Path: "/notifications", Perm: Self, Order: 950}}
}

// Start implements kernel.Starter: it schedules reminders and the digest every interval
// and delivers what is claimed, until ctx ends.
func (m *Module) Start(ctx context.Context) error {
	go m.run(ctx)
	return nil
}

// The notify capability is the installation's kernel.Notifier.
var _ kernel.Notifier = (*Module)(nil)
