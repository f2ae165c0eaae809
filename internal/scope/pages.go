package scope

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/web"
)

// listData is what the systems list shows.
type listData struct {
	Page     SystemPage
	Filter   Filter
	Query    url.Values
	Sectors  []string
	Statuses []string
	Levels   []int
	CanWrite bool
	Prev     string
	Next     string
}

// filterFrom reads list filters from a query string.
func filterFrom(q url.Values) (Filter, error) {
	f := Filter{Q: q.Get("q"), CII: q.Get("cii_status"), Sector: q.Get("sector"), MLPS: AnyLevel}
	v := &problem.Invalid{}
	if s := q.Get("mlps_level"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			v.Add("mlps_level", "must be a level from 0 to 5, not %q", s)
		} else {
			f.MLPS = n
		}
	}
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			v.Add("page", "must be a page number from 1, not %q", s)
		}
		f.Page = n
	}
	if s := q.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			v.Add("per_page", "must be a positive number, not %q", s)
		}
		f.PerPage = n
	}
	if err := v.Err(); err != nil {
		return f, err
	}
	return f, f.Validate()
}

func (m *Module) systemsPage(w http.ResponseWriter, r *http.Request) error {
	v := m.d.Web.NewView(r, "nav.scope_systems", "/scope/systems")
	q := r.URL.Query()
	f, err := filterFrom(q)
	code := http.StatusOK
	if err != nil {
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		code = http.StatusBadRequest
		f = Filter{MLPS: AnyLevel}
		_ = f.Validate()
	}
	page, err := m.svc.Systems(r.Context(), f)
	if err != nil {
		return err
	}
	d := listData{Page: page, Filter: f, Query: q, Sectors: Sectors, Statuses: CIIStatuses, Levels: []int{0, 1, 2, 3, 4, 5}, CanWrite: web.Can(r, Write)}
	link := func(p int) string {
		qq := url.Values{}
		for k, vs := range q {
			qq[k] = vs
		}
		qq.Set("page", strconv.Itoa(p))
		return "/scope/systems?" + qq.Encode()
	}
	if page.Page > 1 {
		d.Prev = link(page.Page - 1)
	}
	if page.Page < page.Pages {
		d.Next = link(page.Page + 1)
	}
	v.Data = d
	v.Status = code
	return m.pages.Render(w, r, "systems.html", v)
}

// detailData is what a system's page shows.
type detailData struct {
	System   System
	CanWrite bool
	Due      Date
	Today    Date
	Overdue  bool
	// MLPS and CII are the changes to the grading and to the CII status, newest first.
	MLPS, CII []HistoryEntry
	// Sections are other capabilities' parts of the page: findings, attestations, tasks.
	Sections []template.HTML
	// Maintenance is the system's maintenance from abroad as the rules read it: derived from
	// the supply-chain register (Register, nil without the suppliers capability) and the
	// declaration typed by hand.
	Maintenance rules.System
	Register    *kernel.SystemMaintenance
}

func (m *Module) systemPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	sys, err := m.svc.System(r.Context(), id)
	if err != nil {
		return err
	}
	return m.renderDetail(w, r, sys, m.d.Web.NewView(r, "nav.scope_systems", "/scope/systems"), http.StatusOK)
}

func (m *Module) renderDetail(w http.ResponseWriter, r *http.Request, sys System, v *web.View, code int) error {
	today := m.svc.today()
	due := sys.ReidentificationDue()
	d := detailData{System: sys, CanWrite: web.Can(r, Write), Due: due, Today: today, Overdue: due != "" && due < today}
	hist, err := m.svc.History(r.Context(), sys.ID)
	if err != nil {
		return err
	}
	for _, e := range hist {
		if e.Kind == HistoryMLPS {
			d.MLPS = append(d.MLPS, e)
		} else {
			d.CII = append(d.CII, e)
		}
	}
	if d.Sections, err = kernel.RenderSections(r, m.sections, strconv.FormatInt(sys.ID, 10)); err != nil {
		return err
	}
	reg, err := m.svc.registerMaintenance(r.Context())
	if err != nil {
		return err
	}
	d.Maintenance = sys.Fact()
	if m.svc.maintenance != nil {
		own := reg[sys.ID]
		d.Register = &own
	}
	deriveMaintenance(&d.Maintenance, reg[sys.ID])
	v.Title = "scope.system_title"
	v.TitleArgs = []any{sys.Name}
	v.Data = d
	v.Status = code
	return m.pages.Render(w, r, "system.html", v)
}

