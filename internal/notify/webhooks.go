package notify

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Webhook formats: a generic JSON document, and the text messages of the group robots of
// WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书).
const (
	FormatGeneric  = "generic"
	FormatWeCom    = "wecom"
	FormatDingTalk = "dingtalk"
	FormatFeishu   = "feishu"
)

// Formats lists the webhook formats in the order the form offers them.
var Formats = []string{FormatGeneric, FormatWeCom, FormatDingTalk, FormatFeishu}

// Webhook is one of an organisation's webhooks. Its address and secret carry the
// credentials of the chat group (a robot's key or access token), so they never leave the
// server in full: JSON and the audit trail carry the masked address only.
type Webhook struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Format    string    `json:"format"`
	URL       string    `json:"-"`
	Shown     string    `json:"url"` // the address with everything after the host masked
	Secret    string    `json:"-"`
	HasSecret bool      `json:"has_secret"`
	Digest    bool      `json:"digest"`
	Reminders bool      `json:"reminders"`
	Alerts    bool      `json:"alerts"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// NewWebhook is what an administrator submits to add a webhook.
type NewWebhook struct {
	Name      string `json:"name"`
	Format    string `json:"format"`
	URL       string `json:"url"`
	Secret    string `json:"secret"`
	Digest    bool   `json:"digest"`
	Reminders bool   `json:"reminders"`
	Alerts    bool   `json:"alerts"`
}

// takes reports whether the webhook receives notices of class cls.
func (h Webhook) takes(cls string) bool {
	switch {
	case cls == "digest":
		return h.Digest
	case len(cls) > 9 && cls[:9] == "reminder:":
		return h.Reminders
	}
	return h.Alerts
}

// mask shows a webhook address as scheme://host/… : the path and query hold the robot's
// key or token.
func mask(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "…"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// validate checks a new webhook: a name, a known format, an absolute https address (plain
// http only to this machine, for tests and local relays) and a secret only where the
// format defines signing.
func (n NewWebhook) validate() error {
	v := &problem.Invalid{}
	v.Text("name", n.Name, true, 100)
	known := false
	for _, f := range Formats {
		known = known || f == n.Format
	}
	if !known {
		v.Add("format", "must be one of generic, wecom, dingtalk, feishu")
	}
	if v.Text("url", n.URL, true, 2000) {
		u, err := url.Parse(n.URL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			v.Add("url", "must be an absolute http or https address")
		case u.Scheme == "http" && !loopback(u.Hostname()):
			v.Add("url", "must use https (plain http only to this machine)")
		case u.User != nil:
			v.Add("url", "must not carry a user name or password")
		}
	}
	if v.Text("secret", n.Secret, false, 200) && n.Secret != "" && n.Format == FormatWeCom {
		v.Add("secret", "WeCom robots take no signing secret; their key is in the address")
	}
	return v.Err()
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

const webhookColumns = `id, name, format, url, secret, digest, reminders, alerts, created_by, created_at`

func scanWebhook(scan func(...any) error) (Webhook, error) {
	var h Webhook
	err := scan(&h.ID, &h.Name, &h.Format, &h.URL, &h.Secret, &h.Digest, &h.Reminders, &h.Alerts, &h.CreatedBy, &h.CreatedAt)
	h.Shown, h.HasSecret = mask(h.URL), h.Secret != ""
	return h, err
}

// webhooksIn lists the organisation's webhooks in a tenant transaction.
func webhooksIn(t *store.Tenant) ([]Webhook, error) {
	rows, err := t.Query(`SELECT ` + webhookColumns + ` FROM notify_webhooks WHERE org_id = $1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("notify: list webhooks: %w", err)
	}
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		h, err := scanWebhook(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Webhooks lists the context's organisation's webhooks.
func (s *Service) Webhooks(ctx context.Context) ([]Webhook, error) {
	var out []Webhook
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) (err error) {
		out, err = webhooksIn(t)
		return err
	})
	return out, err
}

// AddWebhook validates and stores a webhook, audited with its masked address only.
func (s *Service) AddWebhook(ctx context.Context, n NewWebhook) (Webhook, error) {
	if err := n.validate(); err != nil {
		return Webhook{}, err
	}
	h := Webhook{Name: n.Name, Format: n.Format, URL: n.URL, Secret: n.Secret, Shown: mask(n.URL), HasSecret: n.Secret != "",
		Digest: n.Digest, Reminders: n.Reminders, Alerts: n.Alerts, CreatedBy: audit.ActorFrom(ctx).Label, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO notify_webhooks (org_id, name, format, url, secret, digest, reminders, alerts, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			h.Name, h.Format, h.URL, h.Secret, h.Digest, h.Reminders, h.Alerts, h.CreatedBy, h.CreatedAt).Scan(&h.ID); err != nil {
			return fmt.Errorf("notify: add webhook: %w", err)
		}
		return audit.InTenant(t, "notify_webhook", strconv.FormatInt(h.ID, 10), audit.Create, nil, h, h.Name)
	})
	return h, err
}

// DeleteWebhook removes a webhook of the context's organisation; another organisation's is
// store.ErrNotFound.
func (s *Service) DeleteWebhook(ctx context.Context, id int64) error {
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		h, err := scanWebhook(t.QueryRow(`SELECT `+webhookColumns+` FROM notify_webhooks WHERE org_id = $1 AND id = $2`, id).Scan)
		if err != nil {
			return err
		}
		if _, err := t.Exec(`DELETE FROM notify_webhooks WHERE org_id = $1 AND id = $2`, id); err != nil {
			return fmt.Errorf("notify: delete webhook: %w", err)
		}
		return audit.InTenant(t, "notify_webhook", strconv.FormatInt(id, 10), audit.Delete, h, nil, h.Name)
	})
}
