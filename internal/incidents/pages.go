package incidents

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

func (m *Module) t(r *http.Request, key string, args ...any) string {
	return m.d.Web.Messages.T(web.RequestLang(r), key, args...)
}

// listRow is an incident in the list with its first clock.
type listRow struct {
	In    Incident
	Clock *clockView
}

func (m *Module) listPage(w http.ResponseWriter, r *http.Request) error {
	pg, err := web.ParsePage(r)
	if err != nil {
		return err
	}
	list, next, err := m.List(r.Context(), pg)
	if err != nil {
		return err
	}
	lang, now := web.RequestLang(r), m.Now()
	rows := make([]listRow, 0, len(list))
	for i := range list {
		row := listRow{In: list[i]}
		reports, err := m.Reports(r.Context(), list[i].ID)
		if err != nil {
			return err
		}
		for _, c := range Clocks(&list[i], reports, now) {
			if c.Running() {
				cv := newClockView(lang, &list[i], c, now)
				row.Clock = &cv
				break
			}
		}
		rows = append(rows, row)
	}
	v := m.d.Web.NewView(r, "nav.incidents", "/incidents")
	v.Data = map[string]any{"Rows": rows, "Next": next}
	return m.pages.Render(w, r, "page_list.html", v)
}

// formData is what the registration form shows.
type formData struct {
	In      Input
	Types   []Kind
	Systems []rules.System
	Chosen  map[int64]bool
}

func (m *Module) renderForm(w http.ResponseWriter, r *http.Request, v *web.View, in Input, code int) error {
	_, systems, err := m.inv.Facts(r.Context())
	if err != nil {
		return err
	}
	chosen := map[int64]bool{}
	for _, id := range in.Systems {
		chosen[id] = true
	}
	v.Data = formData{In: in, Types: Types, Systems: systems, Chosen: chosen}
	v.Status = code
	return m.pages.Render(w, r, "page_new.html", v)
}

func (m *Module) newPage(w http.ResponseWriter, r *http.Request) error {
	in := Input{DetectedAt: m.Now().In(chinaZone()).Format("2006-01-02T15:04"), Type: "data", Subtype: "leak"}
	return m.renderForm(w, r, m.d.Web.NewView(r, "incidents.new", "/incidents"), in, http.StatusOK)
}

// formInt reads a whole number field of a form; empty is 0.
func formInt(r *http.Request, bad *problem.Invalid, name string) int64 {
	s := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(name), ",", ""))
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		bad.Add(name, "must be a whole number, not %q", s)
	}
	return n
}

func impactFromForm(r *http.Request, bad *problem.Invalid) Impact {
	return Impact{
		PILeaked: formInt(r, bad, "impact.pi_leaked"), PISensitive: r.PostFormValue("impact.pi_sensitive") == "on",
		LossRMB: formInt(r, bad, "impact.loss_rmb"), CIIFullDownMin: formInt(r, bad, "impact.cii_full_down_min"),
		CIIMainDownMin: formInt(r, bad, "impact.cii_main_down_min"), PortalDownMin: formInt(r, bad, "impact.portal_down_min"),
		PeopleAffected: formInt(r, bad, "impact.people_affected"), ProvinceSharePct: formInt(r, bad, "impact.province_share_pct"),
	}
}

func inputFromForm(r *http.Request) (Input, *problem.Invalid) {
	f := r.PostFormValue
	bad := &problem.Invalid{}
	in := Input{Title: f("title"), Description: f("description"), Type: f("type"), Subtype: f("subtype"), DetectedAt: f("detected_at"),
		StartedAt: f("started_at"), Place: f("place"), Measures: f("measures"), Reporter: f("reporter"), SuspectedCrime: f("suspected_crime") == "on"}
	if t, sub, ok := strings.Cut(in.Type, "/"); ok { // the form's one select carries "type/subtype"
		in.Type, in.Subtype = t, sub
	}
	in.Impact = impactFromForm(r, bad)
	if f("ransom.amount") != "" || f("ransom.method") != "" || f("ransom.date") != "" {
		in.Ransom = &Ransom{Amount: f("ransom.amount"), Method: f("ransom.method"), Date: f("ransom.date")}
	}
	for i, s := range r.PostForm["systems"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			bad.Add("systems["+strconv.Itoa(i)+"]", "is not a system id")
			continue
		}
		in.Systems = append(in.Systems, id)
	}
	return in, bad
}

// foldSubtype puts a refused subtype on the one select that carries "type/subtype".
func foldSubtype(errs map[string]string) {
	if e := errs["subtype"]; e != "" && errs["type"] == "" {
		errs["type"] = e
	}
}

