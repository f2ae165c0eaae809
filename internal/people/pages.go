package people

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// overview is what the people page shows; Persons is filled for people.hr only.
type overview struct {
	Facts       Facts
	Unit        *Unit
	Head        string
	Manager     string
	HeadID      int64
	ManagerID   int64
	Declaration *Declaration
	Policy      Policy
	Source      [2]string
	Posts       []postView
	Courses     []Course
	Persons     []personJSON
	Year        int
	ImportErrs  []string
	Checks      []check
}

// postView is a key post with its holders by name (people.hr) or their count.
type postView struct {
	Post
	Named []namedHolder
}

// namedHolder is a holder of a key post with the person's name, for the remove panel and
// the correction of the day since.
type namedHolder struct {
	PersonID int64
	Name     string
	Since    string
}

// check is one line of the duties panel: a fact's label and whether it is in order.
type check struct {
	Text string
	OK   bool
}

func (m *Module) overviewData(r *http.Request) (*overview, error) {
	rs, err := m.Records(r.Context())
	if err != nil {
		return nil, err
	}
	decl, err := m.Declaration(r.Context())
	if err != nil {
		return nil, err
	}
	hr := web.Can(r, HR)
	now := m.Now()
	f := ComputeFacts(rs, now)
	o := &overview{Facts: f, Unit: rs.Unit, Declaration: decl, Policy: rs.Policy, Source: PolicySource, Courses: rs.Courses, Year: yearOf(now)}
	if decl != nil && (f.ManagerNamed || !decl.ManagerAppointed) {
		o.Declaration = nil // the manager is recorded now, or was never declared
	}
	name := func(pid int64) string {
		if p := rs.person(pid); p != nil {
			return p.Name
		}
		return ""
	}
	if hr && rs.Unit != nil {
		o.Head, o.Manager = name(rs.Unit.HeadID), name(rs.Unit.ManagerID)
		o.HeadID, o.ManagerID = rs.Unit.HeadID, rs.Unit.ManagerID
	}
	for _, p := range rs.Posts {
		pv := postView{Post: p}
		if hr {
			for _, h := range p.Holders {
				pv.Named = append(pv.Named, namedHolder{h.PersonID, name(h.PersonID), h.Since})
			}
		}
		o.Posts = append(o.Posts, pv)
	}
	if hr {
		o.Persons = m.personViews(rs, false)
	}
	lang := web.RequestLang(r)
	t := func(key string, args ...any) string { return m.d.Web.Messages.T(lang, key, args...) }
	o.Checks = []check{
		{t("people.check.org"), f.SecurityOrgEstablished},
		{t("people.check.head"), f.HeadNamed && f.HeadVetted},
		{t("people.check.manager"), f.ManagerNamed && f.ManagerVetted},
		{t("people.check.posts", f.KeyPosts, f.KeyPostsUnfilled), f.KeyPosts > 0 && f.KeyPostsUnfilled == 0},
		{t("people.check.unvetted", f.KeyPostsUnvetted), f.KeyPosts > 0 && f.KeyPostsUnvetted == 0},
		{t("people.check.overdue", f.VettingOverdue), f.VettingOverdue == 0},
		{t("people.check.certified", f.Uncertified), f.KeyPosts > 0 && f.Uncertified == 0},
		{t("people.check.staff_training", f.TrainingYear, f.StaffBelow), f.StaffBelow == 0},
		{t("people.check.key_training", f.TrainingYear, f.KeyPostsBelow), f.KeyPostsBelow == 0},
	}
	return o, nil
}

func (m *Module) overviewPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderOverview(w, r, m.d.Web.NewView(r, "nav.people", "/people"))
}

func (m *Module) renderOverview(w http.ResponseWriter, r *http.Request, v *web.View) error {
	o, err := m.overviewData(r)
	if err != nil {
		return err
	}
	v.Data = o
	return m.pages.Render(w, r, "page_people.html", v)
}

func (m *Module) personPage(w http.ResponseWriter, r *http.Request) error {
	pid, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	return m.renderPerson(w, r, pid, m.d.Web.NewView(r, "people.person", "/people"))
}

// refused shows the page the form was sent from again (the person page when person is
// not 0, else the overview) with the refusals of err on that form's controls, or returns
// err for the error page when it refuses no field.
func (m *Module) refused(w http.ResponseWriter, r *http.Request, form string, person int64, err error) error {
	title := "nav.people"
	if person != 0 {
		title = "people.person"
	}
	v := m.d.Web.NewView(r, title, "/people")
	if ferr := web.FieldErrorsIn(form, err, v, r.PostForm); ferr != nil {
		return ferr
	}
	if person != 0 {
		return m.renderPerson(w, r, person, v)
	}
	return m.renderOverview(w, r, v)
}

