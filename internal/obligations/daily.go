package obligations

import (
	"context"
	"errors"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// A finding's status depends on the date as well as on the records: a gap whose deadline
// was yesterday is overdue today, and a duty whose first cycle ends today falls due. Nothing
// in the records changes at midnight, so the change bus never says so; Start re-evaluates
// every organisation once a day, just after 24:00 Beijing time (deadlines end at 24:00 China
// time, internal/calendar), and at start-up those last evaluated on an earlier Beijing day.

// dailyMargin is how long after Beijing midnight the daily evaluation runs, so that a
// clock a little fast or slow still lands on the new day.
const dailyMargin = 30 * time.Second

// Start implements kernel.Starter: the daily re-evaluation.
func (m *Module) Start(ctx context.Context) error {
	if m.Service == nil || m.d.Auth == nil {
		return nil
	}
	go func() {
		m.daily(ctx, true)
		for {
			wait := time.Until(nextBeijingDay(m.Service.now()).Add(dailyMargin))
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
				m.daily(ctx, false)
			}
		}
	}()
	return nil
}

// daily runs reevaluateAll once per Beijing day across the installation's nodes: each
// node wakes at midnight and at its start, the first to take the job's lease evaluates.
func (m *Module) daily(ctx context.Context, staleOnly bool) {
	today := m.Service.now().In(calendar.Shanghai).Format(time.DateOnly)
	if _, err := kernel.RunOnce(ctx, m.d.Jobs, "obligations.daily", today, func(ctx context.Context) error {
		m.reevaluateAll(ctx, staleOnly)
		return ctx.Err()
	}); err != nil && ctx.Err() == nil {
		m.d.Log.Error("daily evaluation", "err", err)
	}
}

// nextBeijingDay is the instant the Beijing day after t's begins.
func nextBeijingDay(t time.Time) time.Time {
	b := t.In(calendar.Shanghai)
	return time.Date(b.Year(), b.Month(), b.Day()+1, 0, 0, 0, 0, calendar.Shanghai)
}

// reevaluateAll evaluates every organisation in turn, one at a time so that a large
// installation does not start thousands of evaluations at once. With staleOnly, only those
// whose last evaluation on record is from an earlier Beijing day (or that have none).
func (m *Module) reevaluateAll(ctx context.Context, staleOnly bool) {
	orgs, err := m.d.Auth.ListOrgs(ctx, "")
	if err != nil {
		m.d.Log.Error("daily evaluation: list organisations", "err", err)
		return
	}
	today := m.Service.now().In(calendar.Shanghai).Format(time.DateOnly)
	for _, o := range orgs {
		if ctx.Err() != nil {
			return
		}
		octx := store.WithOrg(ctx, o.ID)
		if staleOnly {
			last, ok, err := m.Service.lastRun(octx)
			if err != nil {
				m.d.Log.Error("daily evaluation: last run", "org", o.ID, "err", err)
				continue
			}
			if ok && last.In(calendar.Shanghai).Format(time.DateOnly) == today {
				continue
			}
		}
		m.Service.ev.enqueue(o.ID, 0, false)
		if err := m.Service.ev.wait(ctx, o.ID); err != nil {
			return
		}
		if err := m.Service.ev.lastError(o.ID); err != nil {
			m.d.Log.Error("daily evaluation", "org", o.ID, "err", err)
		}
	}
}

// lastRun is when the context's organisation was last evaluated, from the runs on record.
func (s *Service) lastRun(ctx context.Context) (time.Time, bool, error) {
	var at time.Time
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		return t.QueryRow(`SELECT at FROM finding_runs WHERE org_id = $1 ORDER BY at DESC LIMIT 1`).Scan(&at)
	})
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, false, nil
	}
	return at, err == nil, err
}
