package oversight

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// An inspection's time box may change while it runs: the department closes it before its
// end (the reading is done, or the inspection is withdrawn), or extends it (the reading
// takes longer). Either is the department's decision with a reason, kept with the
// inspection (oversight_inspection_changes), shown on both sides and audited in both
// trails. An ended time box is not reopened: that is a new inspection, with its own
// notice.

// Kinds of time box change.
const (
	BoxClosed   = "closed"
	BoxExtended = "extended"
)

// maxBoxReason is the longest reason of a change.
const maxBoxReason = 1000

// BoxChange is one change of an inspection's time box.
type BoxChange struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"` // BoxClosed or BoxExtended
	EndsBefore time.Time `json:"ends_before"`
	EndsAfter  time.Time `json:"ends_after"`
	Reason     string    `json:"reason"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// AtText is when the change was made, Beijing time.
func (c BoxChange) AtText() string { return bjTime(c.At) }

// EndsText is the end of the time box after the change, Beijing time.
func (c BoxChange) EndsText() string { return bjTime(c.EndsAfter) }

// BoxChangeInput is a change as the department asks for it: EndsAt is the new end
// (RFC 3339, or a day meaning its end in Beijing) of an extension, unused by a closing.
type BoxChangeInput struct {
	EndsAt string `json:"ends_at"`
	Reason string `json:"reason"`
}

// CloseInspection ends the context department's open inspection id now, with a reason.
func (s *Service) CloseInspection(ctx context.Context, id int64, in BoxChangeInput) (*Inspection, error) {
	return s.changeBox(ctx, id, BoxClosed, in)
}

// ExtendInspection moves the end of the context department's open inspection id later,
// with a reason: at most maxInspectionDays from now, as when it was opened.
func (s *Service) ExtendInspection(ctx context.Context, id int64, in BoxChangeInput) (*Inspection, error) {
	return s.changeBox(ctx, id, BoxExtended, in)
}

func (s *Service) changeBox(ctx context.Context, id int64, kind string, in BoxChangeInput) (*Inspection, error) {
	// The inspection first: another department's is a 404 before the input is judged.
	if _, err := s.Inspection(ctx, id); err != nil {
		return nil, err
	}
	now := s.now()
	in.Reason = strings.TrimSpace(in.Reason)
	v := &problem.Invalid{}
	v.Text("reason", in.Reason, true, maxBoxReason)
	var endsAt time.Time
	if kind == BoxExtended {
		endsAt = s.parseBoxEnd(v, strings.TrimSpace(in.EndsAt), now)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		xs, err := s.inspections(t, 0, id, false)
		if err != nil {
			return err
		}
		if len(xs) != 1 {
			return fmt.Errorf("inspection %d: %w", id, store.ErrNotFound)
		}
		x := xs[0]
		if !now.Before(x.EndsAt) {
			return problem.Conflictf("ends_at", "the inspection's time box ended at %s: open a new inspection instead", bjTime(x.EndsAt))
		}
		c := BoxChange{Kind: kind, EndsBefore: x.EndsAt, EndsAfter: now.UTC().Truncate(time.Microsecond), Reason: in.Reason, By: audit.ActorFrom(ctx).Label, At: now}
		if kind == BoxExtended {
			if !endsAt.After(x.EndsAt) {
				return problem.Field("ends_at", "must be after the time box's present end, %s", bjTime(x.EndsAt))
			}
			c.EndsAfter = endsAt
		}
		if _, err := t.Exec(`UPDATE oversight_inspections SET ends_at = $2 WHERE org_id = $1 AND id = $3`, c.EndsAfter, id); err != nil {
			return fmt.Errorf("change the inspection's time box: %w", err)
		}
		if err := t.QueryRow(`INSERT INTO oversight_inspection_changes (org_id, inspection_id, kind, ends_before, ends_after, reason, by_user, by_label, at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, id, c.Kind, c.EndsBefore, c.EndsAfter, c.Reason, audit.ActorFrom(ctx).UserID, c.By, c.At).Scan(&c.ID); err != nil {
			return fmt.Errorf("record the time box's change: %w", err)
		}
		detail := fmt.Sprintf("inspection %s: time box %s: ends %s (was %s): %s", x.Ref, kind, c.EndsAfter.Format(time.RFC3339),
			c.EndsBefore.Format(time.RFC3339), clip(c.Reason, 200))
		if err := audit.Record(t.Tx(), x.OperatorID, "oversight_inspection", idStr(x.ID), "inspection_"+kind, nil, c, detail); err != nil {
			return err
		}
		return audit.InTenant(t, "oversight_inspection", idStr(x.ID), "inspection_"+kind, nil, c, detail)
	})
	if err != nil {
		return nil, err
	}
	return s.Inspection(ctx, id)
}

// parseBoxEnd reads a new end of a time box as opening reads one: after now, at most
// maxInspectionDays ahead.
func (s *Service) parseBoxEnd(v *problem.Invalid, text string, now time.Time) time.Time {
	var endsAt time.Time
	if d, ok := parseDay(text); ok {
		endsAt = d.AddDate(0, 0, 1)
	} else if t, err := time.Parse(time.RFC3339, text); err == nil {
		endsAt = t
	} else {
		v.Add("ends_at", "must be a date such as 2026-12-01 or a time such as 2026-12-01T18:00:00+08:00")
		return time.Time{}
	}
	if !endsAt.After(now) {
		v.Add("ends_at", "must be in the future")
	} else if endsAt.Sub(now) > maxInspectionDays*24*time.Hour {
		v.Add("ends_at", "must be at most %d days from now", maxInspectionDays)
	}
	return endsAt.UTC().Truncate(time.Microsecond)
}

// boxChanges reads inspection id's changes in t, oldest first.
func boxChanges(t *store.Tenant, id int64) ([]BoxChange, error) {
	out := []BoxChange{}
	err := query(t, "inspection time box changes", `SELECT id, kind, ends_before, ends_after, reason, by_label, at FROM oversight_inspection_changes
WHERE org_id = $1 AND inspection_id = $2 ORDER BY id`, func(sc func(...any) error) error {
		var c BoxChange
		if err := sc(&c.ID, &c.Kind, &c.EndsBefore, &c.EndsAfter, &c.Reason, &c.By, &c.At); err != nil {
			return err
		}
		c.EndsBefore, c.EndsAfter, c.At = c.EndsBefore.UTC(), c.EndsAfter.UTC(), c.At.UTC()
		out = append(out, c)
		return nil
	}, id)
	return out, err
}
