package suppliers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// The questionnaires' pages: the operator sends one from the supplier's page and reviews the
// answers on the questionnaire's page; the supplier's users answer on /questionnaires.

// questionRow is a question with its answer, for the pages.
type questionRow struct {
	Q       Question
	A       Answer
	Counted bool
	Met     bool
}

// Coded says the answer is yes, no or not applicable, which the pages write in their
// language; other answers are shown as given (a choice by its option's text).
func (r questionRow) Coded() bool {
	_, ok := answerZh[r.A.Answer]
	return ok
}

// Given is the answer for a number or date field: empty when it was not applicable.
func (r questionRow) Given() string {
	if r.A.Answer == AnswerNA {
		return ""
	}
	return r.A.Answer
}

func rowsOf(q Questionnaire) []questionRow {
	out := make([]questionRow, 0, len(q.Questions))
	for _, qu := range q.Questions {
		a := q.AnswerOf(qu.Key)
		counted, met := qu.Meets(a, answeredOn(q))
		out = append(out, questionRow{Q: qu, A: a, Counted: counted, Met: met})
	}
	return out
}

// questionnaireData is the operator's page of one questionnaire.
type questionnaireData struct {
	S        Supplier
	Q        Questionnaire
	Rows     []questionRow
	Findings []Finding
	Decision ReviewDecision
	Overdue  bool
}

func (m *Module) sendQuestionnairePage(w http.ResponseWriter, r *http.Request) error {
	in := SendInput{DueOn: r.PostFormValue("due_on")}
	var q Questionnaire
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.Supplier(r.Context(), id)
	if err != nil {
		return err
	}
	if tid := strings.TrimSpace(r.PostFormValue("template_id")); tid != "" {
		if in.TemplateID, err = strconv.ParseInt(tid, 10, 64); err != nil || in.TemplateID < 0 {
			err = problem.Field("template_id", "is not a template of your organisation")
		}
	}
	if err == nil {
		q, err = m.SendQuestionnaire(r.Context(), x.ID, in)
	}
	if err != nil {
		return m.refused(w, r, x, err, func(d *supplierData) { d.Open, d.SendIn = "questionnaires", in })
	}
	return web.Redirect(w, r, fmt.Sprintf("/suppliers/%d/questionnaires/%d", x.ID, q.ID), m.t(r, "suppliers.q_sent", x.Name))
}

// supplierQuestionnaire reads the supplier and its questionnaire qid from the URL; a
// questionnaire of another supplier is not found.
func (m *Module) supplierQuestionnaire(r *http.Request) (Supplier, Questionnaire, error) {
	return supplierChild(m, r, "qid", m.Questionnaire, func(q Questionnaire) int64 { return q.SupplierID })
}

func (m *Module) renderQuestionnaire(w http.ResponseWriter, r *http.Request, v *web.View, x Supplier, q Questionnaire, dec ReviewDecision) error {
	fs, err := m.Findings(r.Context(), x.ID)
	if err != nil {
		return err
	}
	d := &questionnaireData{S: x, Q: q, Rows: rowsOf(q), Decision: dec, Overdue: q.Overdue(m.Now())}
	for _, f := range fs {
		if f.QuestionnaireID == q.ID {
			d.Findings = append(d.Findings, f)
		}
	}
	v.Title, v.TitleArgs, v.Data = "suppliers.q_title", []any{x.Name}, d
	return m.pages.Render(w, r, "page_questionnaire.html", v)
}

func (m *Module) questionnairePage(w http.ResponseWriter, r *http.Request) error {
	x, q, err := m.supplierQuestionnaire(r)
	if err != nil {
		return err
	}
	return m.renderQuestionnaire(w, r, m.d.Web.NewView(r, "suppliers.q_title", "/suppliers"), x, q, ReviewDecision{Decision: "accept"})
}

func (m *Module) decidePage(w http.ResponseWriter, r *http.Request) error {
	x, q, err := m.supplierQuestionnaire(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := ReviewDecision{Decision: f("decision"), Notes: f("notes"), FollowUp: f("follow_up_by")}
	if _, _, err := m.DecideQuestionnaire(r.Context(), q.ID, in); err != nil {
		v := m.d.Web.NewView(r, "suppliers.q_title", "/suppliers")
		v.Form = r.PostForm
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		v.Status = http.StatusBadRequest
		return m.renderQuestionnaire(w, r, v, x, q, in)
	}
	return web.Redirect(w, r, fmt.Sprintf("/suppliers/%d/questionnaires/%d", x.ID, q.ID), m.t(r, "suppliers.saved"))
}

func (m *Module) closeFindingPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	fid, err := web.IDParam(r, "fid")
	if err != nil {
		return err
	}
	x, err := m.Supplier(r.Context(), id)
	if err != nil {
		return err
	}
	f, err := m.Finding(r.Context(), fid)
	if err == nil && f.SupplierID != id {
		err = store.ErrNotFound
	}
	if err != nil {
		return err
	}
	if _, err := m.CloseFinding(r.Context(), fid, r.PostFormValue("note")); err != nil {
		return m.refused(w, r, x, err, func(d *supplierData) { d.Open, d.CloseOf = "findings", fid })
	}
	return web.Redirect(w, r, fmt.Sprintf("/suppliers/%d#findings", id), m.t(r, "suppliers.saved"))
}

