package incidents

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Timeline events.
const (
	EventCreated     = "created"
	EventImpact      = "impact"
	EventGradeRaised = "grade_raised"
	EventReportSaved = "report_saved"
	EventReportSent  = "report_sent"
	EventNote        = "note"
	EventEvidence    = "evidence"
	EventClosed      = "closed"
)

// Entry is one line of an incident's timeline.
type Entry struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Event  string    `json:"event"`
	Detail Detail    `json:"detail"`
}

// Detail is what a timeline entry records, language-neutral: the pages say it in the
// reader's language (Text).
type Detail struct {
	Grade   string      `json:"grade,omitempty"` // the grade after the event
	From    string      `json:"from,omitempty"`  // the grade before
	Kind    string      `json:"kind,omitempty"`  // a report's kind, number and version
	Number  int         `json:"number,omitempty"`
	Version int         `json:"version,omitempty"`
	Late    int64       `json:"minutes_late,omitempty"`
	To      []Authority `json:"to,omitempty"`
	At      *time.Time  `json:"at,omitempty"`
	SHA256  string      `json:"sha256,omitempty"`
	Text    string      `json:"text,omitempty"` // a note, or the reason of a raise
}

// Say writes the detail in lang (zh-CN or en).
func (d Detail) Say(lang string) string {
	zh := lang != "en"
	pick := func(z, e string) string {
		if zh {
			return z
		}
		return e
	}
	grade := func(code string) string {
		g, _ := ParseGrade(code)
		return pick(g.Zh(), g.En())
	}
	var parts []string
	if d.From != "" {
		parts = append(parts, grade(d.From)+" → "+grade(d.Grade))
	} else if d.Grade != "" {
		parts = append(parts, grade(d.Grade))
	}
	if d.Kind != "" {
		parts = append(parts, fmt.Sprintf(pick("%s 第%d号 第%d版", "%s no. %d, version %d"), pick(KindZh(d.Kind), KindEn(d.Kind)), d.Number, d.Version))
	}
	if len(d.To) > 0 {
		var names []string
		for _, a := range d.To {
			names = append(names, pick(a.Zh(), a.En()))
		}
		parts = append(parts, pick("报送", "to ")+strings.Join(names, pick("、", ", ")))
	}
	if d.Late > 0 {
		parts = append(parts, fmt.Sprintf(pick("迟报 %d 分钟", "%d minutes late"), d.Late))
	}
	if d.At != nil {
		parts = append(parts, cst(*d.At))
	}
	if d.SHA256 != "" {
		parts = append(parts, d.SHA256)
	}
	if d.Text != "" {
		parts = append(parts, d.Text)
	}
	return strings.Join(parts, pick("；", "; "))
}

// EvidenceRef is an evidence file attached to an incident, by hash.
type EvidenceRef struct {
	SHA256  string    `json:"sha256"`
	Note    string    `json:"note"`
	AddedBy string    `json:"added_by"`
	AddedAt time.Time `json:"added_at"`
}