// formData is what the system form shows.
type formData struct {
	ID       int64
	In       SystemInput
	Sectors  []string
	Statuses []string
	Levels   []int
}

func (m *Module) renderForm(w http.ResponseWriter, r *http.Request, v *web.View, id int64, in SystemInput, code int) error {
	v.Data = formData{ID: id, In: in, Sectors: Sectors, Statuses: CIIStatuses, Levels: []int{0, 1, 2, 3, 4, 5}}
	v.Status = code
	return m.pages.Render(w, r, "system_form.html", v)
}

func (m *Module) systemNewPage(w http.ResponseWriter, r *http.Request) error {
	in := SystemInput{CIIStatus: CIINone}
	if p, err := m.svc.Profile(r.Context()); err == nil && len(p.Sectors) > 0 {
		in.Sector = p.Sectors[0]
	}
	return m.renderForm(w, r, m.d.Web.NewView(r, "scope.new_system", "/scope/systems"), 0, in, http.StatusOK)
}

// systemFromForm reads a posted system form; malformed numbers are reported with the
// validation errors of the rest.
func systemFromForm(r *http.Request) (SystemInput, *problem.Invalid) {
	f := r.PostFormValue
	on := func(k string) bool { return f(k) == "on" || f(k) == "true" }
	in := SystemInput{
		Name: f("name"), NameEN: f("name_en"), Owner: f("owner"), ResponsiblePerson: f("responsible_person"), Sector: f("sector"),
		Purpose: f("purpose"), Location: f("location"), DataHeld: f("data_held"), GradedOn: Date(f("graded_on")), GoLive: Date(f("go_live")),
		FilingNumber: f("filing_number"), FiledOn: Date(f("filed_on")), LastMLPSTest: Date(f("last_mlps_test")),
		LastSelfInspection: Date(f("last_self_inspection")), CIIStatus: f("cii_status"), IdentifiedOn: Date(f("identified_on")),
		IdentificationDoc: f("identification_doc"), DeidentifiedOn: Date(f("deidentified_on")), DeidentificationDoc: f("deidentification_doc"),
		MajorChangeOn: Date(f("major_change_on")), HoldsPersonalInfo: on("holds_personal_info"), HoldsImportantData: on("holds_important_data"),
		DataStoredAbroad: on("data_stored_abroad"), MaintenanceAbroad: on("maintenance_abroad"), MaintenanceAbroadReported: on("maintenance_abroad_reported"),
	}
	bad := &problem.Invalid{}
	if s := strings.TrimSpace(f("mlps_level")); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			bad.Add("mlps_level", "must be a whole number from 0 to 5, not %q", s)
		}
		in.MLPSLevel = n
	}
	return in, bad
}

// input is a form's input, which the service normalises and validates before storing it.
type input interface {
	Normalize()
	Validate(today Date) error
}

// parseAndValidationErrors reports a form whose fields did not all parse: the parse errors
// together with what validation says of the other fields, so every bad field shows at once.
func (m *Module) parseAndValidationErrors(bad *problem.Invalid, in input) error {
	in.Normalize()
	return withParseErrors(bad, in.Validate(m.svc.today()))
}

