package emergency

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/auth"
	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

func (m *Module) t(r *http.Request, key string, args ...any) string {
	return m.d.Web.Messages.T(web.RequestLang(r), key, args...)
}

// systemNames maps the inventory's system ids to their names, and lists the systems.
func (m *Module) systemNames(ctx context.Context) (map[int64]string, []sysRow, error) {
	_, systems, err := m.inv.Facts(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(systems))
	rows := make([]sysRow, 0, len(systems))
	for _, s := range systems {
		names[s.ID] = s.Name
		rows = append(rows, sysRow{ID: s.ID, Name: s.Name, CII: s.CIIStatus == "identified"})
	}
	return names, rows, nil
}

// sysRow is a system in a form's list.
type sysRow struct {
	ID   int64
	Name string
	CII  bool
}

// overviewData is the capability's page.
type overviewData struct {
	Overview
	Names    map[int64]string
	CanWrite bool
	Today    string
}

func (m *Module) overviewPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderOverview(w, r, m.d.Web.NewView(r, "nav.emergency", "/emergency"), nil)
}

func (m *Module) renderOverview(w http.ResponseWriter, r *http.Request, v *web.View, settings *Settings) error {
	o, err := m.Overview(r.Context())
	if err != nil {
		return err
	}
	if settings != nil {
		o.Settings = *settings
	}
	names, _, err := m.systemNames(r.Context())
	if err != nil {
		return err
	}
	v.Data = overviewData{Overview: o, Names: names, CanWrite: web.Can(r, Write), Today: today(m.Now())}
	return m.pages.Render(w, r, "page_overview.html", v)
}

// formInt reads a whole number field of a form: nil when empty, a field error when not a
// number.
func formInt(r *http.Request, bad *problem.Invalid, name string) *int64 {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		bad.Add(name, "must be a whole number, not %q", s)
		return nil
	}
	return &n
}

// formIDs reads the checked system boxes of a form.
func formIDs(r *http.Request, bad *problem.Invalid, name string) []int64 {
	var out []int64
	for _, s := range r.PostForm[name] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			bad.Add(name, "must be a whole number, not %q", s)
			continue
		}
		out = append(out, n)
	}
	return out
}

// formError shows a refused form again with its errors, or returns err when it is not a
// validation problem.
func (m *Module) formError(w http.ResponseWriter, r *http.Request, v *web.View, err error, render func(*web.View) error) error {
	v.Form = r.PostForm
	if err := web.FieldErrors(err, v); err != nil {
		return err
	}
	v.Status = http.StatusBadRequest
	return render(v)
}

func (m *Module) settingsPage(w http.ResponseWriter, r *http.Request) error {
	bad := &problem.Invalid{}
	in := Settings{}
	for name, dst := range map[string]*int64{"review_months": &in.ReviewMonths, "drill_cadence_days": &in.DrillCadenceDays, "backup_test_cadence_days": &in.BackupTestCadenceDays} {
		if p := formInt(r, bad, name); p != nil {
			*dst = *p
		}
	}
	var err error
	if len(bad.Fields) == 0 {
		_, err = m.SaveSettings(r.Context(), in)
	} else {
		err = bad
	}
	if err != nil {
		v := m.d.Web.NewView(r, "nav.emergency", "/emergency")
		return m.formError(w, r, v, err, func(v *web.View) error { return m.renderOverview(w, r, v, &in) })
	}
	return web.Redirect(w, r, "/emergency", m.t(r, "emergency.settings_saved"))
}

// formData is what a new record's form shows.
type formData struct {
	Systems []sysRow
	Chosen  map[int64]bool
	Plans   []Plan
	Users   []auth.User
	Today   string
	Rows    []int // follow-up rows
}

