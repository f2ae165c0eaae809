package suppliers

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// An operator assesses a supplier by sending it a security questionnaire. The supplier must
// be an organisation of this installation the operator linked (platform.go): the
// questionnaire is the operator's row (supplier_questionnaires) and the supplier's inbox
// holds a receipt of it (questionnaire_inbox), both written in one transaction. The supplier
// reads the questions and writes its answers through its receipt — the one authorised
// cross-organisation access, to that one row — so the supplier never sees anything else of
// the operator, nor one operator another. The operator then accepts the answers (every
// answer that does not meet its question becomes a finding to follow up by a day) or
// returns them with its reasons for the supplier to answer again. Both audit trails record
// each step.

// Questionnaire states.
const (
	QSent     = "sent"     // waiting for the supplier's answers
	QAnswered = "answered" // answered, waiting for the operator's review
	QReturned = "returned" // sent back by the operator, waiting for new answers
	QAccepted = "accepted" // reviewed and accepted; findings opened where answers fell short
)

// Questionnaire is a questionnaire sent to one of the operator's suppliers.
type Questionnaire struct {
	ID              int64  `json:"id"`
	SupplierID      int64  `json:"supplier_id"`
	SupplierOrgID   int64  `json:"supplier_org_id"`
	TemplateID      string `json:"template_id"`
	TemplateVersion string `json:"template_version"`
	// TemplateTitleZh and TemplateTitleEn name the operator's own template the
	// questionnaire was sent with; both empty for ciiguard's default template.
	TemplateTitleZh string     `json:"template_title_zh,omitempty"`
	TemplateTitleEn string     `json:"template_title_en,omitempty"`
	Questions       []Question `json:"questions"`
	DueOn           time.Time  `json:"due_on"`
	State           string     `json:"state"`
	Answers         []Answer   `json:"answers"`
	AnsweredBy      string     `json:"answered_by,omitempty"`
	AnsweredAt      *time.Time `json:"answered_at"`
	// Score is the weighted share of the counted answers that meet their questions
	// (Score); -1 before the answers or when none counts.
	Score         int        `json:"score"`
	DecidedBy     string     `json:"decided_by,omitempty"`
	DecidedAt     *time.Time `json:"decided_at"`
	DecisionNotes string     `json:"decision_notes"`
	SentBy        string     `json:"sent_by"`
	SentAt        time.Time  `json:"sent_at"`
}

// Overdue says the supplier has not answered by the due day (China time) at now.
func (q Questionnaire) Overdue(now time.Time) bool {
	return (q.State == QSent || q.State == QReturned) && q.DueOn.Before(chinaDay(now))
}

// AnswerOf returns the answer to the question key (zero when there is none).
func (q Questionnaire) AnswerOf(key string) Answer {
	for _, a := range q.Answers {
		if a.Key == key {
			return a
		}
	}
	return Answer{}
}

// OwnTemplate says the questionnaire was sent with one of the operator's own templates.
func (q Questionnaire) OwnTemplate() bool { return q.TemplateTitleZh != "" || q.TemplateTitleEn != "" }

// SendInput is what the operator gives when it sends a questionnaire: the last day for the
// answers (YYYY-MM-DD) and the template, one of the operator's own (OrgTemplate.ID) or 0 for
// ciiguard's default.
type SendInput struct {
	DueOn      string `json:"due_on"`
	TemplateID int64  `json:"template_id,omitempty"`
}

// ReviewDecision is the operator's decision on the answers: "accept" (with the day by which
// each finding is to be followed up) or "return" (with the reasons, required).
type ReviewDecision struct {
	Decision string `json:"decision"`
	Notes    string `json:"notes"`
	FollowUp string `json:"follow_up_by"` // YYYY-MM-DD; default 30 days after today
}

const qCols = `id, supplier_id, supplier_org_id, template_id, template_version, template_title_zh, template_title_en, questions, due_on, state, answers, answered_by, answered_at, score, decided_by, decided_at, decision_notes, sent_by, sent_at`

