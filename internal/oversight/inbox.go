package oversight

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Filter narrows the inbox; empty fields do not filter.
type Filter struct {
	Kind     string
	State    string
	Operator int64
	// Grade is an incident report's grade as filed (one of Grades); the dashboard's
	// incident table links to it.
	Grade string
	// Month is the Beijing month of filing, YYYY-MM.
	Month string
	// Sector is the registry's sector of the operator, or "none".
	Sector string
}

// Grades of incident reports as the incidents capability files them (its grade codes),
// most severe first, and GradeUnstated for a report whose payload names none.
var Grades = []string{"especially_major", "major", "relatively_major", "general", GradeUnstated}

// GradeUnstated is the grade of an incident report whose payload names none of Grades.
const GradeUnstated = "unstated"

// gradeOf is an incident report's grade from its payload; "" for other kinds.
func gradeOf(it *Item) string {
	if it.Kind != kernel.SubmitIncidentReport {
		return ""
	}
	var p struct {
		Grade string `json:"grade"`
	}
	if json.Unmarshal([]byte(it.Payload), &p) != nil || !slices.Contains(Grades[:len(Grades)-1], p.Grade) {
		return GradeUnstated
	}
	return p.Grade
}

// bjMonth is the Beijing month of t, YYYY-MM.
func bjMonth(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01") }

// Inbox lists the context regulator's submissions, newest first, with their answers and
// clocks, narrowed by f.
func (s *Service) Inbox(ctx context.Context, f Filter) ([]*Item, error) {
	v := &problem.Invalid{}
	f.check(v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out []*Item
	sectorOf := map[int64]string{} // operator → the registry's sector
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if f.Sector != "" {
			if err := query(t, "registry sectors", `SELECT operator_id, sector FROM oversight_registry WHERE org_id = $1 AND operator_id IS NOT NULL`,
				func(sc func(...any) error) error {
					var op int64
					var sector string
					err := sc(&op, &sector)
					sectorOf[op] = sector
					return err
				}); err != nil {
				return err
			}
		}
		q := `SELECT ` + itemCols + ` FROM oversight_submissions WHERE org_id = $1 AND ($2 = '' OR kind = $2) AND ($3 = 0 OR operator_id = $3) ORDER BY submitted_at DESC, id DESC`
		if err := query(t, "inbox", q, func(sc func(...any) error) error {
			it, err := scanItem(sc)
			out = append(out, &it)
			return err
		}, f.Kind, f.Operator); err != nil {
			return err
		}
		return readAnswers(t, out)
	})
	if err != nil {
		return nil, err
	}
	out = slices.DeleteFunc(out, func(it *Item) bool {
		sector := cmpOr(sectorOf[it.OperatorID], "none")
		return (f.State != "" && it.State != f.State) || (f.Grade != "" && gradeOf(it) != f.Grade) ||
			(f.Month != "" && bjMonth(it.SubmittedAt) != f.Month) || (f.Sector != "" && sector != f.Sector)
	})
	if err := s.names(ctx, out); err != nil {
		return nil, err
	}
	now := s.now()
	for _, it := range out {
		it.Clock, it.Escalation = incidentClock(it, now), escalationClock(it, now)
	}
	return out, nil
}

// Item is one of the context regulator's submissions.
func (s *Service) Item(ctx context.Context, id int64) (*Item, error) {
	var it Item
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if it, err = scanItem(t.QueryRow(`SELECT `+itemCols+` FROM oversight_submissions WHERE org_id = $1 AND id = $2`, id).Scan); err != nil {
			return fmt.Errorf("submission %d: %w", id, err)
		}
		return readAnswers(t, []*Item{&it})
	})
	if err != nil {
		return nil, err
	}
	if err := s.names(ctx, []*Item{&it}); err != nil {
		return nil, err
	}
	now := s.now()
	it.Clock, it.Escalation = incidentClock(&it, now), escalationClock(&it, now)
	return &it, nil
}

// Attachment returns the file filed with one of the context regulator's submissions.
func (s *Service) Attachment(ctx context.Context, id int64) (name string, data []byte, err error) {
	err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		return t.QueryRow(`SELECT attachment_name, attachment FROM oversight_submissions WHERE org_id = $1 AND id = $2 AND attachment IS NOT NULL`, id).Scan(&name, &data)
	})
	return name, data, err
}

