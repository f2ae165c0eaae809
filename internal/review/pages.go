package review

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/web"
)

func (m *Module) t(r *http.Request, key string, args ...any) string {
	return m.d.Web.Messages.T(web.RequestLang(r), key, args...)
}

// clockView is a clock as the pages show it.
type clockView struct {
	Clock
	CaseID  int64
	Title   string
	DueText string // China date, "" while paused
	Left    int    // counted working days still to run
	Over    int    // working days past the last day, when overdue
}

func newClockView(c Case, clk Clock) clockView {
	cv := clockView{Clock: clk, CaseID: c.ID, Title: c.Title, Left: clk.Left(), Over: -clk.Left()}
	if !clk.Due.IsZero() {
		cv.DueText = clk.Due.Format(time.DateOnly)
	}
	return cv
}

// caseRow is a case in the list with its clock.
type caseRow struct {
	C     Case
	Clock *clockView
}

// procRow is a procurement in the list with its case's state.
type procRow struct {
	P     Procurement
	State State
	Gate  Decision
}

// listData is the review page.
type listData struct {
	Procurements []procRow
	Cases        []caseRow
	Next         string
	// ListingDue says the organisation's facts call for a listing-abroad review (plans to
	// list abroad, personal information of more than 1,000,000 people) and none is open.
	ListingDue bool
	PISubjects int64
	// Policy is the organisation's certificate gate, CertGates the form's choices.
	Policy    Policy
	CertGates []string
}

func (m *Module) listPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderList(w, r, m.d.Web.NewView(r, "nav.review", "/review"))
}

// renderList shows the purchases and cases in v, which carries a refused listing-review
// title when there is one.
func (m *Module) renderList(w http.ResponseWriter, r *http.Request, v *web.View) error {
	pg, err := web.ParsePage(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	ps, next, err := m.Procurements(ctx, pg)
	if err != nil {
		return err
	}
	cases, err := m.Cases(ctx)
	if err != nil {
		return err
	}
	org, _, err := m.inv.Facts(ctx)
	if err != nil {
		return fmt.Errorf("read the organisation's facts: %w", err)
	}
	d := listData{Next: next, PISubjects: org.PISubjects}
	byID := map[int64]Case{}
	listing := false
	for _, c := range cases {
		byID[c.ID] = c
		row := caseRow{C: c}
		clk, ok, err := ClockOf(m.Cal, c, m.Now())
		if err != nil {
			return err
		}
		if ok {
			cv := newClockView(c, clk)
			row.Clock = &cv
		}
		d.Cases = append(d.Cases, row)
		listing = listing || (c.Kind == KindListing && c.State != NotCleared)
	}
	d.ListingDue = ListingRequired(org) && !listing
	for _, p := range ps {
		g, st, err := m.decide(ctx, p)
		if err != nil {
			return err
		}
		d.Procurements = append(d.Procurements, procRow{P: p, State: st, Gate: g})
	}
	if d.Policy, err = m.Policy(ctx); err != nil {
		return err
	}
	d.CertGates = CertGates
	v.Data = d
	return m.pages.Render(w, r, "page_list.html", v)
}

// ListingRequired says the organisation must apply for the review before listing abroad:
// it plans to list abroad and holds personal information of more than 1,000,000 users
// (CSR 2022 Art. 7: "掌握超过100万用户个人信息的网络平台运营者赴国外上市，必须向网络安全审查
// 办公室申报网络安全审查").
func ListingRequired(org rules.Org) bool { return org.PlansListingAbroad && org.PISubjects > 1_000_000 }

// formData is what the procurement form shows.
type formData struct {
	In        ProcurementInput
	Systems   []rules.System
	Chosen    map[int64]bool
	Types     []string
	Questions []string
	Products  bool
}

func (m *Module) renderForm(w http.ResponseWriter, r *http.Request, v *web.View, in ProcurementInput, code int) error {
	_, systems, err := m.inv.Facts(r.Context())
	if err != nil {
		return err
	}
	chosen := map[int64]bool{}
	for _, id := range in.Systems {
		chosen[id] = true
	}
	v.Data = formData{In: in, Systems: systems, Chosen: chosen, Types: ProductTypes, Questions: Questions}
	v.Status = code
	return m.pages.Render(w, r, "page_new.html", v)
}

func (m *Module) newPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderForm(w, r, m.d.Web.NewView(r, "review.new", "/review"), ProcurementInput{ProductType: "critical_network_equipment", Country: "CN"}, http.StatusOK)
}

