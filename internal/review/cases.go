package review

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

const caseCols = `id, kind, procurement_id, title, state, since, materials, complex, extra_days, pauses, created_by, created_at`

func scanCase(sc interface{ Scan(...any) error }) (Case, error) {
	var (
		c                 Case
		state             string
		materials, pauses string
	)
	if err := sc.Scan(&c.ID, &c.Kind, &c.ProcurementID, &c.Title, &state, &c.Since, &materials, &c.Complex, &c.ExtraDays, &pauses, &c.CreatedBy, &c.CreatedAt); err != nil {
		return c, err
	}
	c.State = State(state)
	c.Since = day(c.Since)
	if err := json.Unmarshal([]byte(materials), &c.Materials); err != nil {
		return c, fmt.Errorf("case %d materials: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(pauses), &c.Pauses); err != nil {
		return c, fmt.Errorf("case %d pauses: %w", c.ID, err)
	}
	for i := range c.Pauses {
		c.Pauses[i].From = day(c.Pauses[i].From)
		if c.Pauses[i].To != nil {
			to := day(*c.Pauses[i].To)
			c.Pauses[i].To = &to
		}
	}
	return c, nil
}

func (s *Service) insertCase(t *store.Tenant, c *Case) error {
	if c.Pauses == nil {
		c.Pauses = []Pause{}
	}
	if err := t.QueryRow(`INSERT INTO review_cases (org_id, kind, procurement_id, title, state, since, materials, complex, extra_days, pauses, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		c.Kind, c.ProcurementID, c.Title, string(c.State), c.Since.UTC(), mustJSON(c.Materials), c.Complex, c.ExtraDays, mustJSON(c.Pauses), c.CreatedBy, c.CreatedAt).Scan(&c.ID); err != nil {
		return fmt.Errorf("insert review case: %w", err)
	}
	if err := addEvent(t, c.ID, c.CreatedAt, c.Since, c.CreatedBy, "opened", c.State, ""); err != nil {
		return err
	}
	return audit.InTenant(t, "review_case", strconv.FormatInt(c.ID, 10), "create", nil, c, "")
}

func getCase(t *store.Tenant, id int64) (Case, error) {
	return scanCase(t.QueryRow(`SELECT `+caseCols+` FROM review_cases WHERE org_id = $1 AND id = $2`, id))
}

func allCases(t *store.Tenant) ([]Case, error) {
	rows, err := t.Query(`SELECT ` + caseCols + ` FROM review_cases WHERE org_id = $1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read review cases: %w", err)
	}
	defer rows.Close()
	var out []Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Case returns one of the context organisation's review cases.
func (s *Service) Case(ctx context.Context, id int64) (Case, error) {
	var c Case
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		c, err = getCase(t, id)
		return err
	})
	return c, err
}

