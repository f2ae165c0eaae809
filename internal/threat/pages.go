package threat

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// bj writes a time as Beijing wall-clock time, the way deadlines are read.
func bj(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Shanghai).Format("2006-01-02 15:04")
}

func bjp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return bj(*t)
}

// huntView is a retro-hunt's progress line.
type huntView struct {
	Hunt
	Percent int
	ETA     string // seconds left, while running
}

func huntViews(hs []Hunt) (out []huntView, running bool) {
	for _, h := range hs {
		v := huntView{Hunt: h}
		if h.Total > 0 {
			v.Percent = int(h.Scanned * 100 / h.Total)
		} else if h.State == HuntDone {
			v.Percent = 100
		}
		if h.ETASeconds != nil {
			v.ETA = strconv.FormatInt(*h.ETASeconds, 10)
		}
		running = running || h.State == HuntQueued || h.State == HuntRunning
		out = append(out, v)
	}
	return out, running
}

// homeData is the operator's threat page.
type homeData struct {
	Inbox       []InboxItem
	Hunts       []huntView
	Hits        []Hit
	Imports     []Import
	Collections []Collection
	Formats     []string
	TLPs        []string
	TriageHours int64
}

func (m *Module) homeView(r *http.Request) (*web.View, error) {
	ctx := r.Context()
	d := &homeData{Collections: Collections, Formats: Formats, TLPs: TLPs}
	var err error
	if d.Inbox, err = m.Inbox(ctx); err != nil {
		return nil, err
	}
	hs, err := m.Hunts(ctx, 10)
	if err != nil {
		return nil, err
	}
	var running bool
	d.Hunts, running = huntViews(hs)
	if d.Hits, err = m.Hits(ctx, 200); err != nil {
		return nil, err
	}
	if d.Imports, err = m.Imports(ctx, 10); err != nil {
		return nil, err
	}
	f, err := m.Facts(ctx)
	if err != nil {
		return nil, err
	}
	d.TriageHours = f.TriageHours
	v := m.d.Web.NewView(r, "nav.threat", "/threat")
	v.Data = d
	if running {
		v.Refresh = 2
	}
	return v, nil
}

func (m *Module) homePage(w http.ResponseWriter, r *http.Request) error {
	v, err := m.homeView(r)
	if err != nil {
		return err
	}
	return m.pages.Render(w, r, "page_threat.html", v)
}

// homeError shows the threat page again with a form's errors.
func (m *Module) homeError(w http.ResponseWriter, r *http.Request, err error) error {
	v, verr := m.homeView(r)
	if verr != nil {
		return verr
	}
	if err := web.FieldErrors(err, v); err != nil {
		return err
	}
	v.Form, v.Status, v.Refresh = r.PostForm, http.StatusBadRequest, 0
	return m.pages.Render(w, r, "page_threat.html", v)
}

func (m *Module) flash(r *http.Request, key string) string {
	return m.d.Web.Messages.T(web.RequestLang(r), key)
}

func (m *Module) inboxView(r *http.Request) (*web.View, error) {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return nil, err
	}
	it, err := m.InboxItemOf(r.Context(), id)
	if err != nil {
		return nil, err
	}
	v := m.d.Web.NewView(r, "threat.notification", "/threat")
	v.TitleArgs = []any{id}
	v.Data = it
	return v, nil
}

func (m *Module) inboxPage(w http.ResponseWriter, r *http.Request) error {
	v, err := m.inboxView(r)
	if err != nil {
		return err
	}
	return m.pages.Render(w, r, "page_inbox.html", v)
}

func (m *Module) inboxError(w http.ResponseWriter, r *http.Request, err error) error {
	v, verr := m.inboxView(r)
	if verr != nil {
		return verr
	}
	if err := web.FieldErrors(err, v); err != nil {
		return err
	}
	v.Form, v.Status = r.PostForm, http.StatusBadRequest
	return m.pages.Render(w, r, "page_inbox.html", v)
}

func (m *Module) acknowledgePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Acknowledge(r.Context(), id); err != nil {
		return m.inboxError(w, r, err)
	}
	return web.Redirect(w, r, "/threat/inbox/"+idStr(id), m.flash(r, "threat.acknowledged"))
}

