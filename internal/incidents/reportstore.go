package incidents

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// ChannelOutside is a report sent outside ciiguard (by the authority's own system, letter or
// telephone), its receipt attached as evidence; ChannelPlatform is the other channel.
const ChannelOutside = "outside"

// Report is one version of a report of an incident. A report is its kind and number (the
// follow-ups are numbered); every edit before sending stores a new version; sending freezes
// the latest.
type Report struct {
	ID          int64       `json:"id"`
	IncidentID  int64       `json:"incident_id"`
	Kind        string      `json:"kind"`
	Number      int         `json:"number"`
	Version     int         `json:"version"`
	Content     Content     `json:"content"`
	CreatedBy   string      `json:"created_by"`
	CreatedAt   time.Time   `json:"created_at"`
	SentAt      *time.Time  `json:"sent_at,omitempty"`
	RecordedAt  *time.Time  `json:"recorded_at,omitempty"`
	SentBy      string      `json:"sent_by,omitempty"`
	SentTo      []Authority `json:"sent_to"`
	Channel     string      `json:"channel,omitempty"`
	Receipt     string      `json:"receipt_sha256,omitempty"`
	DueAt       *time.Time  `json:"due_at,omitempty"`
	OnTime      bool        `json:"on_time"`
	MinutesLate int64       `json:"minutes_late"`
}

// Sent says the report has gone out.
func (r Report) Sent() bool { return r.SentAt != nil }

const reportCols = `id, incident_id, kind, number, version, content, created_by, created_at, sent_at, recorded_at, sent_by, sent_to, channel, receipt_sha256, due_at, on_time, minutes_late`

func scanReport(sc interface{ Scan(...any) error }) (Report, error) {
	var (
		r                Report
		content, to      string
		sent, rec, dueAt sql.NullTime
	)
	if err := sc.Scan(&r.ID, &r.IncidentID, &r.Kind, &r.Number, &r.Version, &content, &r.CreatedBy, &r.CreatedAt, &sent, &rec, &r.SentBy, &to, &r.Channel, &r.Receipt, &dueAt, &r.OnTime, &r.MinutesLate); err != nil {
		return r, err
	}
	for _, p := range []struct {
		n   sql.NullTime
		dst **time.Time
	}{{sent, &r.SentAt}, {rec, &r.RecordedAt}, {dueAt, &r.DueAt}} {
		if p.n.Valid {
			t := p.n.Time
			*p.dst = &t
		}
	}
	if err := json.Unmarshal([]byte(content), &r.Content); err != nil {
		return r, fmt.Errorf("report %d content: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(to), &r.SentTo); err != nil {
		return r, fmt.Errorf("report %d recipients: %w", r.ID, err)
	}
	return r, nil
}

func reportsOf(t *store.Tenant, incident int64) ([]Report, error) {
	rows, err := t.Query(`SELECT `+reportCols+` FROM incident_reports WHERE org_id = $1 AND incident_id = $2 ORDER BY kind, number, version`, incident)
	if err != nil {
		return nil, fmt.Errorf("read reports: %w", err)
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Reports returns every version of every report of the incident.
func (s *Service) Reports(ctx context.Context, id int64) ([]Report, error) {
	var out []Report
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if _, err := getIncident(t, id); err != nil {
			return err
		}
		var err error
		out, err = reportsOf(t, id)
		return err
	})
	return out, err
}

// Report returns one report version of the incident.
func (s *Service) Report(ctx context.Context, id, rid int64) (Report, error) {
	var r Report
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		r, err = scanReport(t.QueryRow(`SELECT `+reportCols+` FROM incident_reports WHERE org_id = $1 AND incident_id = $2 AND id = $3`, id, rid))
		return err
	})
	return r, err
}

// latest reports whether r is the newest version of its report among all.
func latest(all []Report, r Report) bool {
	for _, x := range all {
		if x.Kind == r.Kind && x.Number == r.Number && x.Version > r.Version {
			return false
		}
	}
	return true
}

// NewReport starts a report of kind, drafted from the incident record: the first report
// (once), a follow-up (numbered), or the summary (once handling has ended).
func (s *Service) NewReport(ctx context.Context, id int64, kind, orgZh, orgEn string) (Report, error) {
	if kind != KindFirst && kind != KindFollowUp && kind != KindSummary {
		return Report{}, problem.Field("kind", "is not a report kind (first, followup, summary)")
	}
	var r Report
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		in, err := getIncident(t, id)
		if err != nil {
			return err
		}
		all, err := reportsOf(t, id)
		if err != nil {
			return err
		}
		number := 1
		for _, x := range all {
			if x.Kind != kind {
				continue
			}
			if kind != KindFollowUp {
				return problem.Conflictf("kind", "this incident has a %s report already: edit it", kind)
			}
			if x.Number >= number {
				number = x.Number + 1
			}
		}
		if kind == KindSummary && in.Status != StatusClosed {
			return problem.Conflictf("kind", "the summary report follows the end of handling: record it first")
		}
		r = Report{IncidentID: id, Kind: kind, Number: number, Version: 1, Content: Draft(kind, orgZh, orgEn, &in, s.Thresholds),
			CreatedBy: audit.ActorFrom(ctx).Label, CreatedAt: s.now().UTC(), SentTo: []Authority{}}
		return s.insertReport(t, &r)
	})
	return r, err
}