// merge puts form parse errors before the service's validation errors.
func merge(bad *problem.Invalid, err error) error {
	if len(bad.Fields) == 0 {
		return err
	}
	if inv, ok := problem.As[*problem.Invalid](err); ok {
		bad.Fields = append(bad.Fields, inv.Fields...)
	}
	return bad
}

func (m *Module) createPage(w http.ResponseWriter, r *http.Request) error {
	in, bad := inputFromForm(r)
	var inc Incident
	var err error
	if len(bad.Fields) == 0 {
		inc, err = m.Create(r.Context(), in)
	} else {
		// Nothing is written: validate the rest only, to show every bad field at once.
		_, err = m.prepare(r.Context(), in)
		if err = merge(bad, err); err == nil {
			err = bad
		}
	}
	if err != nil {
		v := m.d.Web.NewView(r, "incidents.new", "/incidents")
		v.Form = r.PostForm
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		v.FoldIndexed() // a refused system shows on the systems' checkboxes
		foldSubtype(v.Errors)
		return m.renderForm(w, r, v, in, http.StatusBadRequest)
	}
	return web.Redirect(w, r, fmt.Sprintf("/incidents/%d", inc.ID), m.t(r, "incidents.created", inc.Grade().Zh()))
}

// detailData is an incident's page.
type detailData struct {
	In         Incident
	Clocks     []clockView
	Criteria   []criterionRow
	Recipients []Authority
	Route      Route
	Reports    []Report // the latest version of each report
	Versions   map[int64]int
	Timeline   []Entry
	Tasks      []kernel.LinkedTask // remediation tasks linked to the incident
	Users      []auth.User         // owners to choose for a new task (writers, with tasks)
	Evidence   []EvidenceRef
	Grades     []Grade
	NowText    string
	HasFirst   bool
	HasSummary bool
	Type, Sub  Kind
}

func (m *Module) detailPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	return m.renderDetail(w, r, id, m.d.Web.NewView(r, "incidents.detail_title", "/incidents"))
}

// refused shows the incident's page again with the refusals of err on the controls of the
// form that was sent, or returns err for the error page when it refuses no field.
func (m *Module) refused(w http.ResponseWriter, r *http.Request, id int64, form string, err error) error {
	v := m.d.Web.NewView(r, "incidents.detail_title", "/incidents")
	if ferr := web.FieldErrorsIn(form, err, v, r.PostForm); ferr != nil {
		return ferr
	}
	return m.renderDetail(w, r, id, v)
}

func (m *Module) renderDetail(w http.ResponseWriter, r *http.Request, id int64, v *web.View) error {
	ctx := r.Context()
	in, err := m.Get(ctx, id)
	if err != nil {
		return err
	}
	reports, err := m.Reports(ctx, id)
	if err != nil {
		return err
	}
	tl, err := m.Timeline(ctx, id)
	if err != nil {
		return err
	}
	ev, err := m.Evidence(ctx, id)
	if err != nil {
		return err
	}
	tasks, err := m.linkedTasks(ctx, id)
	if err != nil {
		return err
	}
	var users []auth.User
	if m.tasks != nil && web.Can(r, Write) {
		if users, err = m.d.Auth.ActiveUsers(ctx); err != nil {
			return err
		}
	}
	lang, now := web.RequestLang(r), m.Now()
	d := detailData{In: in, Users: users, Criteria: gradingRows(m.Thresholds, &in), Recipients: in.Recipients(), Route: RouteByCode(in.Route),
		Timeline: tl, Tasks: tasks, Evidence: ev, NowText: now.In(chinaZone()).Format("2006-01-02T15:04"), Versions: map[int64]int{},
		Type: TypeOf(in.Type), Sub: SubtypeOf(in.Type, in.Subtype)}
	for _, g := range Grades {
		if g > in.Grade() {
			d.Grades = append(d.Grades, g)
		}
	}
	for _, c := range Clocks(&in, reports, now) {
		d.Clocks = append(d.Clocks, newClockView(lang, &in, c, now))
	}
	for _, rep := range reports {
		if latest(reports, rep) {
			d.Reports = append(d.Reports, rep)
			d.Versions[rep.ID] = rep.Version
		}
		d.HasFirst = d.HasFirst || rep.Kind == KindFirst
		d.HasSummary = d.HasSummary || rep.Kind == KindSummary
	}
	// The page is titled with the incident's own title, so that tabs and history tell
	// incidents apart.
	v.TitleArgs = []any{in.Title}
	v.Data = d
	return m.pages.Render(w, r, "page_detail.html", v)
}

func (m *Module) back(w http.ResponseWriter, r *http.Request, id int64, key string) error {
	return web.Redirect(w, r, fmt.Sprintf("/incidents/%d", id), m.t(r, key))
}

