package reports

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel/cjkfont"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/web"
)

func (m *Module) t(r *http.Request, key string, args ...any) string {
	return m.d.Web.Messages.T(web.RequestLang(r), key, args...)
}

// listData is the reports page.
type listData struct {
	Reports []Report
	Kind    string // the kind chosen for a new report
	Year    int    // the year chosen: by default this year (last year's annual report is due now)
	Years   []int
}

func (m *Module) listPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderList(w, r, NewReport{Kind: KindAnnual}, nil)
}

// renderList shows the reports and the form for a new one; after a refused submission it
// shows the reasons beside the controls, with the kind and year chosen kept.
func (m *Module) renderList(w http.ResponseWriter, r *http.Request, in NewReport, formErr error) error {
	list, err := m.List(r.Context())
	if err != nil {
		return err
	}
	this := m.Now().In(calendar.Shanghai).Year()
	d := listData{Reports: list, Kind: in.Kind, Year: this}
	for y := this; y >= this-4 && y >= 2021; y-- {
		d.Years = append(d.Years, y)
		if y == in.Year {
			d.Year = y
		}
	}
	v := m.d.Web.NewView(r, "nav.reports", "/reports")
	if formErr != nil {
		if err := web.FieldErrors(formErr, v); err != nil {
			return err
		}
		v.Status = http.StatusBadRequest
	}
	v.Data = d
	return m.pages.Render(w, r, "page_list.html", v)
}

func (m *Module) createPage(w http.ResponseWriter, r *http.Request) error {
	in := NewReport{Kind: r.PostFormValue("kind")}
	y, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err != nil {
		bad := &problem.Invalid{}
		bad.Add("year", "must be a year such as 2026")
		return m.renderList(w, r, in, bad.Err())
	}
	in.Year = y
	rep, err := m.Create(r.Context(), in)
	if _, ok := problem.As[*problem.Invalid](err); ok {
		return m.renderList(w, r, in, err)
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, fmt.Sprintf("/reports/%d", rep.ID), m.t(r, "reports.created"))
}

// reportData is a report's page.
type reportData struct {
	R        Report
	Title    rules.Text
	V        Version
	C        Content
	Versions []Version
	Current  bool // the version shown is the report's current one
	Editable bool // a draft's current version, and the user may write
	Key      string
	Subs     []submissionView
	CanSub   bool
	Open     []DutyRow // the open duties shown (the page shows the first ones)
	More     int
	Receipts []Receipt // the department's receipts for bundles filed outside ciiguard
}

// submissionView is a submission of the report as its page shows it.
type submissionView struct {
	Version   int
	At        string
	By        string
	State     string
	SHA256    string
	Regulator string
}

func (m *Module) reportPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	want := 0
	if s := r.URL.Query().Get("v"); s != "" {
		if want, err = strconv.Atoi(s); err != nil || want < 1 {
			return problem.Field("v", "must be a version number")
		}
	}
	return m.renderReport(w, r, id, want, nil, nil)
}

// renderReport shows version want (0: the current one) of report id; after refused section
// text (formErr) it shows the reasons beside the text areas and the text as it was sent.
func (m *Module) renderReport(w http.ResponseWriter, r *http.Request, id int64, want int, sent map[string]SectionInput, formErr error) error {
	ctx := r.Context()
	rep, ver, err := m.Version(ctx, id, want)
	if err != nil {
		return err
	}
	c, err := ver.Decode()
	if err != nil {
		return err
	}
	vers, err := m.Versions(ctx, id)
	if err != nil {
		return err
	}
	for i, sec := range c.Sections {
		if in, ok := sent[sec.Key]; ok {
			c.Sections[i].Zh, c.Sections[i].En = in.Zh, in.En
		}
	}
	d := reportData{R: rep, Title: Title(rep.Kind, rep.Year), V: ver, C: c, Versions: vers, Current: ver.Version == rep.Version}
	d.Editable = d.Current && !ver.Frozen && web.Can(r, Write)
	if m.key != nil {
		d.Key = m.key.Fingerprint()
	}
	d.Open = c.Findings.Open
	if len(d.Open) > 50 {
		d.Open, d.More = d.Open[:50], len(d.Open)-50
	}
	if err := m.fillSubmissions(r, &d); err != nil {
		return err
	}
	if d.Receipts, err = m.Receipts(ctx, id); err != nil {
		return err
	}
	// Titled with the report's name (kind and year), so that tabs and history tell
	// reports apart.
	v := m.d.Web.NewView(r, "reports.record_title", "/reports")
	v.TitleArgs = []any{v.L(d.Title.Zh, d.Title.En)}
	if formErr != nil {
		if err := web.FieldErrors(formErr, v); err != nil {
			return err
		}
		v.Status = http.StatusBadRequest
	}
	v.Data = d
	return m.pages.Render(w, r, "page_report.html", v)
}