func (m *Module) answerPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	if _, err := m.Answer(r.Context(), id, r.PostFormValue("answer")); err != nil {
		return m.inboxError(w, r, err)
	}
	return web.Redirect(w, r, "/threat/inbox/"+idStr(id), m.flash(r, "threat.answered"))
}

func (m *Module) previewPage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	f := r.PostFormValue
	n := NewImport{Format: f("format"), Collection: f("collection"), TLP: f("tlp")}
	var body io.Reader = strings.NewReader(f("content"))
	pasted := true
	if file, hdr, err := r.FormFile("file"); err == nil {
		defer file.Close()
		body, n.Name, pasted = file, hdr.Filename, false
	} else if !errors.Is(err, http.ErrMissingFile) {
		return m.homeError(w, r, problem.Field("file", "cannot be read: %v", err))
	}
	im, err := m.Preview(r.Context(), n, body)
	if err != nil {
		if iv, ok := problem.As[*problem.Invalid](err); ok && pasted {
			// The feed was pasted, not uploaded: its refusal belongs beside the box it
			// was pasted in.
			for i := range iv.Fields {
				if iv.Fields[i].Field == "file" {
					iv.Fields[i].Field = "content"
				}
			}
		}
		return m.homeError(w, r, err)
	}
	return web.Redirect(w, r, "/threat/imports/"+idStr(im.ID), "")
}

// importData is an import's preview page: the items shown are the first maxShown.
type importData struct {
	Import
	Shown    []Item
	Problems []problemView
}

type problemView struct {
	Line   int
	Reason string
}

const maxShown = 200

func (m *Module) importPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	im, err := m.ImportOf(r.Context(), id)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "threat.import", "/threat")
	v.TitleArgs = []any{id}
	d := importData{Import: im, Shown: im.Items[:min(len(im.Items), maxShown)]}
	tr := m.d.Web.Messages.Reasons(v.Lang)
	for _, p := range im.Problems {
		d.Problems = append(d.Problems, problemView{Line: p.Line, Reason: p.In(tr)})
	}
	v.Data = d
	return m.pages.Render(w, r, "page_import.html", v)
}

func (m *Module) commitPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Commit(r.Context(), id); err != nil {
		return m.homeError(w, r, err)
	}
	return web.Redirect(w, r, "/threat", m.flash(r, "threat.committed"))
}

// hitData is a hit's page: the proof written out for people to copy.
type hitData struct {
	Hit
	Leaf, Root string
	Hashes     []string
	EventText  string
}

func (m *Module) hitView(r *http.Request) (*web.View, error) {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return nil, err
	}
	h, err := m.HitOf(r.Context(), id)
	if err != nil {
		return nil, err
	}
	d := hitData{Hit: h, Leaf: base64.StdEncoding.EncodeToString(h.Proof.Leaf), Root: base64.StdEncoding.EncodeToString(h.Proof.Root)}
	for _, x := range h.Proof.Hashes {
		d.Hashes = append(d.Hashes, base64.StdEncoding.EncodeToString(x))
	}
	var ev struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(h.Event, &ev)
	d.EventText = ev.Message
	v := m.d.Web.NewView(r, "threat.hit", "/threat")
	v.TitleArgs = []any{id}
	v.Data = d
	return v, nil
}

func (m *Module) hitPage(w http.ResponseWriter, r *http.Request) error {
	v, err := m.hitView(r)
	if err != nil {
		return err
	}
	return m.pages.Render(w, r, "page_hit.html", v)
}

func (m *Module) hitError(w http.ResponseWriter, r *http.Request, err error) error {
	v, verr := m.hitView(r)
	if verr != nil {
		return verr
	}
	if err := web.FieldErrors(err, v); err != nil {
		return err
	}
	v.Form, v.Status = r.PostForm, http.StatusBadRequest
	return m.pages.Render(w, r, "page_hit.html", v)
}