func (s *Service) insertReport(t *store.Tenant, r *Report) error {
	if err := t.QueryRow(`INSERT INTO incident_reports (org_id, incident_id, kind, number, version, content, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		r.IncidentID, r.Kind, r.Number, r.Version, mustJSON(r.Content), r.CreatedBy, r.CreatedAt).Scan(&r.ID); err != nil {
		return fmt.Errorf("record report: %w", err)
	}
	if err := s.event(t, r.IncidentID, EventReportSaved, Detail{Kind: r.Kind, Number: r.Number, Version: r.Version}); err != nil {
		return err
	}
	return audit.InTenant(t, "incident_report", strconv.FormatInt(r.ID, 10), audit.Create, nil, r, r.Kind)
}

// validContent checks an edited report: each text's length, and items to follow only among
// the optional items of a first or follow-up report.
func validContent(kind string, c Content) error {
	v := &problem.Invalid{}
	known := map[string]Item{}
	for _, it := range ItemsOf(kind) {
		known[it.Key] = it
	}
	for lang, m := range map[string]map[string]string{"zh": c.Zh, "en": c.En} {
		for k, text := range m {
			if _, ok := known[k]; !ok {
				v.Add(lang+"."+k, "is not an item of a %s report", kind)
				continue
			}
			v.Text(lang+"."+k, text, false, maxText)
		}
	}
	for _, k := range c.ToFollow {
		it, ok := known[k]
		switch {
		case !ok:
			v.Add("to_follow", "names %s, which is not an item of a %s report", k, kind)
		case it.Required:
			v.Add("to_follow", "%s is required and cannot be left to follow", k)
		case kind == KindSummary:
			v.Add("to_follow", "a summary report leaves nothing to follow")
		}
	}
	return v.Err()
}

// SaveReport stores an edited report as a new version. A sent report is not edited: the
// situation's development goes into a follow-up report.
func (s *Service) SaveReport(ctx context.Context, id, rid int64, c Content) (Report, error) {
	var r Report
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		all, err := reportsOf(t, id)
		if err != nil {
			return err
		}
		cur, ok := find(all, rid)
		if !ok {
			return store.ErrNotFound
		}
		if err := validContent(cur.Kind, c); err != nil {
			return err
		}
		for _, x := range all {
			if x.Kind == cur.Kind && x.Number == cur.Number && x.Sent() {
				return problem.Conflictf("report", "this report was sent; write a follow-up report instead")
			}
		}
		version := 0
		for _, x := range all {
			if x.Kind == cur.Kind && x.Number == cur.Number && x.Version > version {
				version = x.Version
			}
		}
		if c.Zh == nil {
			c.Zh = map[string]string{}
		}
		if c.En == nil {
			c.En = map[string]string{}
		}
		r = Report{IncidentID: id, Kind: cur.Kind, Number: cur.Number, Version: version + 1, Content: c,
			CreatedBy: audit.ActorFrom(ctx).Label, CreatedAt: s.now().UTC(), SentTo: []Authority{}}
		return s.insertReport(t, &r)
	})
	return r, err
}

func find(all []Report, rid int64) (Report, bool) {
	for _, r := range all {
		if r.ID == rid {
			return r, true
		}
	}
	return Report{}, false
}

// Sending is how a person records that a report went out.
type Sending struct {
	SentAt  string   `json:"sent_at"` // China time; when it went out, which may precede recording
	To      []string `json:"to"`      // authority codes
	Channel string   `json:"channel"`
	Receipt string   `json:"receipt_sha256"` // the receipt, an evidence file of the organisation
}

// SendReport records that the latest version of a report was sent: when, to whom, by which
// channel, by whom; whether on time against its clock, to the minute.
func (s *Service) SendReport(ctx context.Context, id, rid int64, in Sending) (Report, error) {
	now := s.now()
	v := &problem.Invalid{}
	platform := in.Channel == ChannelPlatform
	sentAt := validTime(v, "sent_at", in.SentAt, !platform, now)
	var to []Authority
	for _, a := range in.To {
		if !has(Authorities, Authority(a)) {
			v.Add("to", "names %q, which is not an authority", a)
			continue
		}
		if !has(to, Authority(a)) {
			to = append(to, Authority(a))
		}
	}
	if len(in.To) == 0 {
		v.Add("to", "name at least one authority the report went to")
	}
	if in.Channel != ChannelOutside && !platform {
		v.Add("channel", "must be %s (filed in ciiguard with the protection-work department) or %s (sent outside ciiguard, receipt attached)", ChannelPlatform, ChannelOutside)
	}
	receipt := strings.ToLower(strings.TrimSpace(in.Receipt))
	if err := v.Err(); err != nil {
		return Report{}, err
	}
	if receipt != "" {
		if err := s.ev.Cite(ctx, receipt); err != nil {
			if err == store.ErrNotFound {
				return Report{}, problem.Field("receipt_sha256", "is not an evidence file of this organisation: upload the receipt first")
			}
			return Report{}, err
		}
	}
	if platform {
		filed, err := s.file(ctx, id, rid, to)
		if err != nil {
			return Report{}, err
		}
		sentAt = &filed
	}
	var r Report
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		inc, err := getIncident(t, id)
		if err != nil {
			return err
		}
		all, err := reportsOf(t, id)
		if err != nil {
			return err
		}
		var ok bool
		if r, ok = find(all, rid); !ok {
			return store.ErrNotFound
		}
		if r.Sent() {
			return problem.Conflictf("report", "this version was sent already")
		}
		if !latest(all, r) {
			return problem.Conflictf("report", "a newer version of this report exists: send that one")
		}
		if miss := r.Content.Missing(r.Kind); len(miss) > 0 {
			return problem.Field("content", "items %s are empty in the Chinese text (a first report may mark the optional ones to follow)", strings.Join(miss, ", "))
		}
		if sentAt.Before(inc.DetectedAt) {
			return problem.Field("sent_at", "is before the detection")
		}
		if due, ok := reportDue(&inc, r.Kind); ok {
			r.DueAt = &due
		}
		r.OnTime = true
		if r.DueAt != nil {
			r.OnTime, r.MinutesLate = Lateness(*r.DueAt, *sentAt)
		}
		rec := now.UTC()
		r.SentAt, r.RecordedAt, r.SentBy, r.SentTo, r.Channel, r.Receipt = sentAt, &rec, audit.ActorFrom(ctx).Label, to, in.Channel, receipt
		if _, err := t.Exec(`UPDATE incident_reports SET sent_at = $2, recorded_at = $3, sent_by = $4, sent_to = $5, channel = $6, receipt_sha256 = $7, due_at = $8, on_time = $9, minutes_late = $10 WHERE org_id = $1 AND id = $11`,
			sentAt.UTC(), rec, r.SentBy, mustJSON(to), r.Channel, receipt, nullTime(r.DueAt), r.OnTime, r.MinutesLate, rid); err != nil {
			return fmt.Errorf("record sending: %w", err)
		}
		detail := Detail{Kind: r.Kind, Number: r.Number, Version: r.Version, Late: r.MinutesLate, To: to}
		if err := s.event(t, id, EventReportSent, detail); err != nil {
			return err
		}
		s.announce(t)
		return audit.InTenant(t, "incident_report", strconv.FormatInt(r.ID, 10), "send", nil, r, r.Kind)
	})
	return r, err
}

// Clocks returns the incident's reporting clocks: the first report's once the incident is
// reportable, the summary's once handling has ended. A clock stops when sent reports have
// reached every recipient (for the first report, a follow-up sent to a recipient the first
// report missed counts); its timeliness is that of the sending that completed it.
func Clocks(in *Incident, reports []Report, now time.Time) []Clock {
	if !in.Grade().Reportable() {
		return nil
	}
	to := in.Recipients()
	sent := make([]Report, 0, len(reports))
	for _, r := range reports {
		if r.Sent() {
			sent = append(sent, r)
		}
	}
	sort.SliceStable(sent, func(i, j int) bool { return sent[i].SentAt.Before(*sent[j].SentAt) })
	mk := func(kind string, start, due time.Time) Clock {
		c := Clock{Kind: kind, To: to, Start: start, Due: due}
		covered := map[Authority]bool{}
		for _, r := range sent {
			if r.Kind != kind && !(kind == KindFirst && r.Kind == KindFollowUp) {
				continue
			}
			for _, a := range r.SentTo {
				covered[a] = true
			}
			done := true
			for _, a := range to {
				done = done && covered[a]
			}
			if done && c.SentAt == nil {
				c.SentAt = r.SentAt
				c.OnTime, c.Late = Lateness(due, *r.SentAt)
			}
		}
		c.Overdue = c.SentAt == nil && now.Truncate(time.Minute).After(due)
		return c
	}
	out := []Clock{mk(KindFirst, in.DetectedAt, FirstReportDue(in.DetectedAt, RouteByCode(in.Route)))}
	if in.Status == StatusClosed && in.HandledAt != nil {
		out = append(out, mk(KindSummary, *in.HandledAt, SummaryDue(*in.HandledAt)))
	}
	return out
}