// Cases returns every review case of the organisation, newest first.
func (s *Service) Cases(ctx context.Context) ([]Case, error) {
	var out []Case
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = allCases(t)
		return err
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// Event is one entry of a case's history.
type Event struct {
	At    time.Time `json:"at"`   // when it was recorded
	On    time.Time `json:"date"` // the China date it happened on (receipt, notice, request …)
	Actor string    `json:"actor"`
	Event string    `json:"event"` // opened, moved, paused, resumed, extended, materials
	State State     `json:"state"` // the state after it
	Note  string    `json:"note,omitempty"`
}

func addEvent(t *store.Tenant, caseID int64, at, on time.Time, actor, event string, state State, note string) error {
	if _, err := t.Exec(`INSERT INTO review_events (org_id, case_id, at, on_date, actor, event, state, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		caseID, at.UTC(), on.UTC(), actor, event, string(state), note); err != nil {
		return fmt.Errorf("record review event: %w", err)
	}
	return nil
}

// Events returns a case's history, oldest first.
func (s *Service) Events(ctx context.Context, caseID int64) ([]Event, error) {
	var out []Event
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if _, err := getCase(t, caseID); err != nil {
			return err
		}
		rows, err := t.Query(`SELECT at, on_date, actor, event, state, note FROM review_events WHERE org_id = $1 AND case_id = $2 ORDER BY id`, caseID)
		if err != nil {
			return fmt.Errorf("read review events: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e Event
			var st string
			if err := rows.Scan(&e.At, &e.On, &e.Actor, &e.Event, &st, &e.Note); err != nil {
				return err
			}
			e.State, e.On = State(st), day(e.On)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// ParseDate reads a China calendar date (YYYY-MM-DD).
func ParseDate(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), calendar.Shanghai)
	return t, err == nil
}

// validDate parses a date a person gave for something that happened: not in the future,
// not before after (when set).
func (s *Service) validDate(v *problem.Invalid, field, in string, after time.Time) time.Time {
	d, ok := ParseDate(in)
	switch {
	case strings.TrimSpace(in) == "":
		v.Add(field, "is required (a date, YYYY-MM-DD)")
	case !ok:
		v.Add(field, "is not a date (YYYY-MM-DD)")
	case d.After(s.today()):
		v.Add(field, "is in the future")
	case !after.IsZero() && d.Before(day(after)):
		v.Add(field, "is before %s, when the case entered its current state", day(after).Format(time.DateOnly))
	}
	return d
}

// Move is a case's move to another state on the date it happened.
type Move struct {
	To   State  `json:"to"`
	Date string `json:"date"` // China date: receipt, written notice, recommendation, decision
	Note string `json:"note"`
}

// update reads a case for change in t, applies fn and stores it, with an event and the audit.
func (s *Service) update(ctx context.Context, id int64, action string, fn func(t *store.Tenant, c *Case) (on time.Time, note string, err error)) (Case, error) {
	var c Case
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		if c, err = getCase(t, id); err != nil {
			return err
		}
		before := c
		before.Pauses = append([]Pause(nil), c.Pauses...)
		on, note, err := fn(t, &c)
		if err != nil {
			return err
		}
		if _, err := t.Exec(`UPDATE review_cases SET state = $2, since = $3, materials = $4, complex = $5, extra_days = $6, pauses = $7 WHERE org_id = $1 AND id = $8`,
			string(c.State), c.Since.UTC(), mustJSON(c.Materials), c.Complex, c.ExtraDays, mustJSON(c.Pauses), c.ID); err != nil {
			return fmt.Errorf("update review case %d: %w", c.ID, err)
		}
		actor := audit.ActorFrom(ctx).Label
		if err := addEvent(t, c.ID, s.now(), on, actor, action, c.State, note); err != nil {
			return err
		}
		if err := audit.InTenant(t, "review_case", strconv.FormatInt(c.ID, 10), action, before, c, note); err != nil {
			return err
		}
		s.announce(t)
		return nil
	})
	return c, err
}

// MoveCase moves a case to another state as the Measures allow, on the date it happened: the
// next state's clock starts that day. Submission needs the Art. 8 materials; a state's
// clock cannot move on while a request for material is open.
func (s *Service) MoveCase(ctx context.Context, id int64, m Move) (Case, error) {
	return s.update(ctx, id, "move", func(t *store.Tenant, c *Case) (time.Time, string, error) {
		v := &problem.Invalid{}
		note := strings.TrimSpace(m.Note)
		v.Text("note", note, false, maxText)
		if !m.To.Valid() {
			v.Add("to", "is not a review state")
		} else if !c.State.CanMove(m.To) {
			v.Add("to", "cannot follow the case's current state")
		}
		on := s.validDate(v, "date", m.Date, c.Since)
		if m.To == Submitted {
			if miss := c.Materials.Missing(c.Kind); len(miss) > 0 {
				v.Add("materials", "the application lacks materials of the checklist: the declaration, the national-security impact analysis and the purchase (or listing) documents are required (CSR 2022 Art. 8)")
			}
		}
		for _, p := range c.Pauses {
			if p.To == nil {
				v.Add("to", "the review office's request for material of %s is still open: record when it was supplied first", p.From.Format(time.DateOnly))
			}
		}
		if err := v.Err(); err != nil {
			return on, "", err
		}
		c.State, c.Since, c.Pauses = m.To, on, []Pause{}
		if m.To == Preparing { // revoked: apply again
			c.Materials, c.Complex, c.ExtraDays = Materials{}, false, 0
		}
		return on, note, nil
	})
}

// SetMaterials records the Art. 8 checklist of a case being prepared.
func (s *Service) SetMaterials(ctx context.Context, id int64, m Materials) (Case, error) {
	return s.update(ctx, id, "materials", func(t *store.Tenant, c *Case) (time.Time, string, error) {
		if c.State != Preparing {
			return time.Time{}, "", problem.Conflictf("materials", "the application was already submitted")
		}
		if c.Kind == KindListing {
			m.PurchaseDocs = false
		} else {
			m.ListingDocs = false
		}
		c.Materials = m
		return s.today(), "", nil
	})
}

// PauseInput is a request for material (pause) or its supply (resume), on a date.
type PauseInput struct {
	Date string `json:"date"`
	Note string `json:"note"`
}

// PauseCase records that the review office asked for more material on a date: the clock
// stands from the next day until the material is supplied (CSR 2022 Art. 15).
func (s *Service) PauseCase(ctx context.Context, id int64, in PauseInput) (Case, error) {
	return s.update(ctx, id, "pause", func(t *store.Tenant, c *Case) (time.Time, string, error) {
		v := &problem.Invalid{}
		note := strings.TrimSpace(in.Note)
		v.Text("note", note, false, maxText)
		if _, ok := Periods[c.State]; !ok {
			return time.Time{}, "", problem.Conflictf("state", "the case's current state runs no clock to pause")
		}
		after := c.Since
		for _, p := range c.Pauses {
			if p.To == nil {
				return time.Time{}, "", problem.Conflictf("date", "a request for material of %s is already open", p.From.Format(time.DateOnly))
			}
			if p.To.After(after) {
				after = *p.To
			}
		}
		on := s.validDate(v, "date", in.Date, after)
		if err := v.Err(); err != nil {
			return on, "", err
		}
		c.Pauses = append(c.Pauses, Pause{From: on, Note: note})
		return on, note, nil
	})
}

// ResumeCase records the day the requested material was supplied: the clock runs again from
// the next working day.
func (s *Service) ResumeCase(ctx context.Context, id int64, in PauseInput) (Case, error) {
	return s.update(ctx, id, "resume", func(t *store.Tenant, c *Case) (time.Time, string, error) {
		v := &problem.Invalid{}
		note := strings.TrimSpace(in.Note)
		v.Text("note", note, false, maxText)
		open := -1
		for i, p := range c.Pauses {
			if p.To == nil {
				open = i
			}
		}
		if open < 0 {
			return time.Time{}, "", problem.Conflictf("date", "no request for material is open")
		}
		on := s.validDate(v, "date", in.Date, c.Pauses[open].From)
		if err := v.Err(); err != nil {
			return on, "", err
		}
		c.Pauses[open].To = &on
		return on, note, nil
	})
}

// ExtendInput extends a clock: the initial review by 15 working days (complex), or the
// special procedure by a number of working days.
type ExtendInput struct {
	Days int    `json:"days"` // special procedure only: working days to add
	Date string `json:"date"` // the date of the office's notice
	Note string `json:"note"`
}

// MaxExtension bounds one extension of the special procedure, in working days.
const MaxExtension = 250

// ExtendCase extends the running clock: the initial review becomes complex (+15, Art. 11),
// or the special procedure runs longer (Art. 14).
func (s *Service) ExtendCase(ctx context.Context, id int64, in ExtendInput) (Case, error) {
	return s.update(ctx, id, "extend", func(t *store.Tenant, c *Case) (time.Time, string, error) {
		v := &problem.Invalid{}
		note := strings.TrimSpace(in.Note)
		v.Text("note", note, false, maxText)
		on := s.validDate(v, "date", in.Date, c.Since)
		switch c.State {
		case Initial:
			if c.Complex {
				return on, "", problem.Conflictf("state", "the initial review was already extended by 15 working days")
			}
			if err := v.Err(); err != nil {
				return on, "", err
			}
			c.Complex = true
		case Special:
			if in.Days <= 0 || in.Days > MaxExtension {
				v.Add("days", "must be between 1 and %d working days", MaxExtension)
			}
			if err := v.Err(); err != nil {
				return on, "", err
			}
			c.ExtraDays += in.Days
		default:
			return on, "", problem.Conflictf("state", "only the initial review and the special procedure can be extended")
		}
		return on, note, nil
	})
}

// OpenListingCase opens a review of a listing abroad (CSR 2022 Art. 7) for the context's
// organisation; only one may be open (not at an outcome) at a time.
func (s *Service) OpenListingCase(ctx context.Context, title string) (Case, error) {
	title = strings.TrimSpace(title)
	v := &problem.Invalid{}
	v.Text("title", title, true, maxTitle)
	if err := v.Err(); err != nil {
		return Case{}, err
	}
	now := s.now().UTC()
	c := Case{Kind: KindListing, Title: title, State: Preparing, Since: s.today(), CreatedBy: audit.ActorFrom(ctx).Label, CreatedAt: now}
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		cases, err := allCases(t)
		if err != nil {
			return err
		}
		for _, x := range cases {
			if x.Kind == KindListing && !x.State.Outcome() {
				return problem.Conflictf("kind", "a listing-abroad review (case %d) is already under way", x.ID)
			}
		}
		if err := s.insertCase(t, &c); err != nil {
			return err
		}
		s.announce(t)
		return nil
	})
	return c, err
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}
