package oversight

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"ciiguard/internal/catalog"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

func (m *Module) apiCase(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	c, err := m.Case(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

func (m *Module) apiDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in CaseDecision
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := m.Decide(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

// tierView is one tier of a penalty clause with its ranges written for the page.
type tierView struct {
	When    string
	Fine    string
	Persons string
}

// clauseView is a penalty clause the case form offers, with its citation and tiers.
type clauseView struct {
	ID         string
	Cite       catalog.Text
	MultipleOf string
	Tiers      []tierView
}

// rangeText writes a fine range, "—" for none, times the base amount for a multiple.
func rangeText(lang string, r catalog.Range, multiple string) string {
	if r.Min == 0 && r.Max == 0 {
		return "—"
	}
	if multiple != "" {
		return strconv.FormatInt(r.Min, 10) + "–" + strconv.FormatInt(r.Max, 10) + " ×"
	}
	return web.FormatRMB(lang, r.Min) + "–" + web.FormatRMB(lang, r.Max)
}

// clauses lists the catalog's penalty clauses in force that its duties cite, by id.
func clauses(lang string) ([]clauseView, error) {
	cat, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, o := range cat.Find(catalog.Filter{}) {
		if o.Penalty != "" && !slices.Contains(ids, o.Penalty) {
			ids = append(ids, o.Penalty)
		}
	}
	slices.Sort(ids)
	var out []clauseView
	for _, id := range ids {
		p, ok := cat.Penalty(id)
		if !ok || p.Draft {
			continue
		}
		cv := clauseView{ID: p.ID, Cite: cat.CitePenalty(p), MultipleOf: p.MultipleOf}
		for _, t := range p.AllTiers() {
			tv := tierView{When: t.When, Fine: rangeText(lang, t.Fine, p.MultipleOf), Persons: "—"}
			if t.Persons != nil {
				tv.Persons = rangeText(lang, *t.Persons, "")
			}
			cv.Tiers = append(cv.Tiers, tv)
		}
		out = append(out, cv)
	}
	return out, nil
}

// caseView is a case with its operator's names and amounts written for the page.
type caseView struct {
	Case
	OperatorZH, OperatorEN string
	Cite                   catalog.Text
	AmountText, RangeText  string
}

// casesData is the cases page.
type casesData struct {
	Cases     []caseView
	Clauses   []clauseView
	Operators []kernel.RegulatorRef // those that filed with the regulator
	Tiers     []string
}

func (m *Module) caseView(r *http.Request, c Case) (caseView, error) {
	lang := web.RequestLang(r)
	cv := caseView{Case: c, AmountText: web.FormatRMB(lang, c.Amount), RangeText: web.FormatRMB(lang, c.RangeMin) + "–" + web.FormatRMB(lang, c.RangeMax)}
	o, err := m.auth.GetOrg(r.Context(), c.OperatorID)
	if err != nil {
		return cv, err
	}
	cv.OperatorZH, cv.OperatorEN = o.NameZH, o.NameEN
	if cat, err := loadCatalog(); err == nil {
		if p, ok := cat.Penalty(c.PenaltyID); ok {
			cv.Cite = cat.CitePenalty(p)
		}
	}
	return cv, nil
}

func (m *Module) renderCases(w http.ResponseWriter, r *http.Request, formErr error) error {
	cs, err := m.Cases(r.Context())
	if err != nil {
		return err
	}
	d := casesData{Tiers: catalog.TierWhenValues}
	for _, c := range cs {
		cv, err := m.caseView(r, c)
		if err != nil {
			return err
		}
		d.Cases = append(d.Cases, cv)
	}
	if d.Clauses, err = clauses(web.RequestLang(r)); err != nil {
		return err
	}
	items, err := m.Inbox(r.Context(), Filter{})
	if err != nil {
		return err
	}
	for _, it := range items {
		if !slices.ContainsFunc(d.Operators, func(o kernel.RegulatorRef) bool { return o.ID == it.OperatorID }) {
			d.Operators = append(d.Operators, kernel.RegulatorRef{ID: it.OperatorID, NameZH: it.OperatorZH, NameEN: it.OperatorEN})
		}
	}
	v := m.d.Web.NewView(r, "oversight.case.title", "/oversight/cases")
	if formErr != nil {
		if err := web.FieldErrors(formErr, v); err != nil {
			return err
		}
		v.Form, v.Status = r.PostForm, http.StatusBadRequest
	}
	v.Data = d
	return m.pages.Render(w, r, "page_cases.html", v)
}

func (m *Module) casesPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderCases(w, r, nil)
}

// int64Field reads a whole number of the form; empty is 0.
func int64Field(r *http.Request, name string, v *problem.Invalid) int64 {
	s := r.PostFormValue(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		v.Add(name, "must be a whole number")
	}
	return n
}

func (m *Module) openCasePage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	v := &problem.Invalid{}
	f := r.PostFormValue
	in := NewCase{OperatorID: int64Field(r, "operator_id", v), PenaltyID: f("penalty_id"), Subject: f("subject"), Tier: f("tier"),
		BaseAmount: int64Field(r, "base_amount", v), Amount: int64Field(r, "amount", v), OutsideBasis: f("outside_basis"), Decision: f("decision"),
		Published: checkbox(r, "published", v)}
	if err := v.Err(); err != nil {
		return m.renderCases(w, r, err)
	}
	c, err := m.OpenCase(r.Context(), in)
	if err != nil {
		if _, ok := problem.As[*problem.Invalid](err); ok {
			return m.renderCases(w, r, err)
		}
		return err
	}
	return web.Redirect(w, r, "/oversight/cases/"+strconv.FormatInt(c.ID, 10), m.d.Web.Messages.T(web.RequestLang(r), "oversight.case.opened"))
}

func (m *Module) renderCase(w http.ResponseWriter, r *http.Request, id int64, formErr error) error {
	c, err := m.Case(r.Context(), id)
	if err != nil {
		return err
	}
	cv, err := m.caseView(r, c)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "oversight.case.one", "/oversight/cases")
	v.TitleArgs = []any{id}
	if formErr != nil {
		if err := web.FieldErrors(formErr, v); err != nil {
			return err
		}
		v.Form, v.Status = r.PostForm, http.StatusBadRequest
	}
	v.Data = cv
	return m.pages.Render(w, r, "page_case.html", v)
}

