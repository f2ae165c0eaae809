package oversight

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/vault"
)

// Read limits.
const (
	// maxAreaRecords is the most records one read of an area answers.
	maxAreaRecords = 500
	// maxLogPage is the most events one read of the log vault answers.
	maxLogPage = 200
	// maxLogQuery is the longest log query text.
	maxLogQuery = 500
)

// readable returns the context regulator's inspection id when its time box is open:
// store.ErrNotFound otherwise — after the time box, reading finds nothing, as on another
// department's inspection.
func (s *Service) readable(ctx context.Context, id int64) (*Inspection, error) {
	x, err := s.Inspection(ctx, id)
	if err != nil {
		return nil, err
	}
	if !x.Open {
		return nil, fmt.Errorf("inspection %d: time box ended %s: %w", id, x.EndsAt.Format(time.RFC3339), store.ErrNotFound)
	}
	return x, nil
}

// scopeOf is what one read of x may cover.
func scopeOf(x *Inspection) kernel.InspectionScope {
	return kernel.InspectionScope{Systems: x.Systems, From: x.From, To: x.To}
}

// area returns the Inspectable of key, which x must name.
func (s *Service) area(x *Inspection, key string) (kernel.Inspectable, error) {
	if !slices.Contains(x.Areas, key) || key == AreaLogs {
		return nil, problem.Field("area", "is not an area of records in this inspection's scope")
	}
	for _, a := range s.inspectable {
		if k, _, _ := a.InspectionArea(); k == key {
			return a, nil
		}
	}
	return nil, problem.Field("area", "is not an area of records in this inspection's scope")
}

