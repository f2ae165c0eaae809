package oversight

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// bj writes a time as Beijing wall-clock time, the way deadlines are read.
func bj(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Shanghai).Format("2006-01-02 15:04")
}

// itemView is an item with its times written for the page.
type itemView struct {
	*Item
	At       string
	Detected string
	Last     *kernel.SubmissionAnswer
	Pretty   string
	Actions  []string
	Detail   template.HTML // the answers and the content, shown on both sides
}

// withDetail renders the part both sides show of a submission into iv.
func (m *Module) withDetail(r *http.Request, iv itemView) (itemView, error) {
	v := m.d.Web.NewView(r, "", "")
	v.Data = iv
	h, err := m.pages.Fragment("part_filing.html", v)
	iv.Detail, iv.Actions = h, actionsFor(iv.Item)
	return iv, err
}

// actionsFor is what the regulator may answer a submission with: escalation only for a
// major or especially major incident report not yet escalated.
func actionsFor(it *Item) []string {
	out := make([]string, 0, len(Actions))
	for _, a := range Actions {
		if a != StateEscalated || (it.Escalation != nil && it.Escalation.At == nil) {
			out = append(out, a)
		}
	}
	return out
}

func viewOf(it *Item) itemView {
	v := itemView{Item: it, At: bj(it.SubmittedAt)}
	if it.DetectedAt != nil {
		v.Detected = bj(*it.DetectedAt)
	}
	if n := len(it.Answers); n > 0 {
		v.Last = &it.Answers[n-1]
	}
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(it.Payload), "", "  ") == nil {
		v.Pretty = buf.String()
	} else {
		v.Pretty = it.Payload
	}
	return v
}

func viewsOf(items []*Item) []itemView {
	out := make([]itemView, 0, len(items))
	for _, it := range items {
		out = append(out, viewOf(it))
	}
	return out
}

// filingsData is the operator's filings page.
type filingsData struct {
	Regulator *kernel.RegulatorRef
	Choices   []kernel.RegulatorRef
	Kinds     []string
	Items     []itemView
	Notices   []ReceivedNotice // identification notices received (notices.go)
	// Inspections are the departments' inspections of the operator (inspections.go).
	Inspections []*Inspection
	// Cases are the departments' penalty cases against the operator (case_end.go).
	Cases []ReceivedCase
}

func (m *Module) filingsData(r *http.Request) (*filingsData, error) {
	d := &filingsData{Kinds: kernel.SubmissionKinds}
	if reg, err := m.Regulator(r.Context()); err == nil {
		d.Regulator = &reg
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var err error
	if d.Choices, err = m.Regulators(r.Context()); err != nil {
		return nil, err
	}
	items, err := m.Filed(r.Context())
	if err != nil {
		return nil, err
	}
	d.Items = viewsOf(items)
	if d.Notices, err = m.ReceivedNotices(r.Context()); err != nil {
		return nil, err
	}
	if d.Inspections, err = m.ReceivedInspections(r.Context(), 0); err != nil {
		return nil, err
	}
	if d.Cases, err = m.ReceivedCases(r.Context(), 0); err != nil {
		return nil, err
	}
	return d, nil
}

func (m *Module) filingsPage(w http.ResponseWriter, r *http.Request) error {
	d, err := m.filingsData(r)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "nav.filings", "/filings")
	v.Data = d
	return m.pages.Render(w, r, "page_filings.html", v)
}

// renderFilingsError shows the filings page again with the form's errors.
func (m *Module) renderFilingsError(w http.ResponseWriter, r *http.Request, err error) error {
	v := m.d.Web.NewView(r, "nav.filings", "/filings")
	if err := web.FieldErrors(err, v); err != nil {
		return err
	}
	// A filing refused for want of a department (named and then unset in another tab)
	// is answered beside the department's control: the filing form is not shown then.
	if e, ok := v.Errors["regulator"]; ok && v.Errors["regulator_id"] == "" {
		v.Errors["regulator_id"] = e
	}
	d, derr := m.filingsData(r)
	if derr != nil {
		return derr
	}
	v.Data, v.Form, v.Status = d, r.PostForm, http.StatusBadRequest
	return m.pages.Render(w, r, "page_filings.html", v)
}

