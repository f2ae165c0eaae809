package oversight

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/vault"
	"ciiguard/internal/web"
)

// registerInspections adds the inspections' routes: the department's (list, open, read
// in scope, reproduce, record actions) and the operator's (its inspections, its response).
func (m *Module) registerInspections(s *web.Server) {
	s.Page("GET /oversight/inspections", Inbox, m.inspectionsPage)
	s.Page("POST /oversight/inspections", Inspect, m.openInspectionPage)
	s.Page("GET /oversight/inspections/{id}", Inbox, m.inspectionPage)
	s.Page("GET /oversight/inspections/{id}/records/{area}", Inspect, m.recordsPage)
	s.Page("GET /oversight/inspections/{id}/records/{area}/{rid}", Inspect, m.recordPage)
	s.Page("GET /oversight/inspections/{id}/logs", Inspect, m.logsPage)
	s.Page("GET /oversight/inspections/{id}/bundle", Inspect, m.bundle)
	s.Page("POST /oversight/inspections/{id}/actions", Inspect, m.actionPage)
	s.API("GET /api/v1/oversight/inspections", Inbox, m.apiInspections)
	s.API("POST /api/v1/oversight/inspections", Inspect, m.apiOpenInspection)
	s.API("GET /api/v1/oversight/inspections/{id}", Inbox, m.apiInspection)
	s.API("GET /api/v1/oversight/inspections/{id}/records/{area}", Inspect, m.apiRecords)
	s.API("GET /api/v1/oversight/inspections/{id}/records/{area}/{rid}", Inspect, m.apiRecord)
	s.API("GET /api/v1/oversight/inspections/{id}/logs", Inspect, m.apiLogs)
	s.API("GET /api/v1/oversight/inspections/{id}/bundle", Inspect, m.bundle)
	s.API("POST /api/v1/oversight/inspections/{id}/actions", Inspect, m.apiAction)
	s.Page("POST /oversight/inspections/{id}/close", Inspect, m.boxChangePage((*Service).CloseInspection))
	s.Page("POST /oversight/inspections/{id}/extend", Inspect, m.boxChangePage((*Service).ExtendInspection))
	s.API("POST /api/v1/oversight/inspections/{id}/close", Inspect, apiRecordAction(m, (*Service).CloseInspection))
	s.API("POST /api/v1/oversight/inspections/{id}/extend", Inspect, apiRecordAction(m, (*Service).ExtendInspection))

	s.Page("GET /filings/inspections/{id}", Filed, m.receivedInspectionPage)
	s.Page("POST /filings/inspections/{id}/response", File, m.respondPage)
	s.API("GET /api/v1/filings/inspections", Filed, m.apiReceivedInspections)
	s.API("GET /api/v1/filings/inspections/{id}", Filed, m.apiReceivedInspection)
	s.API("POST /api/v1/filings/inspections/{id}/responses", File, m.apiRespond)
}

// bjTime is an instant as both sides read it: Beijing wall-clock time to the minute.
func bjTime(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01-02 15:04") }

// EndsText is the end of the time box, Beijing time.
func (x *Inspection) EndsText() string { return bjTime(x.EndsAt) }

// OpensText is the start of the time box, Beijing time.
func (x *Inspection) OpensText() string { return bjTime(x.OpensAt) }

// AtText is when the read happened, Beijing time.
func (r Read) AtText() string { return bjTime(r.At) }

// AtText is when the action was recorded, Beijing time.
func (a Action) AtText() string { return bjTime(a.At) }

// Area is an area of a scope with its names.
type Area struct {
	Key    string `json:"key"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
}

func (m *Module) areasOf(keys []string) []Area {
	out := make([]Area, 0, len(keys))
	for _, k := range keys {
		zh, en := m.AreaName(k)
		out = append(out, Area{Key: k, NameZH: zh, NameEN: en})
	}
	return out
}

func (m *Module) apiInspections(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	xs, err := m.FilterInspections(r.Context(), InspectionFilter{State: q.Get("state"), Actions: q.Get("actions")})
	if err != nil {
		return err
	}
	if xs == nil {
		xs = []*Inspection{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"inspections": xs, "areas": m.areasOf(m.areaKeys())})
}

func (m *Module) apiOpenInspection(w http.ResponseWriter, r *http.Request) error {
	var in NewInspection
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.OpenInspection(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, x)
}

func (m *Module) apiInspection(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.Inspection(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

func (m *Module) apiRecords(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	_, recs, err := m.ReadRecords(r.Context(), id, r.PathValue("area"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"records": recs})
}

func (m *Module) apiRecord(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	_, rec, err := m.ReadRecord(r.Context(), id, r.PathValue("area"), r.PathValue("rid"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, rec)
}

func (m *Module) apiLogs(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	_, _, evs, err := m.ReadLogs(r.Context(), id, q.Get("from"), q.Get("to"), q.Get("q"))
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []vault.Event{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"events": evs})
}

// bundle reproduces the inspection: the signed bundle as a download, recorded first.
func (m *Module) bundle(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	f, sum, err := m.Reproduce(r.Context(), id)
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fmt.Sprintf("inspection-%d.ndjson", id)}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Bundle-SHA256", sum)
	_, err = io.Copy(w, f)
	return err
}

func (m *Module) apiAction(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in NewAction
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := m.RecordAction(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, a)
}

func (m *Module) apiReceivedInspections(w http.ResponseWriter, r *http.Request) error {
	xs, err := m.ReceivedInspections(r.Context(), 0)
	if err != nil {
		return err
	}
	if xs == nil {
		xs = []*Inspection{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"inspections": xs})
}

func (m *Module) apiReceivedInspection(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.ReceivedInspection(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

func (m *Module) apiRespond(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Text string `json:"text"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := m.Respond(r.Context(), id, in.Text)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, a)
}