// recordRead writes one read in the inspection's trail and in both organisations' audit
// trails, in one transaction. It runs before the read's answer leaves: a read that could
// not be recorded is not answered.
func (s *Service) recordRead(ctx context.Context, x *Inspection, r Read) error {
	r.By, r.At = audit.ActorFrom(ctx).Label, s.now()
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := t.Exec(`INSERT INTO oversight_inspection_reads (org_id, inspection_id, area, what, detail, items, by_user, by_label, at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, x.ID, r.Area, r.What, r.Detail, r.Items, audit.ActorFrom(ctx).UserID, r.By, r.At); err != nil {
			return fmt.Errorf("record the inspection's read: %w", err)
		}
		detail := fmt.Sprintf("inspection %s: %s %s: %s (%d)", x.Ref, r.What, r.Area, r.Detail, r.Items)
		if err := audit.Record(t.Tx(), x.OperatorID, "oversight_inspection", idStr(x.ID), "inspection_read", nil, r, detail); err != nil {
			return err
		}
		return audit.InTenant(t, "oversight_inspection", idStr(x.ID), "inspection_read", nil, r, detail)
	})
}

// clip shortens a read's detail for the trail.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// ReadRecords lists the operator's records of one area in the inspection's scope, and
// records the read.
func (s *Service) ReadRecords(ctx context.Context, id int64, areaKey string) (*Inspection, []kernel.InspectionRecord, error) {
	x, err := s.readable(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.area(x, areaKey)
	if err != nil {
		return nil, nil, err
	}
	recs, err := a.InspectionRecords(ctx, x.OperatorID, scopeOf(x), maxAreaRecords)
	if err != nil {
		return nil, nil, err
	}
	titles := make([]string, len(recs))
	for i, r := range recs {
		titles[i] = r.TitleZH
	}
	if err := s.recordRead(ctx, x, Read{Area: areaKey, What: ReadList, Detail: clip(strings.Join(titles, "、"), 500), Items: len(recs)}); err != nil {
		return nil, nil, err
	}
	return x, recs, nil
}

// ReadRecord reads one record of an area in scope, and records the read; a record
// outside the scope is store.ErrNotFound.
func (s *Service) ReadRecord(ctx context.Context, id int64, areaKey, recID string) (*Inspection, kernel.InspectionRecord, error) {
	x, err := s.readable(ctx, id)
	if err != nil {
		return nil, kernel.InspectionRecord{}, err
	}
	a, err := s.area(x, areaKey)
	if err != nil {
		return nil, kernel.InspectionRecord{}, err
	}
	recs, err := a.InspectionRecords(ctx, x.OperatorID, scopeOf(x), maxAreaRecords)
	if err != nil {
		return nil, kernel.InspectionRecord{}, err
	}
	i := slices.IndexFunc(recs, func(r kernel.InspectionRecord) bool { return r.ID == recID })
	if i < 0 {
		return nil, kernel.InspectionRecord{}, fmt.Errorf("record %s of %s in inspection %d: %w", recID, areaKey, id, store.ErrNotFound)
	}
	rec := recs[i]
	if err := s.recordRead(ctx, x, Read{Area: areaKey, What: ReadRecord, Detail: clip(rec.TitleZH+" ("+rec.ID+")", 500), Items: 1}); err != nil {
		return nil, kernel.InspectionRecord{}, err
	}
	return x, rec, nil
}

// LogRange is a read of the log vault: From <= t < To, inside the inspection's period.
type LogRange struct {
	From, To time.Time
	Query    string
}

// parseInstant reads a time of a log range: RFC 3339, or a Beijing wall-clock time such
// as a browser's datetime-local gives (2026-12-01T08:00), or a Beijing day (its start).
func parseInstant(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", dateLayout} {
		if t, err := time.ParseInLocation(layout, s, calendar.Shanghai); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ParseLogRange reads a log range from text and checks it against x's period.
func ParseLogRange(x *Inspection, from, to, q string) (LogRange, error) {
	v := &problem.Invalid{}
	var lr LogRange
	var okF, okT bool
	if lr.From, okF = parseInstant(from); !okF {
		v.Add("from", "must be a time such as 2026-12-01T08:00 (Beijing) or 2026-12-01T08:00:00+08:00")
	}
	if lr.To, okT = parseInstant(to); !okT {
		v.Add("to", "must be a time such as 2026-12-01T08:00 (Beijing) or 2026-12-01T08:00:00+08:00")
	}
	if okF && lr.From.Before(x.From) {
		v.Add("from", "must not be before the period under inspection (from %s)", x.PeriodFrom)
	}
	if okT && lr.To.After(x.To) {
		v.Add("to", "must not be after the period under inspection (to %s)", x.PeriodTo)
	}
	if okF && okT && !lr.To.After(lr.From) {
		v.Add("to", "must be after from")
	}
	lr.Query = strings.TrimSpace(q)
	v.Text("q", lr.Query, false, maxLogQuery)
	if lr.Query != "" {
		if _, err := vault.ParseQuery(lr.Query); err != nil {
			v.Add("q", "is not a log query: %v", err)
		}
	}
	return lr, v.Err()
}

// ReadLogs reads a range of the operator's log vault inside the inspection's period,
// newest first (at most 200 events), and records the read.
func (s *Service) ReadLogs(ctx context.Context, id int64, from, to, q string) (*Inspection, LogRange, []vault.Event, error) {
	x, err := s.readable(ctx, id)
	if err != nil {
		return nil, LogRange{}, nil, err
	}
	if !slices.Contains(x.Areas, AreaLogs) || s.logs == nil {
		return nil, LogRange{}, nil, problem.Field("area", "is not an area of records in this inspection's scope")
	}
	lr, err := ParseLogRange(x, from, to, q)
	if err != nil {
		return nil, LogRange{}, nil, err
	}
	page, err := s.logs.ScanEvents(store.WithOrg(ctx, x.OperatorID), vault.Query{Expr: lr.Query, From: lr.From, To: lr.To, Limit: maxLogPage})
	if err != nil {
		return nil, LogRange{}, nil, err
	}
	if err := s.recordRead(ctx, x, Read{Area: AreaLogs, What: ReadLogs, Detail: lr.Detail(), Items: len(page.Events)}); err != nil {
		return nil, LogRange{}, nil, err
	}
	return x, lr, page.Events, nil
}

// Detail is the range as the trail records it (and as a reproduction reads it back).
func (lr LogRange) Detail() string {
	d := lr.From.Format(time.RFC3339) + " – " + lr.To.Format(time.RFC3339)
	if lr.Query != "" {
		d += " " + lr.Query
	}
	return d
}

// rangeOfDetail reads a recorded log read's range back.
func rangeOfDetail(d string) (LogRange, bool) {
	from, rest, ok := strings.Cut(d, " – ")
	if !ok {
		return LogRange{}, false
	}
	to, q, _ := strings.Cut(rest, " ")
	f, err1 := time.Parse(time.RFC3339, from)
	t, err2 := time.Parse(time.RFC3339, to)
	return LogRange{From: f, To: t, Query: q}, err1 == nil && err2 == nil
}
