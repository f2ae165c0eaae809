package incidents

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Inventory is what the incidents capability needs from the organisation's inventory: its
// profile and systems as the rules engine sees them (the scope capability implements it).
type Inventory interface {
	Facts(ctx context.Context) (rules.Org, []rules.System, error)
}

// Citer checks that the organisation holds an evidence file (kernel.Evidence implements it).
type Citer interface {
	Cite(ctx context.Context, sha256 string) error
}

// Service keeps incidents and their reports.
type Service struct {
	db  *store.DB
	inv Inventory
	ev  Citer
	// Thresholds is the grading table in force.
	Thresholds Thresholds
	// Now is the clock (China time is derived from it); tests and the demo set it.
	Now func() time.Time
	// changed is told, inside a write transaction, that the organisation's incident facts
	// changed (the kernel's change bus); nil tells nobody.
	changed func(tx *store.Tx, org int64)
	// ranOut is told that a running clock of the organisation passed its due minute, so
	// that the findings reading "overdue" are evaluated again (the kernel's change bus);
	// nil tells nobody.
	ranOut func(ctx context.Context, org int64)
	// overdueSeen holds the clocks (incident id and kind) already announced overdue.
	overdueMu   sync.Mutex
	overdueSeen map[string]bool
	// notices hands alerts to the installation's kernel.Notifier; nil sends nothing.
	notices *notices
	// subs files reports in the regulator's inbox (kernel.Submissions); nil: the
	// installation has none, and reports are recorded as sent outside.
	subs kernel.Submissions
	log  *slog.Logger
}

// NewService returns a service over db.
func NewService(db *store.DB, inv Inventory, ev Citer) *Service {
	return &Service{db: db, inv: inv, ev: ev, Thresholds: DefaultThresholds(2*time.Hour, 6*time.Hour), Now: time.Now}
}

func (s *Service) now() time.Time { return s.Now().Truncate(time.Second) }

const incidentCols = `id, title, description, type, subtype, ransom, started_at, detected_at, place, systems, impact, measures, reporter, suspected_crime, computed_grade, criterion, raised_grade, raise_reason, route, status, handled_at, created_by, created_at`

func scanIncident(sc interface{ Scan(...any) error }) (Incident, error) {
	var (
		in                      Incident
		ransom, systems, impact string
		started, handled        sql.NullTime
		computed, raised        int
	)
	if err := sc.Scan(&in.ID, &in.Title, &in.Description, &in.Type, &in.Subtype, &ransom, &started, &in.DetectedAt, &in.Place, &systems, &impact,
		&in.Measures, &in.Reporter, &in.SuspectedCrime, &computed, &in.Criterion, &raised, &in.RaiseReason, &in.Route, &in.Status, &handled, &in.CreatedBy, &in.CreatedAt); err != nil {
		return in, err
	}
	in.Computed, in.Raised = Grade(computed), Grade(raised)
	if started.Valid {
		t := started.Time
		in.StartedAt = &t
	}
	if handled.Valid {
		t := handled.Time
		in.HandledAt = &t
	}
	if ransom != "" {
		in.Ransom = &Ransom{}
		if err := json.Unmarshal([]byte(ransom), in.Ransom); err != nil {
			return in, fmt.Errorf("incident %d ransom: %w", in.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(systems), &in.Systems); err != nil {
		return in, fmt.Errorf("incident %d systems: %w", in.ID, err)
	}
	if err := json.Unmarshal([]byte(impact), &in.Impact); err != nil {
		return in, fmt.Errorf("incident %d impact: %w", in.ID, err)
	}
	return in, nil
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("incidents: marshal %T: %v", v, err)) // only our own plain types
	}
	return string(b)
}

// Create validates and records an incident for the context's organisation, grading it and
// choosing its first-report route from the organisation's facts and the affected systems.
func (s *Service) Create(ctx context.Context, in Input) (Incident, error) {
	inc, err := s.prepare(ctx, in)
	if err != nil {
		return Incident{}, err
	}
	return s.insert(ctx, inc)
}

