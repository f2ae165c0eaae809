package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// maxAttempts is how often a delivery is tried before it is given up as failed.
const maxAttempts = 8

// pending is one claimed delivery waiting to be sent.
type pending struct {
	id                                       int64
	org                                      int64
	recipient, subject, point, kind, channel string
	lang, title, body, link                  string
	due                                      *time.Time
	attempts                                 int
}

// Deliver sends every claimed delivery whose time has come and records each outcome; it
// returns how many were sent. A failure is retried later with a growing pause, and given
// up after maxAttempts; it is never claimed anew, so a retry cannot double a success.
func (s *Service) Deliver(ctx context.Context) (int, error) {
	now := s.now().UTC()
	var due []pending
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		// The sender works for every organisation; each row is then handled in its own.
		rows, err := tx.Query(`SELECT id, org_id, recipient, subject, point, kind, channel, lang, title, body, link, due, attempts
FROM notify_ledger WHERE status = 'pending' AND next_try <= $1 ORDER BY id LIMIT 200`, now)
		if err != nil {
			return fmt.Errorf("notify: read pending deliveries: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p pending
			if err := rows.Scan(&p.id, &p.org, &p.recipient, &p.subject, &p.point, &p.kind, &p.channel, &p.lang, &p.title, &p.body, &p.link, &p.due, &p.attempts); err != nil {
				return err
			}
			due = append(due, p)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, p := range due {
		octx := store.WithOrg(ctx, p.org)
		status, sendErr := s.deliverOne(octx, p)
		if sendErr != nil && status == "sent" {
			status = ""
		}
		if sendErr != nil && status == "" {
			s.log.Warn("notification not delivered", "org", p.org, "recipient", p.recipient, "subject", p.subject, "point", p.point, "attempt", p.attempts+1, "err", sendErr)
		}
		if err := s.record(octx, p, status, sendErr); err != nil {
			return sent, err
		}
		if status == "sent" {
			sent++
		}
	}
	return sent, nil
}

// deliverOne sends p and says what became of it: "sent", "skipped" (the recipient is gone
// or disabled), or "" with the error of a failed try.
func (s *Service) deliverOne(ctx context.Context, p pending) (string, error) {
	kind, idText, _ := strings.Cut(p.recipient, ":")
	if kind == "phone" {
		if !s.sms.On() {
			return "", errors.New("the SMS outbox is off")
		}
		return "sent", s.sms.append(OutboxMessage{To: idText, Text: p.title + "：" + p.body, Org: p.org, Kind: p.kind, Subject: p.subject, Point: p.point, At: s.now().UTC()})
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return "skipped", fmt.Errorf("recipient %q", p.recipient)
	}
	switch kind {
	case "user":
		if !s.mail.On() {
			return "", errors.New("e-mail is not configured")
		}
		u, err := s.auth.GetUser(ctx, id)
		if errors.Is(err, store.ErrNotFound) || err == nil && u.Disabled {
			return "skipped", nil
		}
		if err != nil {
			return "", err
		}
		return "sent", s.mail.send(u.Email, p.title, withLink(p.body, p.lang, s.base, p.link), s.now())
	case "webhook":
		var h Webhook
		err := s.db.ReadTenant(ctx, func(t *store.Tenant) (err error) {
			h, err = scanWebhook(t.QueryRow(`SELECT `+webhookColumns+` FROM notify_webhooks WHERE org_id = $1 AND id = $2`, id).Scan)
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			return "skipped", nil
		}
		if err != nil {
			return "", err
		}
		link := ""
		if p.link != "" {
			link = strings.TrimRight(s.base, "/") + p.link
		}
		m := message{Kind: p.kind, Subject: p.subject, Point: p.point, Title: p.title, Text: withLink(p.body, p.lang, s.base, p.link), Link: link, Due: p.due}
		return "sent", s.post(ctx, h, m)
	}
	return "skipped", fmt.Errorf("recipient %q", p.recipient)
}

// record writes the outcome of one try.
func (s *Service) record(ctx context.Context, p pending, status string, sendErr error) error {
	now := s.now().UTC().Truncate(time.Microsecond)
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		switch {
		case status == "sent" && sendErr == nil, status == "skipped":
			_, err = t.Exec(`UPDATE notify_ledger SET status = $2, sent_at = $3, attempts = attempts + 1 WHERE org_id = $1 AND id = $4`, status, now, p.id)
		default:
			next, st := now.Add(backoff(p.attempts+1)), "pending"
			if p.attempts+1 >= maxAttempts {
				st = "failed"
			}
			_, err = t.Exec(`UPDATE notify_ledger SET status = $2, attempts = attempts + 1, last_error = $3, next_try = $4 WHERE org_id = $1 AND id = $5`, st, clip(sendErr.Error()), next, p.id)
		}
		if err != nil {
			return fmt.Errorf("notify: record delivery %d: %w", p.id, err)
		}
		return nil
	})
}

// backoff is the pause before try n+1: a minute, doubling, at most six hours.
func backoff(n int) time.Duration {
	d := time.Minute << min(n-1, 9)
	return min(d, 6*time.Hour)
}

// run schedules and delivers every interval, and delivers at once when woken.
func (s *Service) run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	s.tick(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.tick(ctx)
		case <-s.kick:
			// One node at a time reads the pending deliveries and sends them: two reading
			// the same rows would each send them. A node that finds another sending skips;
			// that node, or the next tick anywhere, sends what is left.
			if _, err := kernel.RunOnce(ctx, s.jobs, "notify.deliver", "", func(ctx context.Context) error {
				_, err := s.Deliver(ctx)
				return err
			}); err != nil && ctx.Err() == nil {
				s.log.Error("notify: deliver", "err", err)
			}
		}
	}
}

// tick schedules reminders and delivers, on one node of the installation at a time.
func (s *Service) tick(ctx context.Context) {
	if _, err := kernel.RunOnce(ctx, s.jobs, "notify.deliver", "", func(ctx context.Context) error {
		s.tickHere(ctx)
		return nil
	}); err != nil && ctx.Err() == nil {
		s.log.Error("notify: schedule and deliver", "err", err)
	}
}

func (s *Service) tickHere(ctx context.Context) {
	if _, err := s.Schedule(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("notify: schedule reminders", "err", err)
	}
	if _, err := s.Deliver(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("notify: deliver", "err", err)
	}
}
