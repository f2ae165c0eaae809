package tasks

import (
	"net/http"
	"strconv"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := Filter{Status: q.Get("status"), OpenOnly: q.Get("open") == "true"}
	if f.Status != "" && f.Status != StatusOpen && f.Status != StatusInProgress && f.Status != StatusDone {
		return problem.Field("status", "must be open, in_progress or done")
	}
	if o := q.Get("owner"); o == "me" {
		f.OwnerID = web.PrincipalFrom(r.Context()).User.ID
	} else if o != "" {
		id, err := strconv.ParseInt(o, 10, 64)
		if err != nil || id <= 0 {
			return problem.Field("owner", "must be a user id or me")
		}
		f.OwnerID = id
	}
	ts, err := m.List(r.Context(), f)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []Task{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"tasks": ts})
}

func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in NewTask
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := m.Create(r.Context(), in)
	if err != nil && t.ID == 0 {
		return err
	}
	if err != nil {
		m.d.Log.Warn("task created, owner not notified", "task", t.ID, "err", err)
	}
	return web.JSON(w, http.StatusCreated, t)
}

func (m *Module) apiGet(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	t, err := m.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, t)
}

// reply answers a change with the task as it now is.
func (m *Module) reply(w http.ResponseWriter, r *http.Request, id int64) error {
	t, err := m.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, t)
}

func (m *Module) apiComment(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := m.Comment(r.Context(), id, in.Body); err != nil {
		return err
	}
	return m.reply(w, r, id)
}

// apiEvidence cites a file the organisation already holds (upload new files at
// /api/v1/evidence first: the answer carries their SHA-256).
func (m *Module) apiEvidence(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	var in struct {
		SHA256 string `json:"sha256"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := m.Attach(r.Context(), id, in.SHA256); err != nil {
		return err
	}
	return m.reply(w, r, id)
}

func (m *Module) apiStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := m.SetStatus(r.Context(), id, in.Status); err != nil {
		return err
	}
	return m.reply(w, r, id)
}

func (m *Module) apiClose(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	var in CloseTask
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Attest && !web.Can(r, attest) {
		return &problem.Forbidden{Reason: "your role may not attest duties"}
	}
	if _, err := m.Close(r.Context(), id, in); err != nil {
		return err
	}
	return m.reply(w, r, id)
}
