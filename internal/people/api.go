package people

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// unitJSON is the security organisation in the API; the head's and manager's ids are
// personal (they lead to the person) and only given to holders of people.hr.
type unitJSON struct {
	Name          string `json:"name"`
	EstablishedOn string `json:"established_on"`
	Source        string `json:"source"`
	HeadNamed     bool   `json:"head_named"`
	ManagerNamed  bool   `json:"manager_named"`
	HeadID        int64  `json:"head_id,omitempty"`
	ManagerID     int64  `json:"manager_id,omitempty"`
}

// postJSON is a key post in the API: holders as a count, their ids for people.hr only.
type postJSON struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Duties    string   `json:"duties"`
	HolderN   int      `json:"holders"`
	HolderIDs []Holder `json:"holder_ids,omitempty"`
}

// personJSON is a person with where they stand, for holders of people.hr.
type personJSON struct {
	Person
	KeyPosts      []string        `json:"key_posts"`
	Vetting       VettingState    `json:"vetting"`
	LastVetting   *Vetting        `json:"last_vetting,omitempty"`
	Vettings      []Vetting       `json:"vettings,omitempty"`
	Certs         []Certification `json:"certifications,omitempty"`
	HoursThisYear Hours           `json:"training_hours_this_year"`
	HoursLastYear Hours           `json:"training_hours_last_year"`
}

// wantsPersonal reads ?include=personal: asked for and not permitted is 403, not a quiet
// omission, so that an export's reader knows the personal fields were withheld.
func wantsPersonal(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("include") {
	case "":
		return false, nil
	case "personal":
		if !web.Can(r, HR) {
			return false, &problem.Forbidden{Reason: "personal information about staff needs the people.hr permission"}
		}
		return true, nil
	}
	return false, problem.Field("include", "must be personal or left out")
}

func (m *Module) apiSummary(w http.ResponseWriter, r *http.Request) error {
	personal, err := wantsPersonal(r)
	if err != nil {
		return err
	}
	rs, err := m.Records(r.Context())
	if err != nil {
		return err
	}
	decl, err := m.Declaration(r.Context())
	if err != nil {
		return err
	}
	v := m.summary(rs, personal)
	v["declaration"] = decl
	return web.JSON(w, http.StatusOK, v)
}

// summary builds the overview of the records; personal adds who.
func (m *Module) summary(rs *Records, personal bool) map[string]any {
	now := m.Now()
	f := ComputeFacts(rs, now)
	var unit *unitJSON
	if u := rs.Unit; u != nil {
		unit = &unitJSON{Name: u.Name, EstablishedOn: u.EstablishedOn, Source: u.Source, HeadNamed: f.HeadNamed, ManagerNamed: f.ManagerNamed}
		if personal {
			unit.HeadID, unit.ManagerID = u.HeadID, u.ManagerID
		}
	}
	posts := make([]postJSON, 0, len(rs.Posts))
	for _, p := range rs.Posts {
		pj := postJSON{ID: p.ID, Name: p.Name, Duties: p.Duties, HolderN: len(p.Holders)}
		if personal {
			pj.HolderIDs = p.Holders
		}
		posts = append(posts, pj)
	}
	courses := rs.Courses
	if courses == nil {
		courses = []Course{}
	}
	out := map[string]any{"unit": unit, "facts": f, "policy": rs.Policy,
		"policy_source": map[string]string{"zh": PolicySource[0], "en": PolicySource[1]}, "posts": posts, "courses": courses}
	if personal {
		out["persons"] = m.personViews(rs, false)
	}
	return out
}

// personViews returns every person with where they stand; detail adds every check and
// certificate.
func (m *Module) personViews(rs *Records, detail bool) []personJSON {
	now := m.Now()
	day := today(now)
	y := yearOf(now)
	this, last := rs.TrainingHours(y), rs.TrainingHours(y-1)
	out := make([]personJSON, 0, len(rs.Persons))
	for _, p := range rs.Persons {
		out = append(out, m.personView(rs, p, day, this, last, detail))
	}
	return out
}