// prepare validates an input and builds the incident it records, graded and routed, without
// writing anything.
func (s *Service) prepare(ctx context.Context, in Input) (Incident, error) {
	now := s.now()
	org, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return Incident{}, fmt.Errorf("read the inventory: %w", err)
	}
	v := &problem.Invalid{}
	inc := Incident{Title: strings.TrimSpace(in.Title), Description: strings.TrimSpace(in.Description), Type: in.Type, Subtype: in.Subtype,
		Place: strings.TrimSpace(in.Place), Impact: in.Impact, Measures: strings.TrimSpace(in.Measures), Reporter: strings.TrimSpace(in.Reporter),
		SuspectedCrime: in.SuspectedCrime, Status: StatusOpen}
	v.Text("title", inc.Title, true, maxTitle)
	v.Text("description", inc.Description, false, maxText)
	v.Text("place", inc.Place, false, maxShort)
	v.Text("measures", inc.Measures, false, maxText)
	v.Text("reporter", inc.Reporter, true, maxShort)
	if TypeOf(in.Type).Code == "" {
		v.Add("type", "is not a category of GB/T 20986-2023")
	} else if SubtypeOf(in.Type, in.Subtype).Code == "" {
		v.Add("subtype", "is not a subcategory of %s", in.Type)
	}
	if in.Ransom != nil && (in.Ransom.Amount != "" || in.Ransom.Method != "" || in.Ransom.Date != "") {
		if !IsRansomware(in.Type, in.Subtype) {
			v.Add("ransom", "is only for ransomware incidents")
		} else {
			r := *in.Ransom
			v.Text("ransom.amount", r.Amount, false, maxShort)
			v.Text("ransom.method", r.Method, false, maxShort)
			if r.Date != "" {
				if _, err := time.Parse("2006-01-02", r.Date); err != nil {
					v.Add("ransom.date", "is not a date (YYYY-MM-DD)")
				}
			}
			inc.Ransom = &r
		}
	}
	det := validTime(v, "detected_at", in.DetectedAt, true, now)
	inc.StartedAt = validTime(v, "started_at", in.StartedAt, false, now)
	if det != nil {
		inc.DetectedAt = *det
		if inc.StartedAt != nil && inc.StartedAt.After(*det) {
			v.Add("started_at", "is after the detection")
		}
	}
	validImpact(v, in.Impact)
	byID := map[int64]rules.System{}
	for _, sys := range systems {
		byID[sys.ID] = sys
	}
	seen := map[int64]bool{}
	for i, id := range in.Systems {
		sys, ok := byID[id]
		if !ok {
			v.Add("systems["+strconv.Itoa(i)+"]", "is not a system of this organisation's inventory")
			continue
		}
		if !seen[id] {
			seen[id] = true
			inc.Systems = append(inc.Systems, SystemRef{ID: id, Name: sys.Name, CII: sys.CIIStatus == "identified"})
		}
	}
	if err := v.Err(); err != nil {
		return Incident{}, err
	}
	if inc.Systems == nil {
		inc.Systems = []SystemRef{}
	}
	g := s.Thresholds.Grade(inc.Impact)
	inc.Computed, inc.Criterion = g.Grade, criterionCode(g)
	inc.Route = RouteFor(inc.CII(), org.IsCentralStateOrgan).Code
	inc.CreatedBy, inc.CreatedAt = audit.ActorFrom(ctx).Label, now.UTC()
	return inc, nil
}

// insert stores a prepared incident.
func (s *Service) insert(ctx context.Context, inc Incident) (Incident, error) {
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		ransom := ""
		if inc.Ransom != nil {
			ransom = mustJSON(inc.Ransom)
		}
		if err := t.QueryRow(`INSERT INTO incidents (org_id, title, description, type, subtype, ransom, started_at, detected_at, place, systems, impact, measures, reporter, suspected_crime, computed_grade, criterion, raised_grade, raise_reason, route, status, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 0, '', $17, $18, $19, $20) RETURNING id`,
			inc.Title, inc.Description, inc.Type, inc.Subtype, ransom, nullTime(inc.StartedAt), inc.DetectedAt.UTC(), inc.Place, mustJSON(inc.Systems), mustJSON(inc.Impact),
			inc.Measures, inc.Reporter, inc.SuspectedCrime, int(inc.Computed), inc.Criterion, inc.Route, inc.Status, inc.CreatedBy, inc.CreatedAt).Scan(&inc.ID); err != nil {
			return fmt.Errorf("record incident: %w", err)
		}
		if err := s.event(t, inc.ID, EventCreated, Detail{Grade: inc.Computed.Code()}); err != nil {
			return err
		}
		s.announce(t)
		return audit.InTenant(t, "incident", strconv.FormatInt(inc.ID, 10), audit.Create, nil, inc, inc.Title)
	})
	if err != nil {
		return Incident{}, err
	}
	s.becameReportable(ctx, Incident{}, inc)
	return inc, nil
}

// criterionCode names the deciding row of the table, "grade:metric:threshold", or "" for 一般.
func criterionCode(g Grading) string {
	if g.Decisive == nil {
		return ""
	}
	return fmt.Sprintf("%s:%s:%d", g.Decisive.Grade.Code(), g.Decisive.Metric, g.Decisive.Threshold)
}

// Get returns one of the context's organisation's incidents; another's is store.ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Incident, error) {
	var in Incident
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		in, err = getIncident(t, id)
		return err
	})
	return in, err
}

func getIncident(t *store.Tenant, id int64) (Incident, error) {
	return scanIncident(t.QueryRow(`SELECT `+incidentCols+` FROM incidents WHERE org_id = $1 AND id = $2`, id))
}