// withParseErrors merges form parse errors into a service error.
func withParseErrors(bad *problem.Invalid, err error) error {
	if len(bad.Fields) == 0 {
		return err
	}
	if inv, ok := problem.As[*problem.Invalid](err); ok {
		seen := map[string]bool{}
		for _, f := range bad.Fields {
			seen[f.Field] = true
		}
		for _, f := range inv.Fields {
			// The parse error explains a field better than what validation made of the
			// zero value that stood in for it.
			if !seen[f.Field] {
				bad.Fields = append(bad.Fields, f)
			}
		}
	}
	return bad
}

func (m *Module) systemCreate(w http.ResponseWriter, r *http.Request) error {
	in, bad := systemFromForm(r)
	var sys System
	err := bad.Err()
	if err == nil {
		sys, err = m.svc.CreateSystem(r.Context(), in)
	} else {
		err = m.parseAndValidationErrors(bad, &in)
	}
	if err != nil {
		v := m.d.Web.NewView(r, "scope.new_system", "/scope/systems")
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		return m.renderForm(w, r, v, 0, in, http.StatusBadRequest)
	}
	return web.Redirect(w, r, fmt.Sprintf("/scope/systems/%d", sys.ID), m.t(r, "scope.created"))
}

func (m *Module) t(r *http.Request, key string, args ...any) string {
	return m.d.Web.Messages.T(web.RequestLang(r), key, args...)
}

func (m *Module) systemEditPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	sys, err := m.svc.System(r.Context(), id)
	if err != nil {
		return err
	}
	return m.renderForm(w, r, m.d.Web.NewView(r, "scope.edit_system", "/scope/systems"), id, sys.SystemInput, http.StatusOK)
}

func (m *Module) systemUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	in, bad := systemFromForm(r)
	_, err = m.svc.UpdateSystem(r.Context(), id, func(cur *SystemInput) error {
		if err := bad.Err(); err != nil {
			return m.parseAndValidationErrors(bad, &in)
		}
		*cur = in
		return nil
	})
	if err != nil {
		if p := unexpected(err); p != nil {
			return p
		}
		v := m.d.Web.NewView(r, "scope.edit_system", "/scope/systems")
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		return m.renderForm(w, r, v, id, in, http.StatusBadRequest)
	}
	return web.Redirect(w, r, fmt.Sprintf("/scope/systems/%d", id), m.t(r, "scope.saved"))
}

// unexpected returns err when it is not a problem a form can show next to a field (a
// missing record, a server error), and nil when it is.
func unexpected(err error) error {
	if _, ok := problem.As[*problem.Invalid](err); ok {
		return nil
	}
	if _, ok := problem.As[*problem.Conflict](err); ok {
		return nil
	}
	return err
}

func (m *Module) systemDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.svc.System(r.Context(), id); err != nil {
		return err // another organisation's system is not found, confirmed or not
	}
	if err := web.Confirmed(r); err != nil {
		return err
	}
	if err := m.svc.DeleteSystem(r.Context(), id); err != nil {
		return err
	}
	return web.Redirect(w, r, "/scope/systems", m.t(r, "scope.deleted"))
}

// assessData is what the questionnaire shows.
type assessData struct {
	System   System
	A        Answers
	Sectors  []string
	Scopes   []string
	Outages  []string
	UsersMin int64
	PIMin    int64
}

func (m *Module) renderAssess(w http.ResponseWriter, r *http.Request, v *web.View, sys System, a Answers, code int) error {
	v.Data = assessData{System: sys, A: a, Sectors: Sectors, Scopes: RegionalScopes, Outages: TolerableOutages, UsersMin: UsersThreshold, PIMin: PISubjectsThreshold}
	v.Status = code
	return m.pages.Render(w, r, "assess.html", v)
}

func (m *Module) assessPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	sys, err := m.svc.System(r.Context(), id)
	if err != nil {
		return err
	}
	a := Answers{Sector: sys.Sector}
	if sys.Assessment != nil {
		a = sys.Assessment.Answers
	}
	return m.renderAssess(w, r, m.d.Web.NewView(r, "scope.assess_title", "/scope/systems"), sys, a, http.StatusOK)
}