func (m *Module) renderPerson(w http.ResponseWriter, r *http.Request, pid int64, v *web.View) error {
	p, err := m.Person(r.Context(), pid)
	if err != nil {
		return err
	}
	rs, err := m.Records(r.Context())
	if err != nil {
		return err
	}
	now := m.Now()
	y := yearOf(now)
	v.TitleArgs = []any{p.Name}
	v.Data = map[string]any{"P": m.personView(rs, p, today(now), rs.TrainingHours(y), rs.TrainingHours(y-1), true), "Year": y, "Policy": rs.Policy}
	return m.pages.Render(w, r, "page_person.html", v)
}

// t translates a message for a flash.
func (m *Module) t(r *http.Request, key string) string {
	return m.d.Web.Messages.T(web.RequestLang(r), key)
}

func (m *Module) back(w http.ResponseWriter, r *http.Request, path string) error {
	return web.Redirect(w, r, path, m.t(r, "people.saved"))
}

// formID reads an optional id from a form field: "" is 0.
func formID(r *http.Request, field string, v *problem.Invalid) int64 {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		v.Add(field, "must be chosen from the list")
	}
	return n
}

func formHours(r *http.Request, field string, v *problem.Invalid, required bool) Hours {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		if required {
			v.Add(field, "is required")
		}
		return 0
	}
	h, err := ParseHours(s)
	if err != nil {
		v.Add(field, "must be a number of hours with at most one decimal, such as 8 or 1.5, not %q", s)
	}
	return h
}

func (m *Module) unitPage(w http.ResponseWriter, r *http.Request) error {
	v := &problem.Invalid{}
	in := UnitInput{Name: r.PostFormValue("name"), EstablishedOn: r.PostFormValue("established_on"), HeadID: formID(r, "head_id", v), ManagerID: formID(r, "manager_id", v)}
	err := v.Err()
	if err == nil {
		_, err = m.SaveUnit(r.Context(), in)
	}
	if err != nil {
		return m.refused(w, r, "unit", 0, err)
	}
	return m.back(w, r, "/people")
}

func personFromForm(r *http.Request) PersonInput {
	return PersonInput{Name: r.PostFormValue("name"), EmployeeNo: r.PostFormValue("employee_no"), Department: r.PostFormValue("department"),
		Title: r.PostFormValue("title"), SecurityStaff: r.PostFormValue("security_staff") != "", JoinedOn: r.PostFormValue("joined_on"), LeftOn: r.PostFormValue("left_on")}
}

func (m *Module) addPersonPage(w http.ResponseWriter, r *http.Request) error {
	p, err := m.AddPerson(r.Context(), personFromForm(r))
	if err != nil {
		return m.refused(w, r, "person", 0, err)
	}
	return m.back(w, r, fmt.Sprintf("/people/persons/%d", p.ID))
}

func (m *Module) updatePersonPage(w http.ResponseWriter, r *http.Request) error {
	pid, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.UpdatePerson(r.Context(), pid, personFromForm(r)); err != nil {
		return m.refused(w, r, "p", pid, err)
	}
	return m.back(w, r, fmt.Sprintf("/people/persons/%d", pid))
}

func (m *Module) vettingPage(w http.ResponseWriter, r *http.Request) error {
	pid, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	in := VettingInput{CheckedOn: r.PostFormValue("checked_on"), Result: r.PostFormValue("result"), NextDue: r.PostFormValue("next_due"), Reference: r.PostFormValue("reference")}
	if _, err := m.AddVetting(r.Context(), pid, in); err != nil {
		return m.refused(w, r, "vet", pid, err)
	}
	return m.back(w, r, fmt.Sprintf("/people/persons/%d", pid))
}

func (m *Module) certificationPage(w http.ResponseWriter, r *http.Request) error {
	pid, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	in := CertificationInput{Name: r.PostFormValue("name"), Issuer: r.PostFormValue("issuer"), Number: r.PostFormValue("number"), ExpiresOn: r.PostFormValue("expires_on")}
	if _, err := m.AddCertification(r.Context(), pid, in); err != nil {
		return m.refused(w, r, "cert", pid, err)
	}
	return m.back(w, r, fmt.Sprintf("/people/persons/%d", pid))
}

func (m *Module) addPostPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := m.AddPost(r.Context(), PostInput{Name: r.PostFormValue("name"), Duties: r.PostFormValue("duties")}); err != nil {
		return m.refused(w, r, "post", 0, err)
	}
	return m.back(w, r, "/people#posts")
}

func (m *Module) addHolderPage(w http.ResponseWriter, r *http.Request) error {
	post, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	v := &problem.Invalid{}
	h := Holder{PersonID: formID(r, "person_id", v), Since: r.PostFormValue("since")}
	err = v.Err()
	if err == nil {
		err = m.AddHolder(r.Context(), post, h)
	}
	if err != nil {
		return m.refused(w, r, fmt.Sprintf("holder-%d", post), 0, err)
	}
	return m.back(w, r, "/people#posts")
}