// inspectionsData is the department's list of inspections with the form to open one.
type inspectionsData struct {
	Inspections []*Inspection
	Entries     []*Entry // the registry's operators on this installation, for the form
	Areas       []Area
	Basis       string
	Today       string
	EntryID     string // the entry the form starts with (?entry=)
	Filter      InspectionFilter
	// Chosen are the areas a refused form had ticked, ticked again.
	Chosen map[string]bool
}

func (m *Module) inspectionsPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderInspections(w, r, nil)
}

func (m *Module) renderInspections(w http.ResponseWriter, r *http.Request, formErr error) error {
	q := r.URL.Query()
	f := InspectionFilter{State: q.Get("state"), Actions: q.Get("actions")}
	xs, err := m.FilterInspections(r.Context(), f)
	if err != nil {
		return err
	}
	all, err := m.Registry(r.Context(), RegistryFilter{})
	if err != nil {
		return err
	}
	var entries []*Entry
	for _, e := range all {
		if e.OperatorID != 0 {
			entries = append(entries, e)
		}
	}
	v := m.d.Web.NewView(r, "oversight.insp.title", "/oversight/inspections")
	if formErr != nil {
		if err := web.FieldErrors(formErr, v); err != nil {
			return err
		}
		v.Form, v.Status = r.PostForm, http.StatusBadRequest
	}
	d := inspectionsData{Inspections: xs, Entries: entries, Areas: m.areasOf(m.areaKeys()), Basis: v.T("oversight.insp.default_basis"),
		Today: bjDay(m.now()), EntryID: r.URL.Query().Get("entry"), Filter: f, Chosen: map[string]bool{}}
	if formErr != nil {
		for _, a := range r.PostForm["areas"] {
			d.Chosen[a] = true
		}
	}
	v.Data = d
	return m.pages.Render(w, r, "page_inspections.html", v)
}

func (m *Module) openInspectionPage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	f := r.PostFormValue
	entry, _ := strconv.ParseInt(f("entry_id"), 10, 64)
	in := NewInspection{EntryID: entry, Ref: f("ref"), Basis: f("basis"), Areas: r.PostForm["areas"],
		Systems: strings.Split(strings.ReplaceAll(f("systems"), "\r", ""), "\n"), PeriodFrom: f("period_from"), PeriodTo: f("period_to"), EndsAt: f("ends_at")}
	x, err := m.OpenInspection(r.Context(), in)
	if err != nil {
		if _, ok := problem.As[*problem.Invalid](err); ok {
			return m.renderInspections(w, r, err)
		}
		return err
	}
	return web.Redirect(w, r, fmt.Sprintf("/oversight/inspections/%d", x.ID), m.d.Web.Messages.T(web.RequestLang(r), "oversight.insp.opened"))
}

// inspectionData is an inspection's page, on either side.
type inspectionData struct {
	X        *Inspection
	Areas    []Area
	Operator bool // the operator's page
	Kinds    []string
	Today    string
	// LogFrom and LogTo fill the log range form: the period's first day.
	LogFrom, LogTo string
}

func (m *Module) inspectionView(r *http.Request, x *Inspection, operator bool, path string) *web.View {
	v := m.d.Web.NewView(r, "oversight.insp.one", path)
	v.TitleArgs = []any{x.Ref}
	from := x.From.In(calendar.Shanghai)
	v.Data = inspectionData{X: x, Areas: m.areasOf(x.Areas), Operator: operator, Kinds: RegulatorActions, Today: bjDay(m.now()),
		LogFrom: from.Format("2006-01-02T15:04"), LogTo: from.Add(24 * time.Hour).Format("2006-01-02T15:04")}
	return v
}

func (m *Module) inspectionPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	return m.renderInspection(w, r, id, nil)
}

func (m *Module) renderInspection(w http.ResponseWriter, r *http.Request, id int64, formErr error) error {
	x, err := m.Inspection(r.Context(), id)
	if err != nil {
		return err
	}
	v := m.inspectionView(r, x, false, "/oversight/inspections")
	if formErr != nil {
		if err := web.FieldErrors(formErr, v); err != nil {
			return err
		}
		v.Form, v.Status = r.PostForm, http.StatusBadRequest
	}
	return m.pages.Render(w, r, "page_inspection.html", v)
}