func scanQuestionnaire(sc interface{ Scan(...any) error }) (Questionnaire, error) {
	var (
		q        Questionnaire
		qs, as   string
		ans, dec sql.NullTime
		due      time.Time
	)
	if err := sc.Scan(&q.ID, &q.SupplierID, &q.SupplierOrgID, &q.TemplateID, &q.TemplateVersion, &q.TemplateTitleZh, &q.TemplateTitleEn, &qs, &due, &q.State, &as, &q.AnsweredBy, &ans, &q.Score, &q.DecidedBy, &dec, &q.DecisionNotes, &q.SentBy, &q.SentAt); err != nil {
		return q, err
	}
	q.DueOn, q.AnsweredAt, q.DecidedAt, q.SentAt = chinaDay(due), utcPtr(ans), utcPtr(dec), q.SentAt.UTC()
	if err := json.Unmarshal([]byte(qs), &q.Questions); err != nil {
		return q, fmt.Errorf("questionnaire %d questions: %w", q.ID, err)
	}
	if err := json.Unmarshal([]byte(as), &q.Answers); err != nil {
		return q, fmt.Errorf("questionnaire %d answers: %w", q.ID, err)
	}
	return q, nil
}

func utcPtr(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}

// SendQuestionnaire sends a questionnaire to the context operator's supplier id, with the
// operator's own template in.TemplateID or else ciiguard's default. Another organisation's
// supplier or template is store.ErrNotFound; a supplier not linked to its organisation on
// this installation, or with a questionnaire still open, is a conflict.
func (s *Service) SendQuestionnaire(ctx context.Context, supplierID int64, in SendInput) (Questionnaire, error) {
	x, err := s.Supplier(ctx, supplierID)
	if err != nil {
		return Questionnaire{}, err
	}
	// The operator's own template, read in its tenant: another organisation's is not
	// found, before anything else is judged. Templates never change once kept, so the
	// copy read here is the one the questionnaire keeps.
	var own *OrgTemplate
	if in.TemplateID != 0 {
		x, err := s.Template(ctx, in.TemplateID)
		if err != nil {
			return Questionnaire{}, err
		}
		if x.Retired() {
			return Questionnaire{}, problem.Conflictf("template_id", "is retired (%s, %s): reinstate it or send another", chinaDay(*x.RetiredAt).Format(time.DateOnly), x.RetiredReason)
		}
		own = &x
	}
	v := &problem.Invalid{}
	due := dateField(v, "due_on", in.DueOn, true)
	if due != nil && due.Before(chinaDay(s.Now())) {
		v.Add("due_on", "is in the past")
	}
	if err := v.Err(); err != nil {
		return Questionnaire{}, err
	}
	if x.PlatformOrgID == 0 {
		return Questionnaire{}, problem.Conflictf("supplier", "is not linked to its organisation on this installation: link it first, so that its users can answer")
	}
	tpl := DefaultTemplate
	q := Questionnaire{SupplierID: supplierID, SupplierOrgID: x.PlatformOrgID, TemplateID: tpl.ID, TemplateVersion: tpl.Version, Questions: tpl.Questions,
		DueOn: *due, State: QSent, Answers: []Answer{}, Score: -1, SentBy: audit.ActorFrom(ctx).Label, SentAt: s.now()}
	if own != nil {
		q.TemplateID, q.TemplateVersion, q.TemplateTitleZh, q.TemplateTitleEn, q.Questions =
			own.TemplateID(), strconv.Itoa(own.Version), own.TitleZh, own.TitleEn, own.Questions
	}
	qs, err := json.Marshal(q.Questions)
	if err != nil {
		return Questionnaire{}, fmt.Errorf("questions: %w", err)
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var open int64
		switch err := t.QueryRow(`SELECT id FROM supplier_questionnaires WHERE org_id = $1 AND supplier_id = $2 AND state <> $3`, supplierID, QAccepted).Scan(&open); {
		case err == nil:
			return problem.Conflictf("supplier", "questionnaire %d to this supplier is still open", open)
		case !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("read the questionnaires: %w", err)
		}
		if err := t.QueryRow(`INSERT INTO supplier_questionnaires (org_id, supplier_id, supplier_org_id, template_id, template_version, template_title_zh, template_title_en, questions, due_on, state, sent_by, sent_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`, supplierID, q.SupplierOrgID, q.TemplateID, q.TemplateVersion, q.TemplateTitleZh, q.TemplateTitleEn, string(qs), q.DueOn.UTC(), q.State, q.SentBy, q.SentAt).Scan(&q.ID); err != nil {
			return fmt.Errorf("record the questionnaire: %w", err)
		}
		// The receipt is the supplier organisation's row: its organisation is the one the
		// operator's own record links, never input.
		var inbox int64
		if err := t.Tx().QueryRow(`INSERT INTO questionnaire_inbox (org_id, operator_id, questionnaire_id, received_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			q.SupplierOrgID, t.OrgID(), q.ID, q.SentAt).Scan(&inbox); err != nil {
			return fmt.Errorf("deliver the questionnaire: %w", err)
		}
		if err := audit.Record(t.Tx(), q.SupplierOrgID, "questionnaire", strconv.FormatInt(inbox, 10), "receive_questionnaire", nil,
			map[string]any{"operator_id": t.OrgID(), "template": q.TemplateID + " " + q.TemplateVersion, "due_on": q.DueOn.Format("2006-01-02")},
			"a customer sent a security questionnaire"); err != nil {
			return err
		}
		s.announce(t)
		return audit.InTenant(t, "supplier_questionnaire", strconv.FormatInt(q.ID, 10), "send", nil, q, x.Name)
	})
	if err != nil {
		return Questionnaire{}, err
	}
	return q, nil
}

// Questionnaires lists the context operator's questionnaires, newest first; supplierID > 0
// keeps one supplier's.
func (s *Service) Questionnaires(ctx context.Context, supplierID int64) ([]Questionnaire, error) {
	var out []Questionnaire
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = questionnairesOf(t, supplierID)
		return err
	})
	return out, err
}

func questionnairesOf(t *store.Tenant, supplierID int64) ([]Questionnaire, error) {
	rows, err := t.Query(`SELECT `+qCols+` FROM supplier_questionnaires WHERE org_id = $1 AND ($2 = 0 OR supplier_id = $2) ORDER BY id DESC`, supplierID)
	if err != nil {
		return nil, fmt.Errorf("read questionnaires: %w", err)
	}
	defer rows.Close()
	out := []Questionnaire{}
	for rows.Next() {
		q, err := scanQuestionnaire(rows)
		if err != nil {
			return nil, fmt.Errorf("read a questionnaire: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// Questionnaire returns one of the context operator's questionnaires; another's is
// store.ErrNotFound.
func (s *Service) Questionnaire(ctx context.Context, id int64) (Questionnaire, error) {
	var q Questionnaire
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		q, err = scanQuestionnaire(t.QueryRow(`SELECT `+qCols+` FROM supplier_questionnaires WHERE org_id = $1 AND id = $2`, id))
		return err
	})
	return q, err
}

// DecideQuestionnaire records the context operator's decision on the answers of its
// questionnaire id. Another organisation's is store.ErrNotFound; one not waiting for the
// operator is a conflict. Accepting opens a finding for every answer that does not meet its
// question, to be followed up by the given day.
func (s *Service) DecideQuestionnaire(ctx context.Context, id int64, in ReviewDecision) (Questionnaire, []Finding, error) {
	q, err := s.Questionnaire(ctx, id)
	if err != nil {
		return Questionnaire{}, nil, err
	}
	v := &problem.Invalid{}
	in.Decision, in.Notes = strings.TrimSpace(in.Decision), strings.TrimSpace(in.Notes)
	today := chinaDay(s.Now())
	followUp := addMonths(today, 1)
	switch in.Decision {
	case "accept":
		v.Text("notes", in.Notes, false, maxText)
		if strings.TrimSpace(in.FollowUp) != "" {
			if d := dateField(v, "follow_up_by", in.FollowUp, true); d != nil {
				if d.Before(today) {
					v.Add("follow_up_by", "is in the past")
				}
				followUp = *d
			}
		}
	case "return":
		v.Text("notes", in.Notes, true, maxText)
	default:
		v.Add("decision", "is not a decision (accept, return)")
	}
	if err := v.Err(); err != nil {
		return Questionnaire{}, nil, err
	}
	by, now := audit.ActorFrom(ctx).Label, s.now()
	var found []Finding
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := scanQuestionnaire(t.QueryRow(`SELECT `+qCols+` FROM supplier_questionnaires WHERE org_id = $1 AND id = $2`, id))
		if err != nil {
			return err
		}
		if before.State != QAnswered {
			return problem.Conflictf("decision", "the questionnaire is not waiting for your review (it is %s)", before.State)
		}
		q = before
		q.DecidedBy, q.DecidedAt, q.DecisionNotes = by, &now, in.Notes
		if in.Decision == "return" {
			q.State = QReturned
		} else {
			q.State = QAccepted
			for _, qu := range q.Questions {
				a := q.AnswerOf(qu.Key)
				if counted, met := qu.Meets(a, answeredOn(q)); !counted || met {
					continue
				}
				f := Finding{SupplierID: q.SupplierID, QuestionnaireID: q.ID, QuestionKey: qu.Key,
					TextZh: fmt.Sprintf("“%s”回答为“%s”，不符合要求", qu.Zh, qu.Shown(a.Answer, true)),
					TextEn: fmt.Sprintf("\"%s\" answered \"%s\", which falls short", qu.En, qu.Shown(a.Answer, false)),
					DueOn:  followUp, CreatedBy: by, CreatedAt: now}
				// An operator's question may cite no basis (its template shows "—").
				if qu.BasisZh != "" && qu.BasisZh != noBasis {
					f.TextZh += "（" + qu.BasisZh + "）"
				}
				if qu.BasisEn != "" && qu.BasisEn != noBasis {
					f.TextEn += " (" + qu.BasisEn + ")"
				}
				if err := t.QueryRow(`INSERT INTO supplier_findings (org_id, supplier_id, questionnaire_id, question_key, text_zh, text_en, due_on, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, f.SupplierID, f.QuestionnaireID, f.QuestionKey, f.TextZh, f.TextEn, f.DueOn.UTC(), f.CreatedBy, f.CreatedAt).Scan(&f.ID); err != nil {
					return fmt.Errorf("open a finding: %w", err)
				}
				found = append(found, f)
			}
		}
		if _, err := t.Exec(`UPDATE supplier_questionnaires SET state = $2, decided_by = $3, decided_at = $4, decision_notes = $5 WHERE org_id = $1 AND id = $6`,
			q.State, q.DecidedBy, now, q.DecisionNotes, id); err != nil {
			return fmt.Errorf("record the decision: %w", err)
		}
		inbox, err := inboxID(t.Tx(), q.SupplierOrgID, t.OrgID(), q.ID)
		if err != nil {
			return err
		}
		if err := audit.Record(t.Tx(), q.SupplierOrgID, "questionnaire", strconv.FormatInt(inbox, 10), q.State, nil, map[string]any{"operator_id": t.OrgID(), "notes": q.DecisionNotes},
			"a customer reviewed your answers to its security questionnaire"); err != nil {
			return err
		}
		s.announce(t)
		return audit.InTenant(t, "supplier_questionnaire", strconv.FormatInt(id, 10), in.Decision, map[string]string{"state": before.State}, map[string]any{"state": q.State, "findings": len(found)}, q.DecisionNotes)
	})
	if err != nil {
		return Questionnaire{}, nil, err
	}
	return q, found, nil
}

// answeredOn is the day a questionnaire's answers were given, from which its date questions'
// expectations count (today before any answer).
func answeredOn(q Questionnaire) time.Time {
	if q.AnsweredAt != nil {
		return *q.AnsweredAt
	}
	return time.Now()
}

// answerZh is an answer as the Chinese pages and findings write it.
var answerZh = map[string]string{AnswerYes: "是", AnswerNo: "否", AnswerNA: "不适用"}