func (m *Module) impactPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	bad := &problem.Invalid{}
	im := impactFromForm(r, bad)
	err = bad.Err()
	if err == nil {
		_, err = m.UpdateImpact(r.Context(), id, im, r.PostFormValue("measures"))
	}
	if err != nil {
		return m.refused(w, r, id, "impact", err)
	}
	return m.back(w, r, id, "incidents.saved")
}

func (m *Module) gradePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.RaiseGrade(r.Context(), id, r.PostFormValue("grade"), r.PostFormValue("reason")); err != nil {
		return m.refused(w, r, id, "grade", err)
	}
	return m.back(w, r, id, "incidents.saved")
}

func (m *Module) closePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Close(r.Context(), id, r.PostFormValue("handling_ended_at")); err != nil {
		return m.refused(w, r, id, "close", err)
	}
	return m.back(w, r, id, "incidents.saved")
}

func (m *Module) notePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := m.AddNote(r.Context(), id, r.PostFormValue("note")); err != nil {
		return m.refused(w, r, id, "note", err)
	}
	return m.back(w, r, id, "incidents.saved")
}

// taskPage opens a remediation task from the incident's page; a refusal comes back to the
// page with the fields named.
func (m *Module) taskPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	bad := &problem.Invalid{}
	in := TaskInput{Title: r.PostFormValue("title"), Due: r.PostFormValue("due")}
	if o := strings.TrimSpace(r.PostFormValue("owner_id")); o != "" {
		if in.OwnerID, err = strconv.ParseInt(o, 10, 64); err != nil {
			bad.Add("owner_id", "must be a user of your organisation")
		}
	}
	err = bad.Err()
	if err == nil {
		_, err = m.AddTask(r.Context(), id, in)
	}
	if err != nil {
		return m.refused(w, r, id, "task", err)
	}
	return m.back(w, r, id, "incidents.task_opened")
}

func (m *Module) evidencePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := m.AttachEvidence(r.Context(), id, r.PostFormValue("sha256"), r.PostFormValue("note")); err != nil {
		return m.refused(w, r, id, "evidence", err)
	}
	return m.back(w, r, id, "incidents.saved")
}

// orgNames returns the context organisation's names for reports.
func (m *Module) orgNames(r *http.Request) (zh, en string) {
	p := web.PrincipalFrom(r.Context())
	if p == nil {
		return "", ""
	}
	return p.Org.NameZH, p.Org.NameEN
}

func (m *Module) newReportPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	zh, en := m.orgNames(r)
	rep, err := m.NewReport(r.Context(), id, r.PostFormValue("kind"), zh, en)
	if err != nil {
		return err
	}
	return web.Redirect(w, r, fmt.Sprintf("/incidents/%d/reports/%d", id, rep.ID), m.t(r, "incidents.report_drafted"))
}

// itemView is one item of a report on its page, in the page's language.
type itemView struct {
	Item
	Text      string
	Following bool
}

// reportData is a report's page.
type reportData struct {
	In         Incident
	Rep        Report
	Items      []itemView
	Latest     bool
	Clock      *clockView
	Recipients []Authority
	Authority  []Authority
	NowText    string
	Missing    []string
	Versions   []Report
	// Regulator is the protection-work department a report can be filed with in ciiguard;
	// nil when there is none. Filing is this report's filing there, once filed.
	Regulator *kernel.RegulatorRef
	Filing    *kernel.Submission
}

func (m *Module) reportPage(w http.ResponseWriter, r *http.Request) error {
	id, rid, err := reportParams(r)
	if err != nil {
		return err
	}
	return m.renderReport(w, r, id, rid, m.d.Web.NewView(r, "incidents.report", "/incidents"))
}

// refusedReport shows the report's page again with the refusals of err on the controls of
// the form that was sent, or returns err for the error page when it refuses no field.
func (m *Module) refusedReport(w http.ResponseWriter, r *http.Request, id, rid int64, form string, err error) error {
	v := m.d.Web.NewView(r, "incidents.report", "/incidents")
	if ferr := web.FieldErrorsIn(form, err, v, r.PostForm); ferr != nil {
		return ferr
	}
	return m.renderReport(w, r, id, rid, v)
}

