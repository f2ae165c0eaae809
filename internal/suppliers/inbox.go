package suppliers

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Received is a questionnaire in a supplier organisation's inbox: the questionnaire as the
// operator keeps it now, and who sent it.
type Received struct {
	ID         int64         `json:"id"` // the inbox row's, the supplier's own number
	OperatorID int64         `json:"operator_id"`
	OperatorZH string        `json:"operator_name_zh"`
	OperatorEN string        `json:"operator_name_en"`
	ReceivedAt time.Time     `json:"received_at"`
	Q          Questionnaire `json:"questionnaire"`
}

// inboxRow is a receipt as the supplier's tenant holds it.
type inboxRow struct {
	id, operator, questionnaire int64
	at                          time.Time
}

// inboxID finds the supplier organisation's receipt of the operator's questionnaire q.
func inboxID(tx *store.Tx, supplierOrg, operator, q int64) (int64, error) {
	var id int64
	if err := tx.QueryRow(`SELECT id FROM questionnaire_inbox WHERE org_id = $1 AND operator_id = $2 AND questionnaire_id = $3`, supplierOrg, operator, q).Scan(&id); err != nil {
		return 0, fmt.Errorf("find the supplier's receipt: %w", store.Found(err))
	}
	return id, nil
}

// operatorQuestionnaire reads the questionnaire a receipt names, in the operator's tenant:
// the one read across organisations, keyed by the receipt (never by input) and by the
// supplier organisation it was sent to.
func operatorQuestionnaire(tx *store.Tx, supplierOrg int64, r inboxRow) (Questionnaire, error) {
	q, err := scanQuestionnaire(tx.QueryRow(`SELECT `+qCols+` FROM supplier_questionnaires WHERE org_id = $1 AND id = $2 AND supplier_org_id = $3`, r.operator, r.questionnaire, supplierOrg))
	if err != nil {
		return q, fmt.Errorf("read the customer's questionnaire: %w", store.Found(err))
	}
	return q, nil
}

func (s *Service) received(ctx context.Context, t *store.Tenant, r inboxRow) (Received, error) {
	q, err := operatorQuestionnaire(t.Tx(), t.OrgID(), r)
	if err != nil {
		return Received{}, err
	}
	out := Received{ID: r.id, OperatorID: r.operator, ReceivedAt: r.at.UTC(), Q: q}
	if s.orgs != nil {
		o, err := s.orgs.GetOrg(ctx, r.operator)
		if err != nil {
			return Received{}, fmt.Errorf("read customer %d: %w", r.operator, err)
		}
		out.OperatorZH, out.OperatorEN = o.NameZH, o.NameEN
	}
	// The operator's supplier record and its people are not the supplier's to see.
	out.Q.SupplierID, out.Q.SentBy, out.Q.DecidedBy = 0, "", ""
	return out, nil
}