// holderSincePage corrects the day since which a person holds a key post.
func (m *Module) holderSincePage(w http.ResponseWriter, r *http.Request) error {
	post, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	person, err := web.IDParam(r, "person")
	if err != nil {
		return err
	}
	if err := m.SetHolderSince(r.Context(), post, person, r.PostFormValue("since")); err != nil {
		return m.refused(w, r, fmt.Sprintf("since-%d-%d", post, person), 0, err)
	}
	return m.back(w, r, "/people#posts")
}

// removeHolderPage takes a person off a key post, once confirmed on the panel that names
// both (web.Confirmed): the post's facts change at once, as with the API's DELETE.
func (m *Module) removeHolderPage(w http.ResponseWriter, r *http.Request) error {
	post, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	person, err := web.IDParam(r, "person")
	if err != nil {
		return err
	}
	if err := web.Confirmed(r); err != nil {
		return err
	}
	if err := m.RemoveHolder(r.Context(), post, person); err != nil {
		return err
	}
	return m.back(w, r, "/people#posts")
}

func (m *Module) addCoursePage(w http.ResponseWriter, r *http.Request) error {
	v := &problem.Invalid{}
	in := CourseInput{Title: r.PostFormValue("title"), HeldOn: r.PostFormValue("held_on"), Hours: formHours(r, "hours", v, true), Provider: r.PostFormValue("provider")}
	err := v.Err()
	if err == nil {
		_, err = m.AddCourse(r.Context(), in)
	}
	if err != nil {
		return m.refused(w, r, "course", 0, err)
	}
	return m.back(w, r, "/people#training")
}

func (m *Module) attendPage(w http.ResponseWriter, r *http.Request) error {
	cid, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	v := &problem.Invalid{}
	a := Attendance{CourseID: cid, PersonID: formID(r, "person_id", v), Hours: formHours(r, "hours", v, false)}
	if a.PersonID == 0 {
		v.Add("person_id", "is required")
	}
	err = v.Err()
	if err == nil {
		err = m.Attend(r.Context(), a)
	}
	if err != nil {
		return m.refused(w, r, "attend", 0, err)
	}
	return m.back(w, r, "/people#training")
}

func (m *Module) policyPage(w http.ResponseWriter, r *http.Request) error {
	v := &problem.Invalid{}
	num := func(field string) int {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(field)))
		if err != nil {
			v.Add(field, "must be a whole number")
		}
		return n
	}
	p := Policy{StaffDays: num("staff_days"), KeyPostDays: num("key_post_days"), HoursPerDay: num("hours_per_day"), VettingYears: num("vetting_years")}
	err := v.Err()
	if err == nil {
		_, err = m.SavePolicy(r.Context(), p)
	}
	if err != nil {
		return m.refused(w, r, "pol", 0, err)
	}
	return m.back(w, r, "/people#policy")
}

// importPage records an uploaded attendance file, or shows the overview again with every
// refused line and column in the reader's language.
func (m *Module) importPage(w http.ResponseWriter, r *http.Request) error {
	f, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return m.refused(w, r, "import", 0, problem.Field("file", "is required"))
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("read the uploaded file: %w", err)
	}
	rows, err := ParseAttendance(data)
	var res ImportResult
	if err == nil {
		res, err = m.Import(r.Context(), rows)
	}
	var ie *ImportError
	if errors.As(err, &ie) {
		o, oerr := m.overviewData(r)
		if oerr != nil {
			return oerr
		}
		lang := web.RequestLang(r)
		tr := m.d.Web.Messages.Reasons(lang)
		for _, e := range ie.Rows {
			o.ImportErrs = append(o.ImportErrs, m.d.Web.Messages.T(lang, "people.import.row_error", e.Line, ColumnLabel(e.Column, lang), e.In(tr)))
		}
		v := m.d.Web.NewView(r, "nav.people", "/people")
		v.Data, v.Status = o, http.StatusBadRequest
		return m.pages.Render(w, r, "page_people.html", v)
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/people#training", m.d.Web.Messages.T(web.RequestLang(r), "people.import.done", res.Rows, res.CoursesCreated))
}

// renderWidget shows the people duties' state as counts on the home page.
func (m *Module) renderWidget(r *http.Request) (template.HTML, error) {
	o, err := m.overviewData(r)
	if err != nil {
		return "", err
	}
	v := m.d.Web.NewView(r, "", "")
	var buf bytes.Buffer
	if err := m.widget.ExecuteTemplate(&buf, "widget", map[string]any{"V": v, "O": o}); err != nil {
		return "", fmt.Errorf("render people widget: %w", err)
	}
	return template.HTML(buf.String()), nil
}