func (m *Module) triagePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	if _, err := m.Triage(r.Context(), id, r.PostFormValue("triage"), r.PostFormValue("note")); err != nil {
		return m.hitError(w, r, err)
	}
	return web.Redirect(w, r, "/threat/hits/"+idStr(id), m.flash(r, "threat.triaged"))
}

func (m *Module) sharePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Share(r.Context(), id); err != nil {
		return m.hitError(w, r, err)
	}
	return web.Redirect(w, r, "/threat/hits/"+idStr(id), m.flash(r, "threat.shared"))
}

func (m *Module) settingsPage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	h, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("triage_hours")))
	if err != nil {
		return m.homeError(w, r, problem.Field("triage_hours", "must be a whole number of hours from 1 to 720"))
	}
	if err := m.SetTriageHours(r.Context(), h); err != nil {
		return m.homeError(w, r, err)
	}
	return web.Redirect(w, r, "/threat", m.flash(r, "threat.settings_saved"))
}

// regulatorData is the regulator's threat page.
type regulatorData struct {
	Notifications []Notification
	Sightings     []SharedSighting
	Sectors       []Sector
	Severities    []string
	TLPs          []string
	Formats       []string
	// Operators are the installation's operators, to name as recipients.
	Operators []operatorOption
	// LineErrors are the refused indicator lines of the last publish.
	LineErrors []problemView
	// sent are the sectors the refused submit named, ticked again.
	sent []string
}

// Chosen reports whether the refused submit named the sector code.
func (d *regulatorData) Chosen(code string) bool { return slices.Contains(d.sent, code) }

// operatorOption is an operator in the list of named recipients; Chosen when the refused
// submit named it.
type operatorOption struct {
	ID             int64
	NameZH, NameEN string
	Chosen         bool
}

func (m *Module) regulatorView(r *http.Request) (*web.View, error) {
	d := &regulatorData{Sectors: Sectors, Severities: Severities, TLPs: TLPs, Formats: Formats, sent: r.PostForm["sectors"]}
	ops, err := m.auth.ListOrgs(r.Context(), auth.Operator)
	if err != nil {
		return nil, fmt.Errorf("list operators: %w", err)
	}
	for _, o := range ops {
		d.Operators = append(d.Operators, operatorOption{ID: o.ID, NameZH: o.NameZH, NameEN: o.NameEN,
			Chosen: slices.Contains(r.PostForm["recipients"], strconv.FormatInt(o.ID, 10))})
	}
	if d.Notifications, err = m.Notifications(r.Context()); err != nil {
		return nil, err
	}
	if d.Sightings, err = m.Sightings(r.Context()); err != nil {
		return nil, err
	}
	v := m.d.Web.NewView(r, "nav.threat_regulator", "/threat/regulator")
	v.Data = d
	return v, nil
}

func (m *Module) regulatorPage(w http.ResponseWriter, r *http.Request) error {
	v, err := m.regulatorView(r)
	if err != nil {
		return err
	}
	return m.pages.Render(w, r, "page_regulator.html", v)
}

func (m *Module) publishPage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	f := r.PostFormValue
	n := NewNotification{TitleZH: f("title_zh"), TitleEN: f("title_en"), Summary: f("summary"), Severity: f("severity"), Sectors: r.PostForm["sectors"],
		Actions: f("actions"), Deadline: f("deadline"), TLP: f("tlp"), Format: f("format"), Indicators: f("indicators")}
	var err error
	for i, s := range r.PostForm["recipients"] {
		id, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil {
			err = problem.Field("recipients["+strconv.Itoa(i)+"]", "is not an operator organisation")
			break
		}
		n.Recipients = append(n.Recipients, id)
	}
	var out Notification
	if err == nil {
		out, err = m.Publish(r.Context(), n)
	}
	if err != nil {
		v, verr := m.regulatorView(r)
		if verr != nil {
			return verr
		}
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		d := v.Data.(*regulatorData)
		for k, reason := range v.Errors {
			// The list shows one refusal for all its options.
			if strings.HasPrefix(k, "recipients[") && v.Errors["recipients"] == "" {
				v.Errors["recipients"] = reason
			}
			if n, ok := strings.CutPrefix(k, "indicators.line["); ok {
				line, _ := strconv.Atoi(strings.TrimSuffix(n, "]"))
				d.LineErrors = append(d.LineErrors, problemView{Line: line, Reason: reason})
			}
		}
		slices.SortFunc(d.LineErrors, func(a, b problemView) int { return a.Line - b.Line })
		v.Form, v.Status = r.PostForm, http.StatusBadRequest
		return m.pages.Render(w, r, "page_regulator.html", v)
	}
	return web.Redirect(w, r, "/threat/regulator/notifications/"+idStr(out.ID), m.flash(r, "threat.published_ok"))
}