// names fills the operators' and the regulator's names.
func (s *Service) names(ctx context.Context, items []*Item) error {
	cache := map[int64][2]string{}
	name := func(id int64) ([2]string, error) {
		if n, ok := cache[id]; ok {
			return n, nil
		}
		o, err := s.auth.GetOrg(ctx, id)
		if err != nil {
			return [2]string{}, fmt.Errorf("organisation %d: %w", id, err)
		}
		cache[id] = [2]string{o.NameZH, o.NameEN}
		return cache[id], nil
	}
	for _, it := range items {
		op, err := name(it.OperatorID)
		if err != nil {
			return err
		}
		reg, err := name(it.RegulatorID)
		if err != nil {
			return err
		}
		it.OperatorZH, it.OperatorEN = op[0], op[1]
		it.RegulatorZH, it.RegulatorEN = reg[0], reg[1]
	}
	return nil
}

// Answer records the context regulator's answer to one of its submissions, audited. An
// accepted submission takes no further answer; asking for more information needs a note
// saying what.
func (s *Service) Answer(ctx context.Context, id int64, action, note string) (*Item, error) {
	note, err := checkAnswer(Actions, action, note)
	if err != nil {
		return nil, err
	}
	it, err := s.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	if action == StateEscalated && it.Escalation == nil {
		return nil, problem.Field("action", "only a report of a major or especially major incident is escalated")
	}
	if action == StateEscalated && it.Escalation.At != nil {
		return nil, problem.Conflictf("action", "the report was escalated already")
	}
	actor := audit.ActorFrom(ctx)
	a := kernel.SubmissionAnswer{Action: action, Note: note, By: actor.Label, At: s.now()}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		// Read the state again in the writing transaction, so two answers racing cannot
		// both pass an acceptance.
		var last string
		err := t.QueryRow(`SELECT action FROM oversight_answers WHERE org_id = $1 AND submission_id = $2 ORDER BY id DESC LIMIT 1`, id).Scan(&last)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("read the answers of submission %d: %w", id, err)
		}
		if last == StateAccepted {
			return problem.Conflictf("action", "the submission is already accepted")
		}
		if _, err := t.Exec(`INSERT INTO oversight_answers (org_id, submission_id, action, note, by_user, by_label, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, a.Action, a.Note, actor.UserID, a.By, a.At); err != nil {
			if secondAnswer(err) {
				// Another answer of the same kind committed after the read above.
				if action == StateEscalated {
					return problem.Conflictf("action", "the report was escalated already")
				}
				return problem.Conflictf("action", "the submission is already accepted")
			}
			return fmt.Errorf("answer submission %d: %w", id, err)
		}
		detail := fmt.Sprintf("%s: %s", action, note)
		// The operator's trail records the answer too: it is about the operator's filing.
		if err := audit.Record(t.Tx(), it.OperatorID, "oversight_submission", idStr(id), action, nil, a, detail); err != nil {
			return err
		}
		return audit.InTenant(t, "oversight_submission", idStr(id), action, nil, a, detail)
	})
	if err != nil {
		return nil, err
	}
	it.answer(a)
	return it, nil
}

// checkAnswer refuses an action not among actions and a note too long, or missing where
// the action must say why (asking for more, accepting, escalating); it returns the note
// trimmed.
func checkAnswer(actions []string, action, note string) (string, error) {
	v := &problem.Invalid{}
	if !slices.Contains(actions, action) {
		v.Add("action", "must be one of %s", strings.Join(actions, ", "))
	}
	note = strings.TrimSpace(note)
	v.Text("note", note, action == StateInfoRequested || action == StateAccepted || action == StateEscalated, 2000)
	return note, v.Err()
}

// secondAnswer reports whether err is the engine refusing a second acceptance or
// escalation of one submission (migration 006's unique indexes).
func secondAnswer(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "oversight_answers_accepted") || strings.Contains(msg, "oversight_answers_escalated") ||
		strings.Contains(msg, "UNIQUE constraint failed: oversight_answers.org_id, oversight_answers.submission_id")
}

// check refuses on v the filter's values that name no kind, state, grade, month or sector.
func (f Filter) check(v *problem.Invalid) {
	if f.Kind != "" && !slices.Contains(kernel.SubmissionKinds, f.Kind) {
		v.Add("kind", "must be one of %s", strings.Join(kernel.SubmissionKinds, ", "))
	}
	if f.State != "" && !slices.Contains(States, f.State) {
		v.Add("state", "must be one of %s", strings.Join(States, ", "))
	}
	if f.Grade != "" && !slices.Contains(Grades, f.Grade) {
		v.Add("grade", "must be one of %s", strings.Join(Grades, ", "))
	}
	if _, err := time.Parse("2006-01", f.Month); f.Month != "" && err != nil {
		v.Add("month", "must be a month YYYY-MM such as 2026-11")
	}
	if _, ok := find(Sectors, f.Sector); f.Sector != "" && f.Sector != "none" && !ok {
		v.Add("sector", "must be one of %s", strings.Join(append(codes(Sectors), "none"), ", "))
	}
}
