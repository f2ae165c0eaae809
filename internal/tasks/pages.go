package tasks

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/catalog"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

var viewFuncs = template.FuncMap{"rmb": web.FormatRMB}

// labels are what the task pages show beside ids: duty titles and system names.
type labels struct {
	Titles  map[string]catalog.Text
	Systems map[string]string
}

func (m *Module) labels(ctx context.Context) (labels, error) {
	l := labels{Titles: map[string]catalog.Text{}, Systems: map[string]string{}}
	cat, err := m.obl.Catalog(ctx)
	if err != nil {
		return l, err
	}
	for _, o := range cat.Obligations {
		l.Titles[o.ID] = o.Title
	}
	_, systems, err := m.systems.Facts(ctx)
	if err != nil {
		return l, err
	}
	for _, s := range systems {
		l.Systems[strconv.FormatInt(s.ID, 10)] = s.Name
	}
	return l, nil
}

// users are the organisation's active users, in the order a Chinese reader looks for names
// (pinyin), for the owner picker.
func (m *Module) users(ctx context.Context) ([]auth.User, error) { return m.auth.ActiveUsers(ctx) }

type listView struct {
	labels
	Tasks  []Task
	Mine   bool
	Status string
	Now    time.Time
	// StatusValues are the statuses the list filters by.
	StatusValues []string
}

func (m *Module) listPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := Filter{Status: q.Get("status")}
	if f.Status != "" && f.Status != StatusOpen && f.Status != StatusInProgress && f.Status != StatusDone {
		return problem.Field("status", "must be open, in_progress or done")
	}
	mine := q.Get("mine") == "1"
	if mine {
		f.OwnerID = web.PrincipalFrom(ctx).User.ID
	}
	ts, err := m.List(ctx, f)
	if err != nil {
		return err
	}
	l, err := m.labels(ctx)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "nav.tasks", "/tasks")
	v.Data = listView{labels: l, Tasks: ts, Mine: mine, Status: f.Status, Now: m.now(), StatusValues: Statuses}
	return m.pages.Render(w, r, "page_list.html", v)
}

type newView struct {
	labels
	Finding rules.Finding
	Users   []auth.User
	In      NewTask
}

func (m *Module) newPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in := NewTask{ObligationID: q.Get("obligation"), SubjectKind: q.Get("subject_kind"), SubjectID: q.Get("subject_id")}
	if in.ObligationID == "" {
		return m.choosePage(w, r)
	}
	return m.renderNew(w, r, in, nil)
}

// chooseView lists the open gaps a task can be started for.
type chooseView struct {
	labels
	Gaps []rules.Finding
}

// choosePage is /tasks/new without a gap named: the open gaps, most urgent first, each
// with the link that starts a task for it.
func (m *Module) choosePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	fs, err := m.obl.CurrentFindings(ctx)
	if err != nil {
		return err
	}
	l, err := m.labels(ctx)
	if err != nil {
		return err
	}
	d := chooseView{labels: l}
	for _, f := range fs {
		if f.Status != rules.StatusMet && f.Status != rules.StatusNotApplicable {
			d.Gaps = append(d.Gaps, f)
		}
	}
	sort.SliceStable(d.Gaps, func(i, j int) bool { return d.Gaps[i].Status.Urgency() < d.Gaps[j].Status.Urgency() })
	v := m.d.Web.NewView(r, "tasks.new", "/tasks")
	v.Data = d
	return m.pages.Render(w, r, "page_choose.html", v)
}