func (m *Module) personView(rs *Records, p Person, day string, this, last map[int64]Hours, detail bool) personJSON {
	pj := personJSON{Person: p, KeyPosts: []string{}, HoursThisYear: this[p.ID], HoursLastYear: last[p.ID]}
	for _, post := range rs.Posts {
		for _, h := range post.Holders {
			if h.PersonID == p.ID {
				pj.KeyPosts = append(pj.KeyPosts, post.Name)
			}
		}
	}
	pj.Vetting, pj.LastVetting = rs.VettingOf(p.ID, day)
	if detail {
		pj.Vettings, pj.Certs = []Vetting{}, []Certification{}
		for _, v := range rs.Vettings {
			if v.PersonID == p.ID {
				pj.Vettings = append(pj.Vettings, v)
			}
		}
		for _, c := range rs.Certs {
			if c.PersonID == p.ID {
				pj.Certs = append(pj.Certs, c)
			}
		}
	}
	return pj
}

func (m *Module) apiPersons(w http.ResponseWriter, r *http.Request) error {
	rs, err := m.Records(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"persons": m.personViews(rs, false)})
}

func (m *Module) apiPerson(w http.ResponseWriter, r *http.Request) error {
	pid, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
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
	return web.JSON(w, http.StatusOK, m.personView(rs, p, today(now), rs.TrainingHours(y), rs.TrainingHours(y-1), true))
}

func (m *Module) apiAddPerson(w http.ResponseWriter, r *http.Request) error {
	var in PersonInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := m.AddPerson(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, p)
}

func (m *Module) apiUpdatePerson(w http.ResponseWriter, r *http.Request) error {
	pid, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in PersonInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := m.UpdatePerson(r.Context(), pid, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

func (m *Module) apiUnit(w http.ResponseWriter, r *http.Request) error {
	var in UnitInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	u, err := m.SaveUnit(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, u)
}

func (m *Module) apiVetting(w http.ResponseWriter, r *http.Request) error {
	pid, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in VettingInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := m.AddVetting(r.Context(), pid, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, v)
}

func (m *Module) apiCertification(w http.ResponseWriter, r *http.Request) error {
	pid, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in CertificationInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := m.AddCertification(r.Context(), pid, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}

func (m *Module) apiAddPost(w http.ResponseWriter, r *http.Request) error {
	var in PostInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := m.AddPost(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, postJSON{ID: p.ID, Name: p.Name, Duties: p.Duties})
}

func (m *Module) apiAddHolder(w http.ResponseWriter, r *http.Request) error {
	post, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var h Holder
	if err := web.DecodeJSON(r, &h); err != nil {
		return err
	}
	if err := m.AddHolder(r.Context(), post, h); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, h)
}

func (m *Module) apiHolderSince(w http.ResponseWriter, r *http.Request) error {
	post, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	person, err := web.IDParam(r, "person")
	if err != nil {
		return err
	}
	var in struct {
		Since string `json:"since"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := m.SetHolderSince(r.Context(), post, person, in.Since); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, Holder{PersonID: person, Since: strings.TrimSpace(in.Since)})
}

func (m *Module) apiRemoveHolder(w http.ResponseWriter, r *http.Request) error {
	post, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	person, err := web.IDParam(r, "person")
	if err != nil {
		return err
	}
	if err := m.RemoveHolder(r.Context(), post, person); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) apiAddCourse(w http.ResponseWriter, r *http.Request) error {
	var in CourseInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := m.AddCourse(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}

func (m *Module) apiAttend(w http.ResponseWriter, r *http.Request) error {
	cid, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var a Attendance
	if err := web.DecodeJSON(r, &a); err != nil {
		return err
	}
	a.CourseID = cid
	if err := m.Attend(r.Context(), a); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, a)
}

func (m *Module) apiImport(w http.ResponseWriter, r *http.Request) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return err // too large: the web kernel answers 413
	}
	res, err := m.importFile(r, data)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, res)
}

// importFile parses and records an attendance file; a refused file is a 400 naming each
// line and column.
func (m *Module) importFile(r *http.Request, data []byte) (ImportResult, error) {
	rows, err := ParseAttendance(data)
	if err == nil {
		var res ImportResult
		if res, err = m.Import(r.Context(), rows); err == nil {
			return res, nil
		}
	}
	var ie *ImportError
	if errors.As(err, &ie) {
		return ImportResult{}, ie.Problem()
	}
	return ImportResult{}, err
}

func (m *Module) apiPolicy(w http.ResponseWriter, r *http.Request) error {
	var p Policy
	if err := web.DecodeJSON(r, &p); err != nil {
		return err
	}
	p, err := m.SavePolicy(r.Context(), p)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}
