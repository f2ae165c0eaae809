package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/store"
)

// Preferences are what one user chooses to receive. A user who never saved any receives
// everything (the defaults), so a new cybersecurity manager is not left unwarned.
type Preferences struct {
	Email         bool `json:"email"`          // receive notices by e-mail at all
	Digest        bool `json:"digest"`         // the daily digest
	Remind30d     bool `json:"remind_30d"`     // a deadline 30 days ahead
	Remind7d      bool `json:"remind_7d"`      // 7 days ahead
	Remind1d      bool `json:"remind_1d"`      // 1 day ahead
	RemindOverdue bool `json:"remind_overdue"` // once a deadline has passed
	Alerts        bool `json:"alerts"`         // other capabilities' alerts (incident clocks, task assignments)
}

// DefaultPreferences are a user's preferences until they save their own.
var DefaultPreferences = Preferences{Email: true, Digest: true, Remind30d: true, Remind7d: true, Remind1d: true, RemindOverdue: true, Alerts: true}

// takes reports whether the preferences let a notice of class cls through.
func (p Preferences) takes(cls string) bool {
	switch cls {
	case "digest":
		return p.Digest
	case "reminder:" + Point30d:
		return p.Remind30d
	case "reminder:" + Point7d:
		return p.Remind7d
	case "reminder:" + Point1d:
		return p.Remind1d
	case "reminder:" + PointOverdue:
		return p.RemindOverdue
	}
	return p.Alerts
}

// prefsIn reads a user's preferences in a tenant transaction.
func prefsIn(t *store.Tenant, userID int64) (Preferences, error) {
	var p Preferences
	err := t.QueryRow(`SELECT email, digest, remind_30d, remind_7d, remind_1d, remind_overdue, alerts FROM notify_preferences WHERE org_id = $1 AND user_id = $2`, userID).
		Scan(&p.Email, &p.Digest, &p.Remind30d, &p.Remind7d, &p.Remind1d, &p.RemindOverdue, &p.Alerts)
	if errors.Is(err, store.ErrNotFound) {
		return DefaultPreferences, nil
	}
	if err != nil {
		return p, fmt.Errorf("notify: read preferences: %w", err)
	}
	return p, nil
}

// Preferences returns a user's preferences in the context's organisation.
func (s *Service) Preferences(ctx context.Context, userID int64) (Preferences, error) {
	var p Preferences
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) (err error) {
		p, err = prefsIn(t, userID)
		return err
	})
	return p, err
}

// SavePreferences stores a user's preferences, audited.
func (s *Service) SavePreferences(ctx context.Context, userID int64, p Preferences) error {
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := prefsIn(t, userID)
		if err != nil {
			return err
		}
		if _, err := t.Exec(`INSERT INTO notify_preferences (org_id, user_id, email, digest, remind_30d, remind_7d, remind_1d, remind_overdue, alerts, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (org_id, user_id) DO UPDATE SET email = excluded.email, digest = excluded.digest,
remind_30d = excluded.remind_30d, remind_7d = excluded.remind_7d, remind_1d = excluded.remind_1d, remind_overdue = excluded.remind_overdue,
alerts = excluded.alerts, updated_at = excluded.updated_at`,
			userID, p.Email, p.Digest, p.Remind30d, p.Remind7d, p.Remind1d, p.RemindOverdue, p.Alerts, s.now().UTC().Truncate(time.Microsecond)); err != nil {
			return fmt.Errorf("notify: save preferences: %w", err)
		}
		return audit.InTenant(t, "notify_preferences", fmt.Sprint(userID), audit.Update, before, p, "")
	})
}