func (m *Module) setRegulatorPage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	id, err := strconv.ParseInt(r.PostFormValue("regulator_id"), 10, 64)
	if err != nil {
		return m.renderFilingsError(w, r, problem.Field("regulator_id", "is not a regulator of this installation"))
	}
	if _, err := m.SetRegulator(r.Context(), id); err != nil {
		return m.renderFilingsError(w, r, err)
	}
	return web.Redirect(w, r, "/filings", m.d.Web.Messages.T(web.RequestLang(r), "oversight.regulator_saved"))
}

// fileForm reads a filing from the page's multipart form: the text becomes the payload
// {"text": ...}, with "detected_at" for an incident report (entered as Beijing time).
func fileForm(r *http.Request) (kernel.NewSubmission, error) {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return kernel.NewSubmission{}, problem.Field("body", "cannot be read as a form: %v", err)
	}
	f := r.PostFormValue
	n := kernel.NewSubmission{Kind: f("kind"), TitleZH: f("title_zh"), TitleEN: f("title_en")}
	payload := map[string]string{"text": strings.TrimSpace(f("text"))}
	if det := strings.TrimSpace(f("detected_at")); det != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", det, calendar.Shanghai)
		if err != nil {
			return n, problem.Field("detected_at", "must be a date and time such as 2026-12-01T09:30")
		}
		payload["detected_at"] = t.Format(time.RFC3339)
	} else if n.Kind == kernel.SubmitIncidentReport {
		return n, problem.Field("detected_at", "is required for an incident report: the time the incident was detected")
	}
	n.Payload, _ = json.Marshal(payload)
	if file, hdr, err := r.FormFile("attachment"); err == nil {
		defer file.Close()
		data, err := io.ReadAll(io.LimitReader(file, kernel.MaxSubmissionAttachment+1))
		if err != nil {
			return n, problem.Field("attachment", "cannot be read: %v", err)
		}
		// The name is refused here, on the control that carries it, rather than as the
		// submission's attachment_name, which the page has no control for.
		if c := utf8.RuneCountInString(hdr.Filename); c > maxAttachmentName {
			return n, problem.Field("attachment", "the file's name must be at most %d characters, not %d", maxAttachmentName, c)
		}
		n.Attachment, n.AttachmentName = data, hdr.Filename
	} else if !errors.Is(err, http.ErrMissingFile) {
		return n, problem.Field("attachment", "cannot be read: %v", err)
	}
	return n, nil
}

func (m *Module) filePage(w http.ResponseWriter, r *http.Request) error {
	n, err := fileForm(r)
	if err == nil {
		_, err = m.Submit(r.Context(), n)
	}
	if err != nil {
		return m.renderFilingsError(w, r, err)
	}
	return web.Redirect(w, r, "/filings", m.d.Web.Messages.T(web.RequestLang(r), "oversight.filed"))
}

func (m *Module) filingPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	items, err := m.filed(r.Context(), "", id)
	if err != nil {
		return err
	}
	if len(items) != 1 {
		return store.ErrNotFound
	}
	v := m.d.Web.NewView(r, "oversight.filing", "/filings")
	v.TitleArgs = []any{id}
	if v.Data, err = m.withDetail(r, viewOf(items[0])); err != nil {
		return err
	}
	return m.pages.Render(w, r, "page_filing.html", v)
}

// inboxData is the regulator's inbox page.
type inboxData struct {
	Filter    Filter
	Kinds     []string
	States    []string
	Operators []kernel.RegulatorRef // the operators that filed, for the filter
	Counts    map[string]int
	Total     int
	Items     []itemView
	// Imports are the reports filed outside ciiguard and imported (inbox_imports.go) that
	// the filter takes in; ImportsTotal counts them all.
	Imports      []InboxImport
	ImportsTotal int
}

