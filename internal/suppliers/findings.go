package suppliers

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Finding is what an accepted questionnaire found short in a supplier's answers, followed up
// by the operator until it is closed with a note of what was done.
type Finding struct {
	ID              int64      `json:"id"`
	SupplierID      int64      `json:"supplier_id"`
	QuestionnaireID int64      `json:"questionnaire_id"`
	QuestionKey     string     `json:"question_key"`
	TextZh          string     `json:"text_zh"`
	TextEn          string     `json:"text_en"`
	DueOn           time.Time  `json:"follow_up_by"`
	ClosedBy        string     `json:"closed_by,omitempty"`
	ClosedAt        *time.Time `json:"closed_at"`
	CloseNote       string     `json:"close_note"`
	CreatedBy       string     `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
	// Tasks are the follow-up tasks opened on it (read with the supplier's page and API).
	Tasks []kernel.LinkedTask `json:"tasks,omitempty"`
}

// Open says the finding is not closed.
func (f Finding) Open() bool { return f.ClosedAt == nil }

// Overdue says the finding is open past its follow-up day (China time) at now.
func (f Finding) Overdue(now time.Time) bool { return f.Open() && f.DueOn.Before(chinaDay(now)) }

const findingCols = `id, supplier_id, questionnaire_id, question_key, text_zh, text_en, due_on, closed_by, closed_at, close_note, created_by, created_at`

func scanFinding(sc interface{ Scan(...any) error }) (Finding, error) {
	var (
		f      Finding
		due    time.Time
		closeT sql.NullTime
	)
	err := sc.Scan(&f.ID, &f.SupplierID, &f.QuestionnaireID, &f.QuestionKey, &f.TextZh, &f.TextEn, &due, &f.ClosedBy, &closeT, &f.CloseNote, &f.CreatedBy, &f.CreatedAt)
	f.DueOn, f.ClosedAt, f.CreatedAt = chinaDay(due), utcPtr(closeT), f.CreatedAt.UTC()
	return f, err
}

// getFinding reads one of the organisation's findings; another's is store.ErrNotFound.
func getFinding(t *store.Tenant, id int64) (Finding, error) {
	return scanFinding(t.QueryRow(`SELECT `+findingCols+` FROM supplier_findings WHERE org_id = $1 AND id = $2`, id))
}

// findingsOf reads the organisation's findings, open ones first, then newest; supplierID > 0
// keeps one supplier's.
func findingsOf(t *store.Tenant, supplierID int64) ([]Finding, error) {
	rows, err := t.Query(`SELECT `+findingCols+` FROM supplier_findings WHERE org_id = $1 AND ($2 = 0 OR supplier_id = $2) ORDER BY id DESC`, supplierID)
	if err != nil {
		return nil, fmt.Errorf("read findings: %w", err)
	}
	defer rows.Close()
	var open, closed []Finding
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			return nil, fmt.Errorf("read a finding: %w", err)
		}
		if f.Open() {
			open = append(open, f)
		} else {
			closed = append(closed, f)
		}
	}
	return append(append([]Finding{}, open...), closed...), rows.Err()
}

// Findings lists the context operator's supplier findings; supplierID > 0 keeps one
// supplier's.
func (s *Service) Findings(ctx context.Context, supplierID int64) ([]Finding, error) {
	var out []Finding
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = findingsOf(t, supplierID)
		return err
	})
	return out, err
}

// Finding returns one of the context operator's findings; another's is store.ErrNotFound.
func (s *Service) Finding(ctx context.Context, id int64) (Finding, error) {
	var f Finding
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		f, err = getFinding(t, id)
		return err
	})
	return f, err
}

// CloseFinding closes one of the context operator's findings with a note of what was done
// (required). Another organisation's is store.ErrNotFound; a closed one a conflict.
func (s *Service) CloseFinding(ctx context.Context, id int64, note string) (Finding, error) {
	f, err := s.Finding(ctx, id)
	if err != nil {
		return f, err
	}
	note = strings.TrimSpace(note)
	v := &problem.Invalid{}
	v.Text("note", note, true, maxText)
	if err := v.Err(); err != nil {
		return f, err
	}
	by, now := audit.ActorFrom(ctx).Label, s.now()
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if f, err = getFinding(t, id); err != nil {
			return err
		}
		if !f.Open() {
			return problem.Conflictf("note", "the finding is closed already")
		}
		if _, err := t.Exec(`UPDATE supplier_findings SET closed_by = $2, closed_at = $3, close_note = $4 WHERE org_id = $1 AND id = $5`, by, now, note, id); err != nil {
			return fmt.Errorf("close the finding: %w", err)
		}
		f.ClosedBy, f.ClosedAt, f.CloseNote = by, &now, note
		s.announce(t)
		return audit.InTenant(t, "supplier_finding", strconv.FormatInt(id, 10), "close", nil, f, note)
	})
	return f, err
}