func inputFromForm(r *http.Request) (ProcurementInput, *problem.Invalid) {
	f := r.PostFormValue
	bad := &problem.Invalid{}
	in := ProcurementInput{Title: f("title"), Product: f("product"), ProductType: f("product_type"), Supplier: f("supplier"), Country: f("country")}
	if s := strings.TrimSpace(strings.ReplaceAll(f("amount_rmb"), ",", "")); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			bad.Add("amount_rmb", "must be a whole number of yuan")
		}
		in.AmountRMB = n
	}
	for i, s := range r.PostForm["systems"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			bad.Add("systems["+strconv.Itoa(i)+"]", "is not a system id")
			continue
		}
		in.Systems = append(in.Systems, id)
	}
	yes := func(q string) bool { return f("assessment."+q) == "yes" }
	in.Assessment = Assessment{Control: yes("control"), Continuity: yes("continuity"), SupplyRisk: yes("supply_risk"), Data: yes("data"), Compliance: yes("compliance"),
		Notes: f("assessment.notes")}
	return in, bad
}

func (m *Module) createPage(w http.ResponseWriter, r *http.Request) error {
	in, bad := inputFromForm(r)
	var p Procurement
	var err error
	if len(bad.Fields) == 0 {
		p, err = m.CreateProcurement(r.Context(), in)
	} else {
		// Nothing is written: validate the rest only, to show every bad field at once.
		_, err = m.prepare(r.Context(), in)
		if inv, ok := problem.As[*problem.Invalid](err); ok {
			// A field the form could not read (an amount that is not a number) keeps that
			// reason: what prepare says of the zero put in its place would hide it.
			read := map[string]bool{}
			for _, f := range bad.Fields {
				read[f.Field] = true
			}
			for _, f := range inv.Fields {
				if !read[f.Field] {
					bad.Fields = append(bad.Fields, f)
				}
			}
		} else if err != nil {
			return err
		}
		err = bad
	}
	if err != nil {
		v := m.d.Web.NewView(r, "review.new", "/review")
		v.Form = r.PostForm
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		v.FoldIndexed() // "systems[0]" shows on the systems' checkboxes
		return m.renderForm(w, r, v, in, http.StatusBadRequest)
	}
	key := "review.created"
	if p.Required {
		key = "review.created_required"
	}
	return web.Redirect(w, r, fmt.Sprintf("/review/procurements/%d", p.ID), m.t(r, key))
}

// procData is a procurement's page.
type procData struct {
	P         Procurement
	Case      *Case
	Gate      Decision
	Questions []string
	Refused   string // the gate's refusal, in the page's language
	Cert      CertDuty
	// Shared are the review outcomes suppliers shared for the product (information only).
	Shared []kernel.SharedReview
}

func (m *Module) renderProcurement(w http.ResponseWriter, r *http.Request, id int64, v *web.View) error {
	p, err := m.Procurement(r.Context(), id)
	if err != nil {
		return err
	}
	d := procData{P: p, Questions: Questions}
	if p.CaseID != 0 {
		c, err := m.Case(r.Context(), p.CaseID)
		if err != nil {
			return err
		}
		d.Case = &c
	}
	if d.Gate, _, err = m.decide(r.Context(), p); err != nil {
		return err
	}
	d.Refused = v.Errors["approval"]
	d.Cert = d.Gate.Cert
	if d.Shared, err = m.SharedReviewsOf(r.Context(), p); err != nil {
		return err
	}
	// Titled with what is bought, so that tabs and history tell purchases apart.
	v.Title, v.TitleArgs = "review.record_title", []any{p.Title}
	v.Data = d
	return m.pages.Render(w, r, "page_procurement.html", v)
}

func (m *Module) procurementPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	return m.renderProcurement(w, r, id, m.d.Web.NewView(r, "review.procurement", "/review"))
}

// approvePage approves a procurement; the gate's refusal is shown on the procurement's page
// (409) with the articles and the exposure.
func (m *Module) approvePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Approve(r.Context(), id); err != nil {
		if _, ok := problem.As[*problem.Conflict](err); !ok {
			return err
		}
		v := m.d.Web.NewView(r, "review.procurement", "/review")
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		v.Status = http.StatusConflict
		return m.renderProcurement(w, r, id, v)
	}
	return web.Redirect(w, r, fmt.Sprintf("/review/procurements/%d", id), m.t(r, "review.approved"))
}

// caseData is a case's page.
type caseData struct {
	C        Case
	Clock    *clockView
	Events   []Event
	Items    []string
	Missing  map[string]bool
	Next     []State
	Today    string
	Paused   bool
	Extend   bool
	PauseOK  bool
	SinceTxt string
}