// List returns one page of the organisation's incidents, newest first.
func (s *Service) List(ctx context.Context, p store.Page) ([]Incident, string, error) {
	if p.Limit <= 0 {
		p.Limit = store.DefaultPageLimit
	}
	var out []Incident
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT `+incidentCols+` FROM incidents WHERE org_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, p.Cursor, p.Rows())
		if err != nil {
			return fmt.Errorf("list incidents: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			in, err := scanIncident(rows)
			if err != nil {
				return err
			}
			out = append(out, in)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	out, next := store.Cut(p, out, func(in Incident) int64 { return in.ID })
	return out, next, nil
}

// all returns every incident of the organisation in t (for facts and clocks).
func all(t *store.Tenant) ([]Incident, error) {
	rows, err := t.Query(`SELECT ` + incidentCols + ` FROM incidents WHERE org_id = $1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read incidents: %w", err)
	}
	defer rows.Close()
	var out []Incident
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// RaiseGrade sets the incident's grade above the computed one, with a reason. A grade at or
// below the one in force is refused: a grade is never lowered by hand.
func (s *Service) RaiseGrade(ctx context.Context, id int64, code, reason string) (Incident, error) {
	reason = strings.TrimSpace(reason)
	g, ok := ParseGrade(code)
	v := &problem.Invalid{}
	if !ok {
		v.Add("grade", "is not a grade (general, relatively_major, major, especially_major)")
	}
	v.Text("reason", reason, true, maxText)
	if err := v.Err(); err != nil {
		return Incident{}, err
	}
	var after, before Incident
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		before, err = getIncident(t, id)
		if err != nil {
			return err
		}
		if g <= before.Grade() {
			return problem.Field("grade", "can only raise the grade above %s; a grade is never lowered", before.Grade().Code())
		}
		after = before
		after.Raised, after.RaiseReason = g, reason
		if _, err := t.Exec(`UPDATE incidents SET raised_grade = $2, raise_reason = $3 WHERE org_id = $1 AND id = $4`, int(g), reason, id); err != nil {
			return fmt.Errorf("raise grade: %w", err)
		}
		if err := s.event(t, id, EventGradeRaised, Detail{From: before.Grade().Code(), Grade: g.Code(), Text: reason}); err != nil {
			return err
		}
		s.announce(t)
		return audit.InTenant(t, "incident", strconv.FormatInt(id, 10), audit.Update, before, after, "grade raised")
	})
	if err == nil {
		s.becameReportable(ctx, before, after)
	}
	return after, err
}

// UpdateImpact records a new measure of the impact and the measures taken. When the new
// impact grades lower than the grade in force, the grade stays: only a raise changes a grade.
func (s *Service) UpdateImpact(ctx context.Context, id int64, im Impact, measures string) (Incident, error) {
	v := &problem.Invalid{}
	validImpact(v, im)
	measures = strings.TrimSpace(measures)
	v.Text("measures", measures, false, maxText)
	if err := v.Err(); err != nil {
		return Incident{}, err
	}
	var after, before Incident
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		before, err = getIncident(t, id)
		if err != nil {
			return err
		}
		after = before
		after.Impact, after.Measures = im, measures
		g := s.Thresholds.Grade(im)
		after.Computed, after.Criterion = g.Grade, criterionCode(g)
		if g.Grade < before.Grade() && before.Raised < before.Grade() {
			// The new measure grades lower: the grade in force stays, as a recorded raise
			// over the new computed grade, so that it is never lowered silently.
			after.Raised, after.RaiseReason = before.Grade(), ReasonKept
		}
		if _, err := t.Exec(`UPDATE incidents SET impact = $2, measures = $3, computed_grade = $4, criterion = $5, raised_grade = $6, raise_reason = $7 WHERE org_id = $1 AND id = $8`,
			mustJSON(im), measures, int(after.Computed), after.Criterion, int(after.Raised), after.RaiseReason, id); err != nil {
			return fmt.Errorf("update impact: %w", err)
		}
		if err := s.event(t, id, EventImpact, Detail{From: before.Grade().Code(), Grade: after.Grade().Code()}); err != nil {
			return err
		}
		s.announce(t)
		return audit.InTenant(t, "incident", strconv.FormatInt(id, 10), audit.Update, before, after, "impact re-measured")
	})
	if err == nil {
		s.becameReportable(ctx, before, after)
	}
	return after, err
}

// ReasonKept is the stored reason of a grade kept when the impact was re-measured lower; the
// pages and reports say it in the reader's language (ReasonText).
const ReasonKept = "kept-on-remeasure"

// ReasonText returns the raise reason in lang.
func (in Incident) ReasonText(lang string) string {
	if in.RaiseReason == ReasonKept {
		if lang == "en" {
			return "grade kept when the impact was re-measured lower"
		}
		return "影响重新测量后低于原级别标准，保留原级别"
	}
	return in.RaiseReason
}

// becameReportable alerts the responders when a change makes the incident reportable (较大
// or above). The change is committed by then, so a failed alert does not fail the request: it
// is logged, and the clock alerts follow regardless.
func (s *Service) becameReportable(ctx context.Context, before, after Incident) {
	if s.notices == nil || before.Grade().Reportable() || !after.Grade().Reportable() {
		return
	}
	org, _ := store.OrgFrom(ctx)
	if err := s.notices.send(ctx, org, newReportable(after)); err != nil && s.log != nil {
		s.log.Error("incident alert not handed to the notifier", "incident", after.ID, "err", err)
	}
}