func (m *Module) actionPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	f := r.PostFormValue
	if _, err := m.RecordAction(r.Context(), id, NewAction{Kind: f("kind"), Text: f("text"), DueOn: f("due_on")}); err != nil {
		if _, ok := problem.As[*problem.Invalid](err); ok {
			return m.renderInspection(w, r, id, err)
		}
		return err
	}
	return web.Redirect(w, r, fmt.Sprintf("/oversight/inspections/%d", id), m.d.Web.Messages.T(web.RequestLang(r), "oversight.insp.recorded"))
}

// recordsData is a read of an area's records, or of one record.
type recordsData struct {
	X       *Inspection
	Area    Area
	Records []kernel.InspectionRecord
	One     *kernel.InspectionRecord
}

func (m *Module) recordsPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, recs, err := m.ReadRecords(r.Context(), id, r.PathValue("area"))
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "oversight.insp.records", "/oversight/inspections")
	area := m.areasOf([]string{r.PathValue("area")})[0]
	v.TitleArgs = []any{v.L(area.NameZH, area.NameEN)}
	v.Data = recordsData{X: x, Area: area, Records: recs}
	return m.pages.Render(w, r, "page_inspection_records.html", v)
}

func (m *Module) recordPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, rec, err := m.ReadRecord(r.Context(), id, r.PathValue("area"), r.PathValue("rid"))
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "oversight.insp.record", "/oversight/inspections")
	v.TitleArgs = []any{v.L(rec.TitleZH, rec.TitleEN)}
	v.Data = recordsData{X: x, Area: m.areasOf([]string{rec.Area})[0], One: &rec}
	return m.pages.Render(w, r, "page_inspection_records.html", v)
}

// logsData is a read of a log range.
type logsData struct {
	X      *Inspection
	Range  LogRange
	Events []vault.Event
	From   string
	To     string
	Query  string
}

// EventTime is an event's time, Beijing.
func (d logsData) EventTime(ev vault.Event) string {
	return ev.Time.In(calendar.Shanghai).Format("2006-01-02 15:04:05")
}

func (m *Module) logsPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	x, lr, evs, err := m.ReadLogs(r.Context(), id, q.Get("from"), q.Get("to"), q.Get("q"))
	if err != nil {
		var inv *problem.Invalid
		if !errors.As(err, &inv) {
			return err
		}
		// The range form's errors, on the inspection's page.
		x, gerr := m.Inspection(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		v := m.inspectionView(r, x, false, "/oversight/inspections")
		if ferr := web.FieldErrors(err, v); ferr != nil {
			return ferr
		}
		v.Form, v.Status = q, http.StatusBadRequest
		return m.pages.Render(w, r, "page_inspection.html", v)
	}
	v := m.d.Web.NewView(r, "oversight.insp.logs", "/oversight/inspections")
	v.Data = logsData{X: x, Range: lr, Events: evs, From: bjTime(lr.From), To: bjTime(lr.To), Query: lr.Query}
	return m.pages.Render(w, r, "page_inspection_logs.html", v)
}

func (m *Module) receivedInspectionPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	return m.renderReceived(w, r, id, nil)
}

func (m *Module) renderReceived(w http.ResponseWriter, r *http.Request, id int64, formErr error) error {
	x, err := m.ReceivedInspection(r.Context(), id)
	if err != nil {
		return err
	}
	v := m.inspectionView(r, x, true, "/filings")
	if formErr != nil {
		if err := web.FieldErrors(formErr, v); err != nil {
			return err
		}
		v.Form, v.Status = r.PostForm, http.StatusBadRequest
	}
	return m.pages.Render(w, r, "page_inspection.html", v)
}

func (m *Module) respondPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	if _, err := m.Respond(r.Context(), id, r.PostFormValue("text")); err != nil {
		if _, ok := problem.As[*problem.Invalid](err); ok {
			return m.renderReceived(w, r, id, err)
		}
		return err
	}
	return web.Redirect(w, r, fmt.Sprintf("/filings/inspections/%d", id), m.d.Web.Messages.T(web.RequestLang(r), "oversight.insp.responded"))
}

// InScope reports whether area key is in the inspection's scope (for the page's links).
func (x *Inspection) InScope(key string) bool { return slices.Contains(x.Areas, key) }

// boxChangePage answers the forms to close or extend an inspection.
func (m *Module) boxChangePage(change func(*Service, context.Context, int64, BoxChangeInput) (*Inspection, error)) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.IDParam(r, "id")
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return problem.Field("body", "cannot be read as a form: %v", err)
		}
		if _, err := change(m.Service, r.Context(), id, BoxChangeInput{EndsAt: r.PostFormValue("ends_at"), Reason: r.PostFormValue("reason")}); err != nil {
			if _, ok := problem.As[*problem.Invalid](err); ok {
				return m.renderInspection(w, r, id, err)
			}
			return err
		}
		return web.Redirect(w, r, fmt.Sprintf("/oversight/inspections/%d", id), m.d.Web.Messages.T(web.RequestLang(r), "oversight.insp.box_changed"))
	}
}