func (m *Module) renderForm(w http.ResponseWriter, r *http.Request, v *web.View, page string) error {
	_, systems, err := m.systemNames(r.Context())
	if err != nil {
		return err
	}
	chosen := map[int64]bool{}
	for _, s := range v.Form["systems"] {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			chosen[n] = true
		}
	}
	d := formData{Systems: systems, Chosen: chosen, Today: today(m.Now()), Rows: []int{0, 1, 2}}
	if page == "page_drill_new.html" {
		o, err := m.Overview(r.Context())
		if err != nil {
			return err
		}
		for _, p := range o.Plans {
			if !p.Retired() { // a drill exercises a plan in force
				d.Plans = append(d.Plans, p)
			}
		}
		if d.Users, err = m.users(r.Context()); err != nil {
			return err
		}
	}
	v.Data = d
	return m.pages.Render(w, r, page, v)
}

// users are the organisation's active users, for the follow-up owners.
func (m *Module) users(ctx context.Context) ([]auth.User, error) { return m.d.Auth.ActiveUsers(ctx) }

func (m *Module) newPlanPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderForm(w, r, m.d.Web.NewView(r, "emergency.new_plan", "/emergency"), "page_plan_new.html")
}

func (m *Module) createPlanPage(w http.ResponseWriter, r *http.Request) error {
	bad := &problem.Invalid{}
	f := r.PostFormValue
	in := PlanInput{Title: f("title"), Version: f("version"), Systems: formIDs(r, bad, "systems"), Contacts: f("contacts"),
		ApprovedBy: f("approved_by"), ApprovedOn: f("approved_on"), ReviewOn: f("review_on")}
	var p Plan
	var err error
	if len(bad.Fields) == 0 {
		p, err = m.CreatePlan(r.Context(), in)
	} else {
		err = bad
	}
	if err != nil {
		v := m.d.Web.NewView(r, "emergency.new_plan", "/emergency")
		return m.formError(w, r, v, err, func(v *web.View) error { return m.renderForm(w, r, v, "page_plan_new.html") })
	}
	return web.Redirect(w, r, fmt.Sprintf("/emergency/plans/%d", p.ID), m.t(r, "emergency.plan_saved"))
}

// planData is a plan's page.
type planData struct {
	Plan     Plan
	Drills   []Drill
	Names    map[int64]string
	CanWrite bool
	Today    string
}

func (m *Module) planPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderPlan(w, r, m.d.Web.NewView(r, "emergency.plan", "/emergency"))
}

func (m *Module) renderPlan(w http.ResponseWriter, r *http.Request, v *web.View) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	p, drills, err := m.Plan(r.Context(), id)
	if err != nil {
		return err
	}
	names, _, err := m.systemNames(r.Context())
	if err != nil {
		return err
	}
	// Titled with the plan's own title, so that tabs and history tell plans apart.
	v.Title, v.TitleArgs = "emergency.plan_title", []any{p.Title}
	v.Data = planData{Plan: p, Drills: drills, Names: names, CanWrite: web.Can(r, Write), Today: today(m.Now())}
	return m.pages.Render(w, r, "page_plan.html", v)
}

func (m *Module) revisePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	f := r.PostFormValue
	_, err = m.Revise(r.Context(), id, Revision{Version: f("version"), ApprovedBy: f("approved_by"), ApprovedOn: f("approved_on"), ReviewOn: f("review_on"), Contacts: f("contacts")})
	if err != nil {
		v := m.d.Web.NewView(r, "emergency.plan", "/emergency")
		return m.formError(w, r, v, err, func(v *web.View) error { return m.renderPlan(w, r, v) })
	}
	return web.Redirect(w, r, fmt.Sprintf("/emergency/plans/%d", id), m.t(r, "emergency.plan_revised"))
}

func (m *Module) retirePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err = m.RetirePlan(r.Context(), id, Retirement{RetiredOn: r.PostFormValue("retired_on"), Reason: r.PostFormValue("reason")}); err != nil {
		v := m.d.Web.NewView(r, "emergency.plan", "/emergency")
		return m.formError(w, r, v, err, func(v *web.View) error { return m.renderPlan(w, r, v) })
	}
	return web.Redirect(w, r, fmt.Sprintf("/emergency/plans/%d", id), m.t(r, "emergency.plan_retired"))
}

