package logs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/vault"
)

// MinRetentionDays is the legal minimum: six months under CSL 2016 Art. 21(3) and CSL
// (2025 amendment) Art. 23(3). Six calendar months are 181 to 184 days depending on the
// dates; the floor is the longest, 184, so that six months of logs are kept every day.
const MinRetentionDays = int(vault.MinRetention / (24 * time.Hour))

// MaxRetentionDays caps retention at ten years, beyond which a number is a typo.
const MaxRetentionDays = 3650

// RetentionReason is the field error given for a retention below the minimum; pages show
// the translated message instead.
const RetentionReason = "must be at least 184 days: network logs must be kept at least six months (CSL 2016 Art. 21(3); CSL 2025 Art. 23(3)); six calendar months are 181 to 184 days depending on the dates, and 184 days cover six months back from every day / 不得少于184天：网络日志留存不少于六个月（《网络安全法》（2016）第二十一条第（三）项；《网络安全法》（2025）第二十三条第（三）项），六个自然月为181至184天，184天可保证任何一天都能回溯满六个月"

// Retention is an organisation's log retention.
type Retention struct {
	Days      int        `json:"days"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	UpdatedBy string     `json:"updated_by,omitempty"`
}

// Retention returns the context's organisation's retention, MinRetentionDays when never set.
func (m *Module) Retention(ctx context.Context) (Retention, error) {
	var r Retention
	err := m.d.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, err = readRetention(tx)
		return err
	})
	return r, err
}

func readRetention(tx *store.Tx) (Retention, error) {
	t, err := tx.Tenant()
	if err != nil {
		return Retention{}, err
	}
	var r Retention
	var at time.Time
	err = t.QueryRow(`SELECT days, updated_at, updated_by FROM log_retention WHERE org_id = $1`).Scan(&r.Days, &at, &r.UpdatedBy)
	if errors.Is(err, store.ErrNotFound) {
		return Retention{Days: MinRetentionDays}, nil
	}
	if err != nil {
		return r, fmt.Errorf("read log retention: %w", err)
	}
	r.UpdatedAt = &at
	return r, nil
}

// SetRetention sets the context's organisation's retention; fewer than 184 days is
// refused, citing the law.
func (m *Module) SetRetention(ctx context.Context, days int) (Retention, error) {
	if days < MinRetentionDays {
		return Retention{}, problem.Field("days", "%s", RetentionReason)
	}
	if days > MaxRetentionDays {
		return Retention{}, problem.Field("days", "must be at most %d days", MaxRetentionDays)
	}
	now := m.now().UTC().Truncate(time.Microsecond)
	after := Retention{Days: days, UpdatedAt: &now, UpdatedBy: audit.ActorFrom(ctx).Label}
	err := m.d.DB.Write(ctx, func(tx *store.Tx) error {
		before, err := readRetention(tx)
		if err != nil {
			return err
		}
		t, _ := tx.Tenant()
		if _, err := t.Exec(`INSERT INTO log_retention (org_id, days, updated_at, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (org_id) DO UPDATE SET days = excluded.days, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			days, now, after.UpdatedBy); err != nil {
			return fmt.Errorf("set log retention: %w", err)
		}
		action := audit.Update
		if before.UpdatedAt == nil {
			action = audit.Create
		}
		m.Changed(tx, t.OrgID(), 0)
		return audit.InTenant(t, "log_retention", strconv.FormatInt(t.OrgID(), 10), action, before, after,
			fmt.Sprintf("%d → %d days", before.Days, days))
	})
	return after, err
}

// Hold is a legal hold: events in its time range (and of its source, if one is named)
// are never purged while it is active.
type Hold struct {
	ID         int64      `json:"id"`
	OrgID      int64      `json:"org_id"`
	From       *time.Time `json:"from,omitempty"`
	To         *time.Time `json:"to,omitempty"`
	SourceID   int64      `json:"source_id,omitempty"`
	Reason     string     `json:"reason"`
	CreatedAt  time.Time  `json:"created_at"`
	CreatedBy  string     `json:"created_by"`
	ReleasedAt *time.Time `json:"released_at,omitempty"`
	ReleasedBy string     `json:"released_by,omitempty"`
}

// Active reports whether the hold still protects events.
func (h Hold) Active() bool { return h.ReleasedAt == nil }

// NewHold is what a user submits to place a hold. Times are RFC 3339 (or a date);
// at least one of from, to and source is required, so a hold is never "everything" by
// accident.
type NewHold struct {
	From     string `json:"from"`
	To       string `json:"to"`
	SourceID int64  `json:"source_id"`
	Reason   string `json:"reason"`
}