// renderNew shows the form for a task of one open finding; after a refused submission it
// shows the reasons beside the fields and keeps what was typed.
func (m *Module) renderNew(w http.ResponseWriter, r *http.Request, in NewTask, formErr error) error {
	ctx := r.Context()
	if in.SubjectKind == "" || in.SubjectKind == "org" {
		org, _ := store.OrgFrom(ctx)
		in.SubjectKind, in.SubjectID = "org", strconv.FormatInt(org, 10)
	}
	f, open, err := m.openFinding(ctx, in.ObligationID, in.SubjectKind, in.SubjectID)
	if err != nil {
		return err
	}
	if !open {
		return store.ErrNotFound // no open gap to work on: nothing to show
	}
	l, err := m.labels(ctx)
	if err != nil {
		return err
	}
	users, err := m.users(ctx)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "tasks.new", "/tasks")
	if formErr != nil {
		if err := web.FieldErrors(formErr, v); err != nil {
			return err
		}
		// The status goes through the view, so that Render still sends the cookie that
		// clears a waiting message (and drops the message from this failed form).
		v.Status = http.StatusUnprocessableEntity
	} else {
		t := l.Titles[in.ObligationID]
		in.Title = v.L(t.Zh, t.En)
		if f.Due != nil && f.Due.After(m.now()) {
			in.Due = f.Due.In(calendar.Shanghai).Format(time.DateOnly)
		} else {
			in.Due = m.now().In(calendar.Shanghai).AddDate(0, 0, 30).Format(time.DateOnly)
		}
	}
	v.Data = newView{labels: l, Finding: f, Users: users, In: in}
	return m.pages.Render(w, r, "page_new.html", v)
}

func (m *Module) createPage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return problem.Field("form", "could not be read")
	}
	f := r.PostForm
	in := NewTask{ObligationID: f.Get("obligation_id"), SubjectKind: f.Get("subject_kind"), SubjectID: f.Get("subject_id"), Title: f.Get("title"), Due: f.Get("due")}
	if f.Get("owner_id") != "" {
		id, err := strconv.ParseInt(f.Get("owner_id"), 10, 64)
		if err != nil {
			return problem.Field("owner_id", "is not a user of your organisation")
		}
		in.OwnerID = id
	}
	t, err := m.Create(r.Context(), in)
	if _, ok := problem.As[*problem.Invalid](err); ok {
		return m.renderNew(w, r, in, err)
	}
	if err != nil && t.ID == 0 {
		return err
	}
	if err != nil {
		m.d.Log.Warn("task created, owner not notified", "task", t.ID, "err", err)
	}
	return web.Redirect(w, r, "/tasks/"+strconv.FormatInt(t.ID, 10), m.d.Web.Messages.T(web.RequestLang(r), "tasks.created"))
}

type taskView struct {
	labels
	Task      Task
	Finding   rules.Finding
	HasGap    bool
	Files     []fileRow
	CanWrite  bool
	CanAttest bool
	Now       time.Time
}

type fileRow struct {
	SHA256, Name string
}

func taskID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, store.ErrNotFound
	}
	return id, nil
}

func (m *Module) taskPage(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	return m.renderTask(w, r, id, m.d.Web.NewView(r, "tasks.task_title", "/tasks"))
}

// refused shows the task's page again with the refusals of err beside the controls of the
// form that was sent (the page's forms share no field name), or returns err for the error
// page when it refuses no field.
func (m *Module) refused(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	v := m.d.Web.NewView(r, "tasks.task_title", "/tasks")
	if ferr := web.FieldErrorsIn("", err, v, r.PostForm); ferr != nil {
		return ferr
	}
	return m.renderTask(w, r, id, v)
}

func (m *Module) renderTask(w http.ResponseWriter, r *http.Request, id int64, v *web.View) error {
	ctx := r.Context()
	t, err := m.Get(ctx, id)
	if err != nil {
		return err
	}
	l, err := m.labels(ctx)
	if err != nil {
		return err
	}
	f, open, err := m.openFinding(ctx, t.ObligationID, t.SubjectKind, t.SubjectID)
	if err != nil {
		return err
	}
	d := taskView{labels: l, Task: t, Finding: f, HasGap: open, CanWrite: web.Can(r, Write), CanAttest: web.Can(r, attest), Now: m.now()}
	if d.CanWrite && t.Open() {
		// Files already uploaded can be cited again instead of uploaded twice.
		files, err := m.ev.Files(ctx, 50)
		if err != nil {
			return err
		}
		attached := map[string]bool{}
		for _, e := range t.Evidence {
			attached[e.SHA256] = true
		}
		for _, f := range files {
			if !attached[f.SHA256] {
				d.Files = append(d.Files, fileRow{f.SHA256, f.Name})
			}
		}
	}
	// The page is titled with the task's own title, so that tabs and history tell tasks apart.
	v.TitleArgs = []any{t.Title}
	v.Data = d
	return m.pages.Render(w, r, "page_task.html", v)
}