// Inbox lists the questionnaires the context supplier organisation received, newest first.
func (s *Service) Inbox(ctx context.Context) ([]Received, error) {
	out := []Received{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT id, operator_id, questionnaire_id, received_at FROM questionnaire_inbox WHERE org_id = $1 ORDER BY id DESC`)
		if err != nil {
			return fmt.Errorf("read the inbox: %w", err)
		}
		var rs []inboxRow
		for rows.Next() {
			var r inboxRow
			if err := rows.Scan(&r.id, &r.operator, &r.questionnaire, &r.at); err != nil {
				rows.Close()
				return fmt.Errorf("read a receipt: %w", err)
			}
			rs = append(rs, r)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("read the inbox: %w", err)
		}
		for _, r := range rs {
			x, err := s.received(ctx, t, r)
			if err != nil {
				return err
			}
			out = append(out, x)
		}
		return nil
	})
	return out, err
}

func inboxOne(t *store.Tenant, id int64) (inboxRow, error) {
	r := inboxRow{id: id}
	err := t.QueryRow(`SELECT operator_id, questionnaire_id, received_at FROM questionnaire_inbox WHERE org_id = $1 AND id = $2`, id).Scan(&r.operator, &r.questionnaire, &r.at)
	return r, err
}

// ReceivedOne returns the questionnaire of the context supplier's receipt id; another
// organisation's receipt is store.ErrNotFound.
func (s *Service) ReceivedOne(ctx context.Context, id int64) (Received, error) {
	var out Received
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		r, err := inboxOne(t, id)
		if err != nil {
			return err
		}
		out, err = s.received(ctx, t, r)
		return err
	})
	return out, err
}

// validAnswers checks a supplier's answers to qs: every question that takes an answer
// answered as its kind asks (yes/no, an option's number, a number, a day) or not applicable
// with a note saying why, nothing asked
// twice or not asked at all, text within its limits. Refusals name answers[KEY].FIELD.
func validAnswers(qs []Question, in []Answer) ([]Answer, *problem.Invalid) {
	v := &problem.Invalid{}
	asked := map[string]Question{}
	for _, q := range qs {
		asked[q.Key] = q
	}
	given := map[string]Answer{}
	for i, a := range in {
		a.Key, a.Answer = strings.TrimSpace(a.Key), strings.ToLower(strings.TrimSpace(a.Answer))
		a.Note, a.Evidence = strings.TrimSpace(a.Note), strings.TrimSpace(a.Evidence)
		if _, ok := asked[a.Key]; !ok {
			v.Add("answers["+strconv.Itoa(i)+"].key", "is not a question of this questionnaire")
			continue
		}
		if _, dup := given[a.Key]; dup {
			v.Add("answers["+a.Key+"]", "is answered twice")
			continue
		}
		given[a.Key] = a
	}
	out := make([]Answer, 0, len(qs))
	for _, q := range qs {
		a, f := given[q.Key], "answers["+q.Key+"]"
		a.Key = q.Key
		switch {
		case !q.TakesAnswer():
			if a.Answer != "" {
				v.Add(f+".answer", "is not asked: this question takes a note only")
			}
		case a.Answer == AnswerNA:
			if a.Note == "" {
				v.Add(f+".note", "is required when the question does not apply: say why")
			}
		case a.Answer == "" && q.AsksYesNo():
			v.Add(f+".answer", "is required (yes, no, na)")
		case a.Answer == "":
			v.Add(f+".answer", "is required (or na, with a note saying why)")
		case q.AsksYesNo():
			if a.Answer != AnswerYes && a.Answer != AnswerNo {
				v.Add(f+".answer", "is not an answer (yes, no, na)")
			}
		default:
			a.Answer = q.judgeAnswer(a.Answer, v, f+".answer")
		}
		v.Text(f+".note", a.Note, false, maxText)
		v.Text(f+".evidence", a.Evidence, false, maxName)
		out = append(out, a)
	}
	return out, v
}

// AnswerQuestionnaire records the context supplier's answers to the questionnaire of its
// receipt id and hands them to the operator for review. Another organisation's receipt is
// store.ErrNotFound before the answers are judged; a questionnaire that does not wait for
// answers (answered, accepted) is a conflict.
func (s *Service) AnswerQuestionnaire(ctx context.Context, id int64, in []Answer) (Received, error) {
	rec, err := s.ReceivedOne(ctx, id)
	if err != nil {
		return Received{}, err
	}
	as, v := validAnswers(rec.Q.Questions, in)
	if err := v.Err(); err != nil {
		return Received{}, err
	}
	by, now := audit.ActorFrom(ctx).Label, s.now()
	body, err := json.Marshal(as)
	if err != nil {
		return Received{}, fmt.Errorf("answers: %w", err)
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		r, err := inboxOne(t, id)
		if err != nil {
			return err
		}
		q, err := operatorQuestionnaire(t.Tx(), t.OrgID(), r)
		if err != nil {
			return err
		}
		if q.State != QSent && q.State != QReturned {
			return problem.Conflictf("answers", "the questionnaire does not wait for answers (it is %s)", q.State)
		}
		score := Score(q.Questions, as, now)
		if _, err := t.Tx().Exec(`UPDATE supplier_questionnaires SET state = $3, answers = $4, answered_by = $5, answered_at = $6, score = $7 WHERE org_id = $1 AND id = $2`,
			r.operator, r.questionnaire, QAnswered, string(body), by, now, score); err != nil {
			return fmt.Errorf("hand the answers over: %w", err)
		}
		if err := audit.Record(t.Tx(), r.operator, "supplier_questionnaire", strconv.FormatInt(r.questionnaire, 10), "answer_questionnaire", map[string]string{"state": q.State},
			map[string]any{"state": QAnswered, "score": score}, "the supplier answered the security questionnaire"); err != nil {
			return err
		}
		rec.Q.State, rec.Q.Answers, rec.Q.AnsweredBy, rec.Q.AnsweredAt, rec.Q.Score = QAnswered, as, by, &now, score
		return audit.InTenant(t, "questionnaire", strconv.FormatInt(id, 10), "answer_questionnaire", nil, as, fmt.Sprintf("answers to questionnaire %d of operator %d", r.questionnaire, r.operator))
	})
	if err != nil {
		return Received{}, err
	}
	return rec, nil
}
