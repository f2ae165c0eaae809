package threat

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// Facts is the fact set `threat` of the catalog's rules: how the organisation answers the
// regulator's notifications and triages the hits of its retro-hunts, at evaluation time.
type Facts struct {
	NotificationsReceived int64 `cel:"notifications_received" json:"notifications_received" label:"收到的预警通报数|notifications received"`
	AcksOverdue           int64 `cel:"acks_overdue" json:"acks_overdue" label:"未在期限内确认收到的预警通报数|notifications not acknowledged by their deadline"`
	AnswersOverdue        int64 `cel:"answers_overdue" json:"answers_overdue" label:"未在期限内反馈处置情况的预警通报数|notifications not answered by their deadline"`
	Hits                  int64 `cel:"hits" json:"hits" label:"威胁情报命中数|indicator hits"`
	HitsTriageOverdue     int64 `cel:"hits_triage_overdue" json:"hits_triage_overdue" label:"未在规定时间内研判的命中数|hits not triaged within the organisation's time"`
	TriageHours           int64 `cel:"triage_hours" json:"triage_hours" label:"命中研判时限（小时）|time to triage a hit (hours)"`
}

// FactSet returns the threat fact set read from s.
func FactSet(s *Service) kernel.FactSet {
	return kernel.NewFacts("threat", "threat information: notifications answered in time, hits triaged in time", s.Facts)
}

// Facts reads the context's organisation's threat facts.
func (s *Service) Facts(ctx context.Context) (Facts, error) {
	var f Facts
	now := s.now()
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		th, err := triageHours(t)
		if err != nil {
			return err
		}
		f.TriageHours = int64(th)
		// A hit is late when nobody triaged it within the organisation's time after it was
		// found, whether it is still waiting or was triaged afterwards.
		late := now.Add(-time.Duration(th) * time.Hour)
		for _, q := range []struct {
			dst  *int64
			sql  string
			args []any
		}{
			{&f.NotificationsReceived, `SELECT COUNT(*) FROM threat_inbox WHERE org_id = $1`, nil},
			{&f.AcksOverdue, `SELECT COUNT(*) FROM threat_inbox WHERE org_id = $1 AND ((acknowledged_at IS NULL AND deadline < $2) OR acknowledged_at > deadline)`, []any{now}},
			{&f.AnswersOverdue, `SELECT COUNT(*) FROM threat_inbox WHERE org_id = $1 AND ((answered_at IS NULL AND deadline < $2) OR answered_at > deadline)`, []any{now}},
			{&f.Hits, `SELECT COUNT(*) FROM threat_hits WHERE org_id = $1`, nil},
		} {
			if err := t.QueryRow(q.sql, q.args...).Scan(q.dst); err != nil {
				return fmt.Errorf("count threat facts: %w", err)
			}
		}
		rows, err := t.Query(`SELECT created_at, triaged_at FROM threat_hits WHERE org_id = $1 AND (triaged_at IS NOT NULL OR created_at < $2)`, late)
		if err != nil {
			return fmt.Errorf("count late triage: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var created time.Time
			var tr sql.NullTime
			if err := rows.Scan(&created, &tr); err != nil {
				return err
			}
			triaged := nullTime(tr)
			due := created.Add(time.Duration(th) * time.Hour)
			if (triaged == nil && now.After(due)) || (triaged != nil && triaged.After(due)) {
				f.HitsTriageOverdue++
			}
		}
		return rows.Err()
	})
	return f, err
}