func (m *Module) back(w http.ResponseWriter, r *http.Request, id int64, key string) error {
	return web.Redirect(w, r, "/tasks/"+strconv.FormatInt(id, 10), m.d.Web.Messages.T(web.RequestLang(r), key))
}

func (m *Module) commentPage(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	if err := m.Comment(r.Context(), id, r.PostFormValue("body")); err != nil {
		return m.refused(w, r, id, err)
	}
	return m.back(w, r, id, "tasks.commented")
}

// evidencePage attaches a file: one uploaded with the form, or one the organisation
// already holds, chosen by its hash.
func (m *Module) evidencePage(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	if _, err := m.Get(r.Context(), id); err != nil {
		return err // another organisation's task: nothing is uploaded for it
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return problem.Field("file", "the upload could not be read")
	}
	sha := r.FormValue("sha256")
	if sha == "" {
		if sha, err = m.ev.Upload(r, "file"); err != nil {
			return err
		}
	}
	if err := m.Attach(r.Context(), id, sha); err != nil {
		return m.refused(w, r, id, err)
	}
	return m.back(w, r, id, "tasks.attached")
}

func (m *Module) statusPage(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	if _, err := m.SetStatus(r.Context(), id, r.PostFormValue("status")); err != nil {
		return m.refused(w, r, id, err)
	}
	return m.back(w, r, id, "tasks.status_saved")
}

func (m *Module) closePage(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	in := CloseTask{Attest: r.PostFormValue("attest") == "on", Statement: r.PostFormValue("statement")}
	if in.Attest && !web.Can(r, attest) {
		return &problem.Forbidden{Reason: "your role may not attest duties"}
	}
	t, err := m.Close(r.Context(), id, in)
	if err != nil {
		return m.refused(w, r, id, err)
	}
	key := "tasks.closed"
	if t.AttestationID != 0 {
		key = "tasks.closed_attested"
	}
	return m.back(w, r, id, key)
}

// renderPart executes one of the widget templates with the request's view.
func (m *Module) renderPart(r *http.Request, name string, data map[string]any) (template.HTML, error) {
	data["V"] = m.d.Web.NewView(r, "", "")
	var b bytes.Buffer
	if err := m.widget.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

func (m *Module) renderWidget(r *http.Request) (template.HTML, error) {
	ctx := r.Context()
	ts, err := m.List(ctx, Filter{OwnerID: web.PrincipalFrom(ctx).User.ID, OpenOnly: true})
	if err != nil {
		return "", err
	}
	l, err := m.labels(ctx)
	if err != nil {
		return "", err
	}
	return m.renderPart(r, "widget", map[string]any{"Tasks": ts, "L": l, "Now": m.now()})
}

func (m *Module) systemSection(r *http.Request, id string) (template.HTML, error) {
	if !web.Can(r, Read) {
		return "", nil
	}
	ctx := r.Context()
	ts, err := m.List(ctx, Filter{SubjectKind: "system", SubjectID: id})
	if err != nil {
		return "", err
	}
	l, err := m.labels(ctx)
	if err != nil {
		return "", err
	}
	var gaps []rules.Finding
	if web.Can(r, Write) {
		fs, err := m.obl.CurrentFindings(ctx)
		if err != nil {
			return "", err
		}
		for _, f := range fs {
			if f.SubjectKind == rules.SubjectSystem && f.SubjectID == id && f.Status != rules.StatusMet && f.Status != rules.StatusNotApplicable {
				gaps = append(gaps, f)
			}
		}
	}
	return m.renderPart(r, "section", map[string]any{"Tasks": ts, "L": l, "Gaps": gaps, "SystemID": id, "Now": m.now()})
}