// sectionsFromForm reads zh.<key> and en.<key> of every section the form sent.
func sectionsFromForm(r *http.Request) map[string]SectionInput {
	in := map[string]SectionInput{}
	for _, k := range SectionKeys {
		zh, okZh := r.PostForm["zh."+k.Key]
		en, okEn := r.PostForm["en."+k.Key]
		if !okZh && !okEn {
			continue
		}
		s := SectionInput{}
		if len(zh) > 0 {
			s.Zh = zh[0]
		}
		if len(en) > 0 {
			s.En = en[0]
		}
		in[k.Key] = s
	}
	return in
}

func (m *Module) sectionsPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	in := sectionsFromForm(r)
	_, err = m.EditSections(r.Context(), id, in)
	if inv, ok := problem.As[*problem.Invalid](err); ok && onTextAreas(inv) {
		return m.renderReport(w, r, id, 0, in, err)
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, fmt.Sprintf("/reports/%d", id), m.t(r, "reports.saved"))
}

// onTextAreas reports whether every refusal is of a section's text, which the form shows
// beside its text area; a refusal the form has no control for (a section it does not
// have, none at all: only a hand-made request sends those) goes to the error page, which
// names it.
func onTextAreas(inv *problem.Invalid) bool {
	for _, f := range inv.Fields {
		if !strings.HasPrefix(f.Field, "sections.") || !(strings.HasSuffix(f.Field, ".zh") || strings.HasSuffix(f.Field, ".en")) {
			return false
		}
	}
	return true
}

func (m *Module) regeneratePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Regenerate(r.Context(), id); err != nil {
		return err
	}
	return web.Redirect(w, r, fmt.Sprintf("/reports/%d", id), m.t(r, "reports.regenerated"))
}

func (m *Module) signOffPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.SignOff(r.Context(), id); err != nil {
		return err
	}
	return web.Redirect(w, r, fmt.Sprintf("/reports/%d", id), m.t(r, "reports.signed_off"))
}

// versionParams reads {id} and {v} of a download.
func versionParams(r *http.Request) (int64, int, error) {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return 0, 0, err
	}
	v, err := strconv.Atoi(r.PathValue("v"))
	if err != nil || v < 1 {
		return 0, 0, problem.Field("v", "must be a version number")
	}
	return id, v, nil
}

// pdf answers one version as a PDF in ?lang= (zh-CN or en; the page's language by default).
func (m *Module) pdf(w http.ResponseWriter, r *http.Request) error {
	id, v, err := versionParams(r)
	if err != nil {
		return err
	}
	lang := web.RequestLang(r)
	switch l := r.URL.Query().Get("lang"); l {
	case "":
	case web.LangEN, web.LangZH:
		lang = l
	default:
		return problem.Field("lang", "must be zh-CN or en")
	}
	rep, ver, err := m.Version(r.Context(), id, v)
	if err != nil {
		return err
	}
	b, err := m.renderPDF(ver, lang)
	if errors.Is(err, cjkfont.ErrNoFont) {
		m.d.Log.Error("PDF report refused", "err", err)
		http.Error(w, m.t(r, "reports.no_font"), http.StatusServiceUnavailable)
		return nil
	}
	if err != nil {
		return err
	}
	name := fmt.Sprintf("report-%d-%s-%d-v%d-%s.pdf", rep.ID, rep.Kind, rep.Year, ver.Version, lang)
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	_, err = w.Write(b)
	return err
}

// renderPDF renders a stored version with the JSON's hash and the key's fingerprint.
func (m *Module) renderPDF(ver Version, lang string) ([]byte, error) {
	font, err := m.font.Load()
	if err != nil {
		return nil, err
	}
	c, err := ver.Decode()
	if err != nil {
		return nil, err
	}
	st := Stamp{JSONSHA256: ver.SHA256}
	if m.key != nil {
		st.KeyFingerprint = m.key.Fingerprint()
	}
	return PDF(font, lang, c, st)
}

// json answers one version's canonical JSON, byte for byte what its PDF's hash is of.
func (m *Module) json(w http.ResponseWriter, r *http.Request) error {
	id, v, err := versionParams(r)
	if err != nil {
		return err
	}
	rep, ver, err := m.Version(r.Context(), id, v)
	if err != nil {
		return err
	}
	return download(w, rep, ver, "json", ver.JSON)
}

// download answers body as the JSON file of rep's version ver, named by report, kind,
// year, version and suffix; X-Content-SHA256 is the version's canonical hash.
func download(w http.ResponseWriter, rep Report, ver Version, suffix string, body []byte) error {
	name := fmt.Sprintf("report-%d-%s-%d-v%d.%s", rep.ID, rep.Kind, rep.Year, ver.Version, suffix)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("X-Content-SHA256", ver.SHA256)
	_, err := w.Write(body)
	return err
}

// chinaTime formats t for the pages, in China time.
func chinaTime(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01-02 15:04") }

// AtCST is when the version was stored, in China time.
func (v Version) AtCST() string { return chinaTime(v.At) }

// AtCST is when the version was signed off, in China time.
func (s SignOff) AtCST() string { return chinaTime(s.At) }

// UpdatedCST is the report's last change, in China time.
func (r Report) UpdatedCST() string { return chinaTime(r.UpdatedAt) }