// inboxData is the supplier's list of questionnaires received.
type inboxData struct {
	Received []Received
}

func (m *Module) inboxPage(w http.ResponseWriter, r *http.Request) error {
	in, err := m.Inbox(r.Context())
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "nav.questionnaires", "/questionnaires")
	v.Data = &inboxData{Received: in}
	return m.pages.Render(w, r, "page_inbox.html", v)
}

// answerData is the supplier's page of one questionnaire, with the answer form while it
// waits for answers.
type answerData struct {
	R       Received
	Rows    []questionRow
	CanEdit bool
	Overdue bool
	Choices []string // the answers the form offers
}

func (m *Module) renderAnswer(w http.ResponseWriter, r *http.Request, v *web.View, rec Received) error {
	v.Title, v.TitleArgs = "suppliers.q_from", []any{v.L(rec.OperatorZH, rec.OperatorEN)}
	v.Data = &answerData{R: rec, Rows: rowsOf(rec.Q), CanEdit: rec.Q.State == QSent || rec.Q.State == QReturned, Overdue: rec.Q.Overdue(m.Now()),
		Choices: []string{AnswerYes, AnswerNo, AnswerNA}}
	return m.pages.Render(w, r, "page_answer.html", v)
}

func (m *Module) answerPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	rec, err := m.ReceivedOne(r.Context(), id)
	if err != nil {
		return err
	}
	return m.renderAnswer(w, r, m.d.Web.NewView(r, "suppliers.q_from", "/questionnaires"), rec)
}

// answersFromForm reads the answer form: answer.KEY, note.KEY, evidence.KEY and, for a
// number or a day, the box na.KEY for each question.
func answersFromForm(r *http.Request, qs []Question) []Answer {
	out := make([]Answer, 0, len(qs))
	for _, q := range qs {
		f := r.PostFormValue
		a := Answer{Key: q.Key, Answer: f("answer." + q.Key), Note: f("note." + q.Key), Evidence: f("evidence." + q.Key)}
		// A number or a day has no "not applicable" of its own: a box beside it says so.
		if f("na."+q.Key) != "" {
			a.Answer = AnswerNA
		}
		out = append(out, a)
	}
	return out
}

func (m *Module) submitAnswersPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	rec, err := m.ReceivedOne(r.Context(), id)
	if err != nil {
		return err
	}
	as := answersFromForm(r, rec.Q.Questions)
	if _, err := m.AnswerQuestionnaire(r.Context(), id, as); err != nil {
		v := m.d.Web.NewView(r, "suppliers.q_from", "/questionnaires")
		v.Form = r.PostForm
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		v.Status = http.StatusBadRequest
		rec.Q.Answers = as // refill the form with what was typed
		return m.renderAnswer(w, r, v, rec)
	}
	return web.Redirect(w, r, fmt.Sprintf("/questionnaires/%d", id), m.t(r, "suppliers.q_answered"))
}

// followUpPage opens a follow-up task on one of the supplier's findings from its page; a
// refusal comes back to the page with the fields named under the finding.
func (m *Module) followUpPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	fid, err := web.IDParam(r, "fid")
	if err != nil {
		return err
	}
	x, err := m.Supplier(r.Context(), id)
	if err != nil {
		return err
	}
	f, err := m.Finding(r.Context(), fid)
	if err == nil && f.SupplierID != id {
		err = store.ErrNotFound
	}
	if err != nil {
		return err
	}
	in := FollowUpInput{Title: r.PostFormValue("title"), Due: r.PostFormValue("due")}
	if o := strings.TrimSpace(r.PostFormValue("owner_id")); o != "" {
		if in.OwnerID, err = strconv.ParseInt(o, 10, 64); err != nil {
			err = problem.Field("owner_id", "must be a user of your organisation")
		}
	}
	if err == nil {
		_, err = m.FollowUp(r.Context(), fid, in)
	}
	if err != nil {
		return m.refused(w, r, x, err, func(d *supplierData) { d.Open, d.TaskOf = "findings", fid })
	}
	return web.Redirect(w, r, fmt.Sprintf("/suppliers/%d#findings", id), m.t(r, "suppliers.task_opened"))
}