func (m *Module) notificationPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	n, err := m.NotificationOf(r.Context(), id)
	if err != nil {
		return err
	}
	n.Bundle = nil
	v := m.d.Web.NewView(r, "threat.published_notification", "/threat/regulator")
	v.TitleArgs = []any{id}
	v.Data = n
	return m.pages.Render(w, r, "page_notification.html", v)
}

// Times in Beijing wall-clock time, for the pages.

// DeadlineCST is the deadline in China time.
func (it InboxItem) DeadlineCST() string { return bj(it.Deadline) }

// PublishedCST is the publication time in China time.
func (it InboxItem) PublishedCST() string { return bj(it.PublishedAt) }

// AcknowledgedCST is the acknowledgement time in China time.
func (it InboxItem) AcknowledgedCST() string { return bjp(it.AcknowledgedAt) }

// AnsweredCST is the answer's time in China time.
func (it InboxItem) AnsweredCST() string { return bjp(it.AnsweredAt) }

// DeadlineCST is the deadline in China time.
func (n Notification) DeadlineCST() string { return bj(n.Deadline) }

// PublishedCST is the publication time in China time.
func (n Notification) PublishedCST() string { return bj(n.PublishedAt) }

// AcknowledgedCST is the acknowledgement time in China time.
func (r Response) AcknowledgedCST() string { return bjp(r.AcknowledgedAt) }

// AnsweredCST is the answer's time in China time.
func (r Response) AnsweredCST() string { return bjp(r.AnsweredAt) }

// FirstCST is when the indicator was first seen, in China time.
func (h Hit) FirstCST() string { return bj(h.FirstSeen) }

// LastCST is when the indicator was last seen, in China time.
func (h Hit) LastCST() string { return bj(h.LastSeen) }

// TriageDueCST is the triage deadline in China time.
func (h Hit) TriageDueCST() string { return bj(h.TriageDue) }

// TriagedCST is the triage time in China time.
func (h Hit) TriagedCST() string { return bjp(h.TriagedAt) }

// SharedCST is when the sighting was shared, in China time.
func (h Hit) SharedCST() string { return bjp(h.SharedAt) }

// FirstCST is when the indicator was first seen, in China time.
func (s SharedSighting) FirstCST() string { return bj(s.FirstSeen) }

// LastCST is when the indicator was last seen, in China time.
func (s SharedSighting) LastCST() string { return bj(s.LastSeen) }

// SharedCST is when the sighting was shared, in China time.
func (s SharedSighting) SharedCST() string { return bj(s.SharedAt) }

// CreatedCST is when the retro-hunt was queued, in China time.
func (h Hunt) CreatedCST() string { return bj(h.CreatedAt) }

// CreatedCST is when the import was read, in China time.
func (im Import) CreatedCST() string { return bj(im.CreatedAt) }

// CollectionZh is the Chinese name of the indicator's collection.
func (in Indicator) CollectionZh() string { c, _ := CollectionOf(in.Collection); return c.Zh }

// CollectionEn is the English name of the indicator's collection.
func (in Indicator) CollectionEn() string { c, _ := CollectionOf(in.Collection); return c.En }

// CollectionZh is the Chinese name of the import's collection.
func (im Import) CollectionZh() string { c, _ := CollectionOf(im.Collection); return c.Zh }

// CollectionEn is the English name of the import's collection.
func (im Import) CollectionEn() string { c, _ := CollectionOf(im.Collection); return c.En }