func (m *Module) newDrillPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderForm(w, r, m.d.Web.NewView(r, "emergency.new_drill", "/emergency"), "page_drill_new.html")
}

func (m *Module) createDrillPage(w http.ResponseWriter, r *http.Request) error {
	bad := &problem.Invalid{}
	f := r.PostFormValue
	in := DrillInput{HeldOn: f("held_on"), Scenario: f("scenario"), Systems: formIDs(r, bad, "systems"), Participants: f("participants"),
		Findings: f("findings"), RevisionNeeded: f("revision_needed") == "on"}
	if p := formInt(r, bad, "plan_id"); p != nil {
		in.PlanID = *p
	}
	for i := 0; i < 3; i++ {
		key := fmt.Sprintf("followups[%d].", i)
		title, owner, due := strings.TrimSpace(f(key+"title")), f(key+"owner_id"), f(key+"due")
		if title == "" && owner == "" && due == "" {
			continue // an unused row
		}
		fu := FollowUp{Title: title, Due: due}
		if p := formInt(r, bad, key+"owner_id"); p != nil {
			fu.OwnerID = *p
		}
		in.FollowUps = append(in.FollowUps, fu)
	}
	var d Drill
	var err error
	if len(bad.Fields) == 0 {
		d, err = m.CreateDrill(r.Context(), in)
	} else {
		err = bad
	}
	if err != nil {
		v := m.d.Web.NewView(r, "emergency.new_drill", "/emergency")
		return m.formError(w, r, v, err, func(v *web.View) error { return m.renderForm(w, r, v, "page_drill_new.html") })
	}
	return web.Redirect(w, r, fmt.Sprintf("/emergency/drills/%d", d.ID), m.t(r, "emergency.drill_saved", len(d.Tasks)))
}

// drillData is a drill's page.
type drillData struct {
	Drill Drill
	Plan  *Plan
	Names map[int64]string
}

func (m *Module) drillPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	d, err := m.Drill(r.Context(), id)
	if err != nil {
		return err
	}
	names, _, err := m.systemNames(r.Context())
	if err != nil {
		return err
	}
	data := drillData{Drill: d, Names: names}
	if d.PlanID != 0 {
		p, _, err := m.Plan(r.Context(), d.PlanID)
		if err != nil {
			return err
		}
		data.Plan = &p
	}
	// Titled with the scenario and the day, so that tabs and history tell drills apart.
	v := m.d.Web.NewView(r, "emergency.drill_title", "/emergency")
	v.TitleArgs = []any{d.Scenario, d.HeldOn}
	v.Data = data
	return m.pages.Render(w, r, "page_drill.html", v)
}

func (m *Module) newBackupPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderForm(w, r, m.d.Web.NewView(r, "emergency.new_backup", "/emergency"), "page_backup_new.html")
}

func (m *Module) createBackupPage(w http.ResponseWriter, r *http.Request) error {
	bad := &problem.Invalid{}
	f := r.PostFormValue
	in := BackupInput{Systems: formIDs(r, bad, "systems"), Location: f("location"), TestedOn: f("tested_on"), Notes: f("notes"),
		RPOTargetMin: formInt(r, bad, "rpo_target_min"), RTOTargetMin: formInt(r, bad, "rto_target_min"),
		RPOAchievedMin: formInt(r, bad, "rpo_achieved_min"), RTOAchievedMin: formInt(r, bad, "rto_achieved_min")}
	switch f("in_china") {
	case "yes":
		yes := true
		in.InChina = &yes
	case "no":
		no := false
		in.InChina = &no
	}
	var err error
	if len(bad.Fields) == 0 {
		_, err = m.CreateBackupTest(r.Context(), in)
	} else {
		err = bad
	}
	if err != nil {
		v := m.d.Web.NewView(r, "emergency.new_backup", "/emergency")
		return m.formError(w, r, v, err, func(v *web.View) error { return m.renderForm(w, r, v, "page_backup_new.html") })
	}
	return web.Redirect(w, r, "/emergency#backup-tests", m.t(r, "emergency.backup_saved"))
}