func (m *Module) renderReport(w http.ResponseWriter, r *http.Request, id, rid int64, v *web.View) error {
	ctx := r.Context()
	in, err := m.Get(ctx, id)
	if err != nil {
		return err
	}
	all, err := m.Reports(ctx, id)
	if err != nil {
		return err
	}
	rep, ok := find(all, rid)
	if !ok {
		return store.ErrNotFound
	}
	lang, now := web.RequestLang(r), m.Now()
	d := reportData{In: in, Rep: rep, Latest: latest(all, rep), Recipients: in.Recipients(), Authority: Authorities,
		NowText: now.In(chinaZone()).Format("2006-01-02T15:04"), Missing: rep.Content.Missing(rep.Kind)}
	for _, it := range ItemsOf(rep.Kind) {
		d.Items = append(d.Items, itemView{Item: it, Text: rep.Content.Text(lang, it.Key), Following: rep.Content.Following(it.Key)})
	}
	if reg, err := m.Regulator(ctx); err == nil {
		d.Regulator = &reg
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if rep.Channel == ChannelPlatform {
		if f, err := m.Filing(ctx, rep.ID); err == nil {
			d.Filing = &f
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	for _, x := range all {
		if x.Kind == rep.Kind && x.Number == rep.Number {
			d.Versions = append(d.Versions, x)
		}
	}
	sort.Slice(d.Versions, func(i, j int) bool { return d.Versions[i].Version > d.Versions[j].Version })
	for _, c := range Clocks(&in, all, now) {
		if c.Kind == rep.Kind || (rep.Kind == KindFollowUp && c.Kind == KindFirst && c.Running()) {
			cv := newClockView(lang, &in, c, now)
			d.Clock = &cv
		}
	}
	v.Data = d
	return m.pages.Render(w, r, "page_report.html", v)
}

// contentFromForm merges the items posted in the page's language into the report's content.
func contentFromForm(r *http.Request, rep Report) Content {
	c := Content{Zh: map[string]string{}, En: map[string]string{}}
	for k, s := range rep.Content.Zh {
		c.Zh[k] = s
	}
	for k, s := range rep.Content.En {
		c.En[k] = s
	}
	target := c.Zh
	if web.RequestLang(r) == web.LangEN {
		target = c.En
	}
	for _, it := range ItemsOf(rep.Kind) {
		if vals, ok := r.PostForm["item."+it.Key]; ok && len(vals) > 0 {
			target[it.Key] = strings.TrimSpace(vals[0])
		}
		if r.PostFormValue("follow."+it.Key) == "on" {
			c.ToFollow = append(c.ToFollow, it.Key)
		}
	}
	return c
}

func (m *Module) saveReportPage(w http.ResponseWriter, r *http.Request) error {
	id, rid, err := reportParams(r)
	if err != nil {
		return err
	}
	cur, err := m.Report(r.Context(), id, rid)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read: %v", err)
	}
	rep, err := m.SaveReport(r.Context(), id, rid, contentFromForm(r, cur))
	if err != nil {
		return m.refusedReport(w, r, id, rid, "report", err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/incidents/%d/reports/%d", id, rep.ID), m.t(r, "incidents.saved"))
}

func (m *Module) sendPage(w http.ResponseWriter, r *http.Request) error {
	id, rid, err := reportParams(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read: %v", err)
	}
	channel := ChannelOutside
	if r.PostFormValue("channel") == ChannelPlatform {
		channel = ChannelPlatform
	}
	in := Sending{SentAt: r.PostFormValue("sent_at"), To: r.PostForm["to"], Channel: channel, Receipt: r.PostFormValue("receipt_sha256")}
	rep, err := m.SendReport(r.Context(), id, rid, in)
	if err != nil {
		return m.refusedReport(w, r, id, rid, "send", err)
	}
	key := "incidents.sent_on_time"
	if !rep.OnTime {
		return web.Redirect(w, r, fmt.Sprintf("/incidents/%d/reports/%d", id, rid), m.t(r, "incidents.sent_late", rep.MinutesLate))
	}
	return web.Redirect(w, r, fmt.Sprintf("/incidents/%d/reports/%d", id, rid), m.t(r, key))
}

// renderWidget shows the running clocks of the organisation on the home page, most urgent
// first; nothing when none runs.
func (m *Module) renderWidget(r *http.Request) (template.HTML, error) {
	clocks, err := m.Running(r)
	if err != nil || len(clocks) == 0 {
		return "", err
	}
	v := m.d.Web.NewView(r, "", "")
	var buf bytes.Buffer
	if err := m.widget.ExecuteTemplate(&buf, "widget", map[string]any{"V": v, "Clocks": clocks}); err != nil {
		return "", fmt.Errorf("render incidents widget: %w", err)
	}
	return template.HTML(buf.String()), nil
}

// Running returns the organisation's running clocks, the soonest due first.
func (m *Module) Running(r *http.Request) ([]clockView, error) {
	incs, reports, err := m.records(r.Context())
	if err != nil {
		return nil, err
	}
	lang, now := web.RequestLang(r), m.Now()
	var out []clockView
	for i := range incs {
		for _, c := range Clocks(&incs[i], reports[incs[i].ID], now) {
			if c.Running() {
				out = append(out, newClockView(lang, &incs[i], c, now))
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out, nil
}

func chinaZone() *time.Location { return calendar.Shanghai }