const holdColumns = `id, org_id, from_at, to_at, source_id, reason, created_at, created_by, released_at, released_by`

func scanHold(scan func(...any) error) (Hold, error) {
	var h Hold
	err := scan(&h.ID, &h.OrgID, &h.From, &h.To, &h.SourceID, &h.Reason, &h.CreatedAt, &h.CreatedBy, &h.ReleasedAt, &h.ReleasedBy)
	return h, err
}

// Holds lists the context's organisation's holds, newest first.
func (m *Module) Holds(ctx context.Context) ([]Hold, error) {
	var out []Hold
	err := m.d.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = readHolds(tx, false)
		return err
	})
	return out, err
}

func readHolds(tx *store.Tx, activeOnly bool) ([]Hold, error) {
	t, err := tx.Tenant()
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + holdColumns + ` FROM log_holds WHERE org_id = $1`
	if activeOnly {
		q += ` AND released_at IS NULL`
	}
	rows, err := t.Query(q + ` ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list legal holds: %w", err)
	}
	defer rows.Close()
	var out []Hold
	for rows.Next() {
		h, err := scanHold(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("read legal hold: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// CreateHold places a legal hold for the context's organisation.
func (m *Module) CreateHold(ctx context.Context, nh NewHold) (Hold, error) {
	v := &problem.Invalid{}
	h := Hold{Reason: strings.TrimSpace(nh.Reason), SourceID: nh.SourceID, CreatedAt: m.now().UTC().Truncate(time.Microsecond), CreatedBy: audit.ActorFrom(ctx).Label}
	if h.Reason == "" {
		v.Add("reason", "is required: the case or request behind the hold")
	} else {
		v.Text("reason", h.Reason, true, 500)
	}
	for _, f := range []struct {
		name, val string
		dst       **time.Time
	}{{"from", nh.From, &h.From}, {"to", nh.To, &h.To}} {
		if strings.TrimSpace(f.val) == "" {
			continue
		}
		t, err := parseTime(f.val)
		if err != nil {
			v.Add(f.name, "must be a time such as 2026-01-02T15:04:05Z")
			continue
		}
		if !inSearchRange(t) {
			v.Add(f.name, "must be between %s and %s", searchEarliest.Format(time.RFC3339), searchLatest.Format(time.RFC3339))
			continue
		}
		*f.dst = &t
	}
	if h.From != nil && h.To != nil && !h.From.Before(*h.To) {
		v.Add("to", "must be after from")
	}
	if h.From == nil && h.To == nil && h.SourceID == 0 {
		v.Add("from", "a hold needs a time range, a source, or both")
	}
	if h.SourceID < 0 {
		v.Add("source_id", "must be a source id")
	}
	if err := v.Err(); err != nil {
		return Hold{}, err
	}
	err := m.d.DB.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		h.OrgID = t.OrgID()
		if h.SourceID != 0 {
			var n int
			if err := t.QueryRow(`SELECT COUNT(*) FROM log_sources WHERE org_id = $1 AND id = $2`, h.SourceID).Scan(&n); err != nil {
				return fmt.Errorf("check hold source: %w", err)
			}
			if n == 0 {
				return problem.Field("source_id", "is not one of your log sources")
			}
		}
		if err := t.QueryRow(`INSERT INTO log_holds (org_id, from_at, to_at, source_id, reason, created_at, created_by, released_at, released_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, '') RETURNING id`, h.From, h.To, h.SourceID, h.Reason, h.CreatedAt, h.CreatedBy).Scan(&h.ID); err != nil {
			return fmt.Errorf("insert legal hold: %w", err)
		}
		return audit.Record(tx, h.OrgID, "log_hold", strconv.FormatInt(h.ID, 10), audit.Create, nil, h, h.Reason)
	})
	return h, err
}

// ReleaseHold releases an active hold; releasing a released hold changes nothing.
func (m *Module) ReleaseHold(ctx context.Context, id int64) (Hold, error) {
	var after Hold
	err := m.d.DB.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		before, err := scanHold(t.QueryRow(`SELECT `+holdColumns+` FROM log_holds WHERE org_id = $1 AND id = $2`, id).Scan)
		if err != nil {
			return err
		}
		after = before
		if !before.Active() {
			return nil
		}
		now := m.now().UTC().Truncate(time.Microsecond)
		after.ReleasedAt, after.ReleasedBy = &now, audit.ActorFrom(ctx).Label
		if _, err := t.Exec(`UPDATE log_holds SET released_at = $2, released_by = $3 WHERE org_id = $1 AND id = $4`, now, after.ReleasedBy, id); err != nil {
			return fmt.Errorf("release legal hold: %w", err)
		}
		return audit.Record(tx, after.OrgID, "log_hold", strconv.FormatInt(id, 10), audit.Update, before, after, "released")
	})
	return after, err
}

// PurgeRecord is one purge run, kept for the retention page (the audit trail has it too).
type PurgeRecord struct {
	ID           int64     `json:"id"`
	At           time.Time `json:"at"`
	Cutoff       time.Time `json:"cutoff"`
	Segments     int       `json:"segments"`
	Events       int64     `json:"events"`
	BytesFreed   int64     `json:"bytes_freed"`
	HeldSegments int       `json:"held_segments"`
	Actor        string    `json:"actor"`
}

// Purge removes the context's organisation's events older than its retention, except
// what an active hold protects, and records the run in the audit trail.
func (m *Module) Purge(ctx context.Context) (PurgeRecord, error) {
	org, err := orgOf(ctx)
	if err != nil {
		return PurgeRecord{}, err
	}
	var ret Retention
	var holds []Hold
	err = m.d.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		if ret, err = readRetention(tx); err != nil {
			return err
		}
		holds, err = readHolds(tx, true)
		return err
	})
	if err != nil {
		return PurgeRecord{}, err
	}
	now := m.now().UTC()
	cutoff := now.Add(-time.Duration(ret.Days) * 24 * time.Hour).Truncate(time.Microsecond)
	vh := make([]vault.Hold, 0, len(holds))
	for _, h := range holds {
		x := vault.Hold{Reason: h.Reason}
		if h.From != nil {
			x.From = *h.From
		}
		if h.To != nil {
			x.To = *h.To
		}
		if h.SourceID != 0 {
			x.Sources = []int64{h.SourceID}
		}
		vh = append(vh, x)
	}
	res, err := m.v.Purge(ctx, org, cutoff, vh)
	if err != nil {
		return PurgeRecord{}, fmt.Errorf("purge logs before %s: %w", cutoff.Format(time.RFC3339), err)
	}
	rec := PurgeRecord{At: now.Truncate(time.Microsecond), Cutoff: cutoff, Segments: len(res.Segments), Events: int64(res.Events),
		BytesFreed: res.BytesFreed, HeldSegments: len(res.HeldSegments), Actor: audit.ActorFrom(ctx).Label}
	err = m.d.DB.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		if err := t.QueryRow(`INSERT INTO log_purges (org_id, at, cutoff, segments, events, bytes_freed, held_segments, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, rec.At, rec.Cutoff, rec.Segments, rec.Events, rec.BytesFreed, rec.HeldSegments, rec.Actor).Scan(&rec.ID); err != nil {
			return fmt.Errorf("record purge: %w", err)
		}
		return audit.Record(tx, org, "log_purge", strconv.FormatInt(rec.ID, 10), audit.Delete, nil, rec,
			fmt.Sprintf("retention %d days, cutoff %s: %d segments, %d events removed, %d segments held (%s)",
				ret.Days, cutoff.Format(time.RFC3339), rec.Segments, rec.Events, rec.HeldSegments, strings.Join(res.Segments, " ")))
	})
	return rec, err
}

// Purges lists the context's organisation's last purge runs, newest first.
func (m *Module) Purges(ctx context.Context) ([]PurgeRecord, error) {
	var out []PurgeRecord
	err := m.d.DB.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT id, at, cutoff, segments, events, bytes_freed, held_segments, actor FROM log_purges WHERE org_id = $1 ORDER BY id DESC LIMIT 20`)
		if err != nil {
			return fmt.Errorf("list purges: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p PurgeRecord
			if err := rows.Scan(&p.ID, &p.At, &p.Cutoff, &p.Segments, &p.Events, &p.BytesFreed, &p.HeldSegments, &p.Actor); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// PurgeAll runs Purge for every organisation with a log (the daily background run).
func (m *Module) PurgeAll(ctx context.Context) error {
	orgs, err := m.v.Orgs()
	if err != nil {
		return fmt.Errorf("list vault organisations: %w", err)
	}
	ctx = audit.WithActor(ctx, audit.Actor{Label: "retention (daily)"})
	var errs []error
	for _, org := range orgs {
		if _, err := m.Purge(store.WithOrg(ctx, org)); err != nil {
			errs = append(errs, fmt.Errorf("organisation %d: %w", org, err))
		}
	}
	return errors.Join(errs...)
}