func answersFromForm(r *http.Request) (Answers, *problem.Invalid) {
	f := r.PostFormValue
	on := func(k string) bool { return f(k) == "on" || f(k) == "true" }
	a := Answers{Sector: strings.TrimSpace(f("sector")), CoreFunction: on("core_function"), RegionalScope: f("regional_scope"),
		OtherCIIDepend: on("other_cii_depend"), ImportantData: on("important_data"), TolerableOutage: f("tolerable_outage"),
		NationalSecurity: on("national_security"), EconomyLivelihood: on("economy_livelihood"), PublicInterest: on("public_interest"), Notes: f("notes")}
	bad := &problem.Invalid{}
	for _, n := range []struct {
		field string
		dst   *int64
	}{{"users_served", &a.UsersServed}, {"pi_subjects", &a.PISubjects}} {
		s := strings.TrimSpace(strings.ReplaceAll(f(n.field), ",", ""))
		if s == "" {
			continue
		}
		x, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			bad.Add(n.field, "must be a whole number, not %q", s)
		}
		*n.dst = x
	}
	return a, bad
}

func (m *Module) assessSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	a, bad := answersFromForm(r)
	var sys System
	if err = bad.Err(); err == nil {
		sys, err = m.svc.Assess(r.Context(), id, a)
	}
	if err != nil {
		if p := unexpected(err); p != nil {
			return p
		}
		cur, gerr := m.svc.System(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		v := m.d.Web.NewView(r, "scope.assess_title", "/scope/systems")
		_ = web.FieldErrors(err, v)
		return m.renderAssess(w, r, v, cur, a, http.StatusBadRequest)
	}
	key := assessedMessage(sys)
	msg := m.t(r, key)
	if key == "scope.assessed_identified" {
		msg = m.t(r, key, string(sys.IdentifiedOn))
	}
	return web.Redirect(w, r, fmt.Sprintf("/scope/systems/%d", id), msg)
}

// assessedMessage is the message key after a self-assessment. A system the protection-work
// department has identified stays identified whatever the answers (CIIR 2021 Art. 10: the
// department identifies and notifies); a candidate is told who decides, not to report itself.
func assessedMessage(sys System) string {
	switch {
	case sys.CIIStatus == CIIIdentified:
		return "scope.assessed_identified"
	case sys.Assessment != nil && sys.Assessment.Candidate:
		return "scope.assessed_candidate"
	}
	return "scope.assessed_none"
}

// workflow handles the three notice forms on a system's page.
func (m *Module) workflow(w http.ResponseWriter, r *http.Request, flash string, do func(id int64, n Notice) (System, error)) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	n := Notice{On: Date(r.PostFormValue("on")), Doc: r.PostFormValue("doc")}
	if _, err := do(id, n); err != nil {
		if p := unexpected(err); p != nil {
			return p
		}
		sys, gerr := m.svc.System(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		v := m.d.Web.NewView(r, "nav.scope_systems", "/scope/systems")
		v.Form = r.PostForm
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		// The page has three notice forms with the same fields: each shows its own.
		form, keyed := r.PostFormValue("_form"), map[string]string{}
		for k, e := range v.Errors {
			keyed[form+"."+k] = e
		}
		v.Errors = keyed
		return m.renderDetail(w, r, sys, v, http.StatusBadRequest)
	}
	return web.Redirect(w, r, fmt.Sprintf("/scope/systems/%d", id), m.t(r, flash))
}

func (m *Module) identifySubmit(w http.ResponseWriter, r *http.Request) error {
	return m.workflow(w, r, "scope.identified_flash", func(id int64, n Notice) (System, error) { return m.svc.Identify(r.Context(), id, n) })
}

func (m *Module) majorChangeSubmit(w http.ResponseWriter, r *http.Request) error {
	return m.workflow(w, r, "scope.major_change_flash", func(id int64, n Notice) (System, error) {
		return m.svc.ReportMajorChange(r.Context(), id, n.On)
	})
}