func (m *Module) renderCase(w http.ResponseWriter, r *http.Request, id int64, v *web.View) error {
	c, err := m.Case(r.Context(), id)
	if err != nil {
		return err
	}
	events, err := m.Events(r.Context(), id)
	if err != nil {
		return err
	}
	d := caseData{C: c, Events: events, Items: MaterialItems(c.Kind), Missing: map[string]bool{}, Next: c.State.Next(),
		Today: m.today().Format(time.DateOnly), SinceTxt: c.Since.Format(time.DateOnly)}
	for _, it := range c.Materials.Missing(c.Kind) {
		d.Missing[it] = true
	}
	clk, ok, err := ClockOf(m.Cal, c, m.Now())
	if err != nil {
		return err
	}
	if ok {
		cv := newClockView(c, clk)
		d.Clock, d.Paused, d.PauseOK = &cv, clk.Paused, true
		d.Extend = (c.State == Initial && !c.Complex) || c.State == Special
	}
	// Titled with the case's own title, so that tabs and history tell cases apart.
	v.Title, v.TitleArgs = "review.record_title", []any{c.Title}
	v.Data = d
	return m.pages.Render(w, r, "page_case.html", v)
}

func (m *Module) casePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	return m.renderCase(w, r, id, m.d.Web.NewView(r, "review.case", "/review"))
}

// caseForm applies a change from form, one of a case page's forms, whose controls are
// named in controls; a refusal is shown on the case's page beside the control of the form
// that was sent (the forms share the names date and note), what was typed kept. A refusal
// the form has no control for (the materials a move lacks, a state that runs no clock) is
// shown on its first control, which the refused change is about.
func (m *Module) caseForm(w http.ResponseWriter, r *http.Request, form string, controls []string, fn func(id int64) error) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := fn(id); err != nil {
		v := m.d.Web.NewView(r, "review.case", "/review")
		if err := web.FieldErrorsIn(form, err, v, r.PostForm); err != nil {
			return err
		}
		first := form + "." + controls[0]
		for k, e := range v.Errors {
			if strings.HasPrefix(k, form+".") && !slices.Contains(controls, strings.TrimPrefix(k, form+".")) {
				delete(v.Errors, k)
				if v.Errors[first] != "" {
					e = v.Errors[first] + "; " + e
				}
				v.Errors[first] = e
			}
		}
		return m.renderCase(w, r, id, v)
	}
	return web.Redirect(w, r, fmt.Sprintf("/review/cases/%d", id), m.t(r, "review.saved"))
}

func (m *Module) materialsPage(w http.ResponseWriter, r *http.Request) error {
	return m.caseForm(w, r, "materials", []string{"materials"}, func(id int64) error {
		on := func(k string) bool { return r.PostFormValue(k) == "on" }
		_, err := m.SetMaterials(r.Context(), id, Materials{Declaration: on("declaration"), ImpactAnalysis: on("impact_analysis"), PurchaseDocs: on("purchase_docs"),
			ListingDocs: on("listing_docs"), OtherByRequest: on("other")})
		return err
	})
}

func (m *Module) movePage(w http.ResponseWriter, r *http.Request) error {
	return m.caseForm(w, r, "move", []string{"to", "date", "note"}, func(id int64) error {
		_, err := m.MoveCase(r.Context(), id, Move{To: State(r.PostFormValue("to")), Date: r.PostFormValue("date"), Note: r.PostFormValue("note")})
		return err
	})
}

func (m *Module) pausePage(w http.ResponseWriter, r *http.Request) error {
	return m.caseForm(w, r, "pause", []string{"date", "note"}, func(id int64) error {
		_, err := m.PauseCase(r.Context(), id, PauseInput{Date: r.PostFormValue("date"), Note: r.PostFormValue("note")})
		return err
	})
}

func (m *Module) resumePage(w http.ResponseWriter, r *http.Request) error {
	return m.caseForm(w, r, "resume", []string{"date"}, func(id int64) error {
		_, err := m.ResumeCase(r.Context(), id, PauseInput{Date: r.PostFormValue("date"), Note: r.PostFormValue("note")})
		return err
	})
}

func (m *Module) extendPage(w http.ResponseWriter, r *http.Request) error {
	return m.caseForm(w, r, "extend", []string{"date", "days"}, func(id int64) error {
		days := 0
		if s := strings.TrimSpace(r.PostFormValue("days")); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return problem.Field("days", "must be between 1 and %d working days", MaxExtension)
			}
			days = n
		}
		_, err := m.ExtendCase(r.Context(), id, ExtendInput{Days: days, Date: r.PostFormValue("date"), Note: r.PostFormValue("note")})
		return err
	})
}

func (m *Module) openListingPage(w http.ResponseWriter, r *http.Request) error {
	c, err := m.OpenListingCase(r.Context(), r.PostFormValue("title"))
	if inv, ok := problem.As[*problem.Invalid](err); ok && len(inv.Fields) > 0 && inv.Fields[0].Field == "title" {
		// The title is the form's one field: show the list again with it marked.
		v := m.d.Web.NewView(r, "nav.review", "/review")
		if err := web.FieldErrorsIn("", err, v, r.PostForm); err != nil {
			return err
		}
		return m.renderList(w, r, v)
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, fmt.Sprintf("/review/cases/%d", c.ID), m.t(r, "review.saved"))
}
