package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// Kinds and reminder points this capability schedules itself.
const (
	// KindDigest is the daily digest; its point is the Beijing date it is for.
	KindDigest = "notify.digest"
	// KindReminder is a deadline reminder; its point is one of the Point* values.
	KindReminder = "notify.reminder"

	Point30d     = "30d"
	Point7d      = "7d"
	Point1d      = "1d"
	PointOverdue = "overdue"
)

// Channels a claimed delivery goes out on.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// class is what a preference or a webhook setting decides for a notice: the digest, a
// reminder at one of the points, or any other alert.
func class(n kernel.Notice) string {
	switch {
	case n.Kind == KindDigest:
		return "digest"
	case n.Point == Point30d || n.Point == Point7d || n.Point == Point1d || n.Point == PointOverdue:
		return "reminder:" + n.Point
	}
	return "alert"
}

// check refuses a notice that could not be delivered or deduplicated.
func check(n kernel.Notice) error {
	var missing []string
	for name, v := range map[string]string{"kind": n.Kind, "subject": n.Subject, "point": n.Point, "title": n.Title.Zh + n.Title.En} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("notify: notice without %s", strings.Join(missing, ", "))
	}
	return nil
}

// Notify implements kernel.Notifier.
func (s *Service) Notify(ctx context.Context, orgID int64, n kernel.Notice) (int, error) {
	if err := check(n); err != nil {
		return 0, err
	}
	if len(n.Users) == 0 && len(n.Roles) == 0 && len(n.Phones) == 0 {
		return 0, errors.New("notify: notice without recipients")
	}
	if len(n.Phones) > 0 && !s.sms.On() {
		return 0, kernel.ErrNoSMS
	}
	ctx = store.WithOrg(ctx, orgID)
	users, err := s.recipients(ctx, n)
	if err != nil {
		return 0, err
	}
	// A notice addressed to phones only (a one-time code) is for their owners alone: it
	// does not go to the organisation's webhooks, where staff would read it.
	return s.claim(ctx, n, users, len(n.Users)+len(n.Roles) > 0)
}

// recipients are the active users of the context's organisation the notice addresses.
func (s *Service) recipients(ctx context.Context, n kernel.Notice) ([]auth.User, error) {
	want := map[int64]bool{}
	for _, id := range n.Users {
		want[id] = true
	}
	roles := map[auth.Role]bool{}
	for _, r := range n.Roles {
		roles[r] = true
	}
	all, err := s.users(ctx)
	if err != nil {
		return nil, err
	}
	var out []auth.User
	for _, u := range all {
		if !u.Disabled && (want[u.ID] || roles[u.Role]) {
			out = append(out, u)
		}
	}
	return out, nil
}

// users lists every user of the context's organisation, a page at a time.
func (s *Service) users(ctx context.Context) ([]auth.User, error) {
	var out []auth.User
	p := store.Page{Limit: 500}
	for {
		page, next, err := s.auth.ListUsersPage(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("notify: list users: %w", err)
		}
		out = append(out, page...)
		if next == "" {
			return out, nil
		}
		if p.Cursor, err = strconv.ParseInt(next, 10, 64); err != nil {
			return nil, fmt.Errorf("notify: users cursor %q: %w", next, err)
		}
	}
}

// claim writes one ledger row per delivery of n — each user who takes it by e-mail and,
// when toWebhooks, each of the organisation's webhooks that takes its class — in one
// transaction. A (recipient, subject, point) already in the ledger is left alone: that is
// what makes a second run, a restart or a retried alert send nothing twice. It returns
// how many rows it claimed and wakes the sender.
func (s *Service) claim(ctx context.Context, n kernel.Notice, users []auth.User, toWebhooks bool) (int, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	cls := class(n)
	var claimed int
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		claimed = 0
		insert := func(recipient, channel, lang string) error {
			title, body := render(n, lang)
			var due any
			if !n.Due.IsZero() {
				due = n.Due.UTC()
			}
			res, err := t.Exec(`INSERT INTO notify_ledger (org_id, recipient, subject, point, kind, channel, lang, title, body, link, due, status, attempts, last_error, next_try, claimed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', 0, '', $12, $12) ON CONFLICT (org_id, recipient, subject, point) DO NOTHING`,
				recipient, n.Subject, n.Point, n.Kind, channel, lang, title, body, n.Link, due, now)
			if err != nil {
				return fmt.Errorf("notify: claim %s for %s: %w", n.Subject, recipient, err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			claimed += int(k)
			return nil
		}
		if s.mail.On() {
			for _, u := range users {
				p, err := prefsIn(t, u.ID)
				if err != nil {
					return err
				}
				if p.Email && p.takes(cls) {
					if err := insert(userRecipient(u.ID), ChannelEmail, userLang(u)); err != nil {
						return err
					}
				}
			}
		}
		// An SMS is in Chinese: the phone's owner has no language preference here.
		for _, p := range n.Phones {
			if err := insert(phoneRecipient(p), ChannelSMS, web.LangZH); err != nil {
				return err
			}
		}
		if toWebhooks {
			hooks, err := webhooksIn(t)
			if err != nil {
				return err
			}
			for _, h := range hooks {
				if h.takes(cls) {
					if err := insert(webhookRecipient(h.ID), ChannelWebhook, web.LangZH); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if claimed > 0 {
		s.wake()
	}
	return claimed, nil
}

func userRecipient(id int64) string    { return "user:" + strconv.FormatInt(id, 10) }
func webhookRecipient(id int64) string { return "webhook:" + strconv.FormatInt(id, 10) }

// userLang is the language a user reads notices in: their own choice, else Chinese.
func userLang(u auth.User) string {
	if l := web.NormLang(u.Lang); l != "" {
		return l
	}
	return web.LangZH
}

// wake tells the sender there is something to deliver.
func (s *Service) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// dueDate is the deadline's Beijing date: a deadline ends at 24:00 Beijing time.
func dueDate(t time.Time) string { return t.In(calendar.Shanghai).Format(time.DateOnly) }

// daysLeft counts the Beijing calendar days from now's date to due's date: 0 on the due
// date itself, negative once it has passed.
func daysLeft(now, due time.Time) int {
	y1, m1, d1 := now.In(calendar.Shanghai).Date()
	y2, m2, d2 := due.In(calendar.Shanghai).Date()
	return int(time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC).Sub(time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}