func (m *Module) deidentifySubmit(w http.ResponseWriter, r *http.Request) error {
	return m.workflow(w, r, "scope.deidentified_flash", func(id int64, n Notice) (System, error) { return m.svc.Deidentify(r.Context(), id, n) })
}

func (m *Module) exportCSV(w http.ResponseWriter, r *http.Request) error {
	all, err := m.svc.AllSystems(r.Context())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, all, web.RequestLang(r)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="systems.csv"`)
	_, err = w.Write(buf.Bytes())
	return err
}

// importData is what the import page shows.
type importData struct {
	Result   *ImportResult
	MaxBytes int
	Columns  []string
	// CSV is the file of a clean dry run, carried in the page so that "apply" does not
	// need the file chosen again.
	CSV string
}

func (m *Module) importPage(w http.ResponseWriter, r *http.Request) error {
	v := m.d.Web.NewView(r, "scope.import_title", "/scope/systems")
	v.Data = importData{MaxBytes: MaxImportBytes, Columns: CSVHeaderIn(web.RequestLang(r))}
	return m.pages.Render(w, r, "import.html", v)
}

func (m *Module) importSubmit(w http.ResponseWriter, r *http.Request) error {
	v := m.d.Web.NewView(r, "scope.import_title", "/scope/systems")
	v.Data = importData{MaxBytes: MaxImportBytes, Columns: CSVHeaderIn(web.RequestLang(r))}
	var src io.Reader
	file, _, err := r.FormFile("file")
	switch {
	case err == nil:
		defer file.Close()
		src = file
	case r.PostFormValue("csv") != "":
		src = strings.NewReader(r.PostFormValue("csv")) // the apply button after a dry run
	default:
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		v.Errors["file"] = m.t(r, "scope.import_no_file")
		v.Status = http.StatusBadRequest
		return m.pages.Render(w, r, "import.html", v)
	}
	var buf bytes.Buffer
	dry := r.PostFormValue("dry_run") == "on"
	if dry {
		src = io.TeeReader(src, &buf)
	}
	res, err := m.svc.Import(r.Context(), src, dry)
	if err != nil {
		return err
	}
	lang := web.RequestLang(r)
	d := importData{Result: &res, MaxBytes: MaxImportBytes, Columns: CSVHeaderIn(lang)}
	res.Errors = LocalRowErrors(res.Errors, lang, m.d.Web.Messages.Reasons(lang))
	if dry && len(res.Errors) == 0 && len(res.Created)+len(res.Updated) > 0 {
		d.CSV = buf.String()
	}
	v.Data = d
	if len(res.Errors) > 0 {
		v.Status = http.StatusBadRequest
	}
	return m.pages.Render(w, r, "import.html", v)
}

// profileData is what the profile pages show.
type profileData struct {
	Profile  Profile
	Sectors  []string
	CanWrite bool
	Flags    []profileFlag
	Numbers  []profileNumber
	// Sections are other capabilities' parts of the profile page.
	Sections []template.HTML
}

type profileFlag struct {
	Name string
	On   bool
}

type profileNumber struct {
	Name  string
	Value int64
}

// profileForm fills the lists the profile form iterates over.
func profileForm(p Profile) profileData {
	return profileData{Profile: p, Sectors: Sectors,
		Flags: []profileFlag{
			{"central_state_organ", p.CentralStateOrgan}, {"telecom_operator", p.TelecomOperator}, {"app_store", p.AppStore},
			{"has_important_data", p.HasImportantData},
			{"exports_important_data", p.ExportsImportantData}, {"has_core_data", p.HasCoreData},
			{"data_security_officer_named", p.DataSecurityOfficerNamed}, {"plans_listing_abroad", p.PlansListingAbroad},
		},
		Numbers: []profileNumber{
			{"pi_subjects", p.PISubjects}, {"sensitive_pi_subjects", p.SensitivePISubjects},
			{"export_pi_subjects", p.ExportPISubjects}, {"export_sensitive_pi_subjects", p.ExportSensitivePISubjects},
		}}
}

func (m *Module) profilePage(w http.ResponseWriter, r *http.Request) error {
	p, err := m.svc.Profile(r.Context())
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "nav.scope_profile", "/scope/profile")
	d := profileData{Profile: p, Sectors: Sectors, CanWrite: web.Can(r, ProfileWrite)}
	if d.Sections, err = kernel.RenderSections(r, m.profileSections, ""); err != nil {
		return err
	}
	v.Data = d
	return m.pages.Render(w, r, "profile.html", v)
}

func (m *Module) profileEditPage(w http.ResponseWriter, r *http.Request) error {
	p, err := m.svc.Profile(r.Context())
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "scope.profile_edit", "/scope/profile")
	v.Data = profileForm(p)
	return m.pages.Render(w, r, "profile_form.html", v)
}

func (m *Module) profileSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	f := r.PostFormValue
	on := func(k string) bool { return f(k) == "on" || f(k) == "true" }
	in := ProfileInput{USCC: f("uscc"), Sectors: r.PostForm["sectors"], Region: f("region"), Regulators: strings.Split(f("regulators"), "\n"),
		CentralStateOrgan: on("central_state_organ"), TelecomOperator: on("telecom_operator"), AppStore: on("app_store"),
		ExportsImportantData: on("exports_important_data"),
		HasImportantData:     on("has_important_data"), HasCoreData: on("has_core_data"), DataSecurityOfficerNamed: on("data_security_officer_named"),
		PlansListingAbroad: on("plans_listing_abroad"), LastRiskAssessment: Date(f("last_risk_assessment")), LastPISelfInspection: Date(f("last_pi_self_inspection"))}
	bad := &problem.Invalid{}
	for _, n := range []struct {
		field string
		dst   *int64
	}{{"pi_subjects", &in.PISubjects}, {"sensitive_pi_subjects", &in.SensitivePISubjects}, {"export_pi_subjects", &in.ExportPISubjects}, {"export_sensitive_pi_subjects", &in.ExportSensitivePISubjects}} {
		s := strings.TrimSpace(strings.ReplaceAll(f(n.field), ",", ""))
		if s == "" {
			continue
		}
		x, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			bad.Add(n.field, "must be a whole number, not %q", s)
		}
		*n.dst = x
	}
	var err error
	if bad.Err() == nil {
		_, err = m.svc.SaveProfile(r.Context(), in)
	} else {
		err = m.parseAndValidationErrors(bad, &in)
	}
	if err != nil {
		v := m.d.Web.NewView(r, "scope.profile_edit", "/scope/profile")
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		cur, gerr := m.svc.Profile(r.Context())
		if gerr != nil {
			return gerr
		}
		cur.ProfileInput = in
		v.Data = profileForm(cur)
		v.Status = http.StatusBadRequest
		return m.pages.Render(w, r, "profile_form.html", v)
	}
	return web.Redirect(w, r, "/scope/profile", m.t(r, "scope.profile_saved"))
}

// widgetView renders the dashboard panel in the request's language.
type widgetView struct {
	lang string
	cat  *web.Catalog
	S    Summary
}

// T translates a message key.
func (v widgetView) T(key string, args ...any) string { return v.cat.T(v.lang, key, args...) }

// Name returns a system's name in the view's language: the English name on an English
// page when there is one.
func (v widgetView) Name(s System) string {
	if v.lang == web.LangEN && s.NameEN != "" {
		return s.NameEN
	}
	return s.Name
}

var widgetTmpl = template.Must(template.New("widget").ParseFS(files, "templates/widget.tmpl"))

func (m *Module) widget(r *http.Request) (template.HTML, error) {
	sum, err := m.svc.Summarize(r.Context())
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := widgetTmpl.ExecuteTemplate(&buf, "widget", widgetView{lang: web.RequestLang(r), cat: m.d.Web.Messages, S: sum}); err != nil {
		return "", fmt.Errorf("render scope widget: %w", err)
	}
	return template.HTML(buf.String()), nil
}