// event appends a timeline entry in t's transaction.
func (s *Service) event(t *store.Tenant, id int64, event string, detail Detail) error {
	_, err := t.Exec(`INSERT INTO incident_timeline (org_id, incident_id, at, actor, event, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, s.now().UTC(), audit.ActorFrom(t.Tx().Context()).Label, event, mustJSON(detail))
	if err != nil {
		return fmt.Errorf("record timeline: %w", err)
	}
	return nil
}

// announce tells the change bus that the organisation's incident facts changed.
func (s *Service) announce(t *store.Tenant) {
	if s.changed != nil {
		s.changed(t.Tx(), t.OrgID())
	}
}

// Timeline returns the incident's entries, oldest first.
func (s *Service) Timeline(ctx context.Context, id int64) ([]Entry, error) {
	var out []Entry
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if _, err := getIncident(t, id); err != nil {
			return err
		}
		rows, err := t.Query(`SELECT at, actor, event, detail FROM incident_timeline WHERE org_id = $1 AND incident_id = $2 ORDER BY id`, id)
		if err != nil {
			return fmt.Errorf("read timeline: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e      Entry
				detail string
			)
			if err := rows.Scan(&e.At, &e.Actor, &e.Event, &detail); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
				return fmt.Errorf("timeline detail: %w", err)
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// AddNote adds a person's note to the timeline.
func (s *Service) AddNote(ctx context.Context, id int64, text string) error {
	text = strings.TrimSpace(text)
	v := &problem.Invalid{}
	if !v.Text("note", text, true, maxText) {
		return v
	}
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := getIncident(t, id); err != nil {
			return err
		}
		if err := s.event(t, id, EventNote, Detail{Text: text}); err != nil {
			return err
		}
		return audit.InTenant(t, "incident", strconv.FormatInt(id, 10), "note", nil, map[string]string{"note": text}, "note added")
	})
}

// AttachEvidence cites an evidence file the organisation holds, by SHA-256.
func (s *Service) AttachEvidence(ctx context.Context, id int64, sha, note string) error {
	sha, note = strings.ToLower(strings.TrimSpace(sha)), strings.TrimSpace(note)
	v := &problem.Invalid{}
	v.Text("note", note, false, maxShort)
	if len(sha) != 64 || strings.Trim(sha, "0123456789abcdef") != "" {
		v.Add("sha256", "is not a SHA-256 (64 hexadecimal digits)")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.ev.Cite(ctx, sha); err != nil {
		if err == store.ErrNotFound {
			return problem.Field("sha256", "is not an evidence file of this organisation: upload it first")
		}
		return err
	}
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := getIncident(t, id); err != nil {
			return err
		}
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM incident_evidence WHERE org_id = $1 AND incident_id = $2 AND sha256 = $3`, id, sha).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		ref := EvidenceRef{SHA256: sha, Note: note, AddedBy: audit.ActorFrom(ctx).Label, AddedAt: s.now().UTC()}
		if _, err := t.Exec(`INSERT INTO incident_evidence (org_id, incident_id, sha256, note, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, ref.SHA256, ref.Note, ref.AddedBy, ref.AddedAt); err != nil {
			return fmt.Errorf("attach evidence: %w", err)
		}
		if err := s.event(t, id, EventEvidence, Detail{SHA256: sha}); err != nil {
			return err
		}
		return audit.InTenant(t, "incident", strconv.FormatInt(id, 10), "evidence", nil, ref, sha)
	})
}

// Evidence lists the files attached to the incident.
func (s *Service) Evidence(ctx context.Context, id int64) ([]EvidenceRef, error) {
	var out []EvidenceRef
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT sha256, note, added_by, added_at FROM incident_evidence WHERE org_id = $1 AND incident_id = $2 ORDER BY added_at`, id)
		if err != nil {
			return fmt.Errorf("read evidence: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e EvidenceRef
			if err := rows.Scan(&e.SHA256, &e.Note, &e.AddedBy, &e.AddedAt); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// Close records that handling ended at the given time (China time); the summary report's
// 30-day clock starts.
func (s *Service) Close(ctx context.Context, id int64, at string) (Incident, error) {
	v := &problem.Invalid{}
	t0 := validTime(v, "handling_ended_at", at, true, s.now())
	if err := v.Err(); err != nil {
		return Incident{}, err
	}
	var after Incident
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := getIncident(t, id)
		if err != nil {
			return err
		}
		if before.Status == StatusClosed {
			return problem.Conflictf("status", "handling of this incident has already ended")
		}
		if t0.Before(before.DetectedAt) {
			return problem.Field("handling_ended_at", "is before the detection")
		}
		after = before
		after.Status, after.HandledAt = StatusClosed, t0
		if _, err := t.Exec(`UPDATE incidents SET status = $2, handled_at = $3 WHERE org_id = $1 AND id = $4`, StatusClosed, t0.UTC(), id); err != nil {
			return fmt.Errorf("close incident: %w", err)
		}
		if err := s.event(t, id, EventClosed, Detail{At: t0}); err != nil {
			return err
		}
		s.announce(t)
		return audit.InTenant(t, "incident", strconv.FormatInt(id, 10), audit.Update, before, after, "handling ended")
	})
	return after, err
}

// linkedTasks lists the remediation tasks linked to the incident ("incident:<id>"), never
// nil: none when the installation has no tasks capability.
func (m *Module) linkedTasks(ctx context.Context, id int64) ([]kernel.LinkedTask, error) {
	if m.tasks == nil {
		return []kernel.LinkedTask{}, nil
	}
	ts, err := m.tasks.Linked(ctx, "incident:"+strconv.FormatInt(id, 10))
	if err != nil {
		return nil, fmt.Errorf("tasks of incident %d: %w", id, err)
	}
	if ts == nil {
		ts = []kernel.LinkedTask{}
	}
	return ts, nil
}