func (m *Module) casePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	return m.renderCase(w, r, id, nil)
}

func (m *Module) decidePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	v := &problem.Invalid{}
	in := CaseDecision{Decision: r.PostFormValue("decision"), Published: checkbox(r, "published", v)}
	if err := v.Err(); err != nil {
		return m.renderCase(w, r, id, err)
	}
	if _, err := m.Decide(r.Context(), id, in); err != nil {
		if _, ok := problem.As[*problem.Invalid](err); ok {
			return m.renderCase(w, r, id, err)
		}
		return err
	}
	return web.Redirect(w, r, "/oversight/cases/"+strconv.FormatInt(id, 10), m.d.Web.Messages.T(web.RequestLang(r), "oversight.case.decided"))
}

// apiRecordAction answers a POST that changes one record with a JSON body: a case closed or
// withdrawn, an inspection closed early or extended. The service answers 404 for another
// department's record before it judges the body.
func apiRecordAction[In, Out any](m *Module, act func(*Service, context.Context, int64, In) (Out, error)) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.IDParam(r, "id")
		if err != nil {
			return err
		}
		var in In
		if err := web.DecodeJSON(r, &in); err != nil {
			return err
		}
		out, err := act(m.Service, r.Context(), id, in)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, out)
	}
}

// endCasePage answers the forms closing or withdrawing a case.
func (m *Module) endCasePage(end func(*Service, context.Context, int64, CaseEnd) (Case, error)) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.IDParam(r, "id")
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return problem.Field("body", "cannot be read as a form: %v", err)
		}
		if _, err := end(m.Service, r.Context(), id, CaseEnd{Reason: r.PostFormValue("reason"), Basis: r.PostFormValue("basis")}); err != nil {
			if _, ok := problem.As[*problem.Invalid](err); ok {
				return m.renderCase(w, r, id, err)
			}
			return err
		}
		return web.Redirect(w, r, "/oversight/cases/"+strconv.FormatInt(id, 10), m.d.Web.Messages.T(web.RequestLang(r), "oversight.case.ended"))
	}
}

// apiReceivedCases answers GET /api/v1/filings/cases: the operator's penalty cases.
func (m *Module) apiReceivedCases(w http.ResponseWriter, r *http.Request) error {
	cs, err := m.ReceivedCases(r.Context(), 0)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"cases": cs})
}