// SectorNamed is the filter's sector with its names.
func (d *inboxData) SectorNamed() Named { return lookup(Sectors, d.Filter.Sector) }

func (m *Module) inboxData(r *http.Request, f Filter) (*inboxData, error) {
	all, err := m.Inbox(r.Context(), Filter{})
	if err != nil {
		return nil, err
	}
	d := &inboxData{Filter: f, Kinds: kernel.SubmissionKinds, States: States, Counts: map[string]int{}, Total: len(all)}
	seen := map[int64]bool{}
	for _, it := range all {
		d.Counts[it.State]++
		if it.Clock == ClockLate {
			d.Counts["late"]++
		}
		if !seen[it.OperatorID] {
			seen[it.OperatorID] = true
			d.Operators = append(d.Operators, kernel.RegulatorRef{ID: it.OperatorID, NameZH: it.OperatorZH, NameEN: it.OperatorEN})
		}
	}
	items, err := m.Inbox(r.Context(), f)
	if err != nil {
		return nil, err
	}
	d.Items = viewsOf(items)
	allImports, err := m.InboxImports(r.Context(), Filter{})
	if err != nil {
		return nil, err
	}
	d.ImportsTotal, d.Imports = len(allImports), f.imports(allImports)
	return d, nil
}

// inboxPage lists the inbox narrowed by the filter form; a refused filter shows the whole
// inbox again (400) with the refused controls marked.
func (m *Module) inboxPage(w http.ResponseWriter, r *http.Request) error {
	v := m.d.Web.NewView(r, "nav.oversight", "/oversight")
	f, err := filterOf(r)
	if err != nil {
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		f, v.Status = Filter{}, http.StatusBadRequest
	}
	d, err := m.inboxData(r, f)
	if err != nil {
		return err
	}
	v.Data = d
	return m.pages.Render(w, r, "page_inbox.html", v)
}

func (m *Module) itemPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	it, err := m.Item(r.Context(), id)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "oversight.item", "/oversight")
	v.TitleArgs = []any{id}
	if v.Data, err = m.withDetail(r, viewOf(it)); err != nil {
		return err
	}
	return m.pages.Render(w, r, "page_item.html", v)
}

func (m *Module) answerPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	if _, err := m.Answer(r.Context(), id, r.PostFormValue("action"), r.PostFormValue("note")); err != nil {
		v := m.d.Web.NewView(r, "oversight.item", "/oversight")
		v.TitleArgs = []any{id}
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		it, ierr := m.Item(r.Context(), id)
		if ierr != nil {
			return ierr
		}
		if v.Data, ierr = m.withDetail(r, viewOf(it)); ierr != nil {
			return ierr
		}
		v.Form, v.Status = r.PostForm, http.StatusBadRequest
		return m.pages.Render(w, r, "page_item.html", v)
	}
	return web.Redirect(w, r, fmt.Sprintf("/oversight/inbox/%d", id), m.d.Web.Messages.T(web.RequestLang(r), "oversight.answered"))
}

// renderWidget is the regulator's home: its inbox counts and its dashboard (dashboard.go).
func (m *Module) renderWidget(r *http.Request) (template.HTML, error) {
	d, err := m.inboxData(r, Filter{})
	if err != nil {
		return "", err
	}
	dash, err := m.Dashboard(r.Context())
	if err != nil {
		return "", err
	}
	v := m.d.Web.NewView(r, "", "")
	var buf bytes.Buffer
	if err := m.widget.ExecuteTemplate(&buf, "widget", map[string]any{"V": v, "D": d, "Dash": dash}); err != nil {
		return "", fmt.Errorf("render oversight widget: %w", err)
	}
	return template.HTML(buf.String()), nil
}
