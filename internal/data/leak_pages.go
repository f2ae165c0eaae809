package data

import (
	"fmt"
	"net/http"

	"ciiguard/internal/web"
)

func (m *Module) leakPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := LeakInput{DetectedAt: f("detected_at"), People: formInt(r, "people"), Sensitive: f("sensitive") != "", Description: f("description")}
	l, err := m.RecordLeak(r.Context(), id, in)
	if err != nil {
		return m.renderAsset(w, r, func(v *web.View, p *assetPage) error {
			v.Form = r.PostForm
			if err := web.FieldErrors(err, v); err != nil {
				return err
			}
			p.Open, p.LeakIn, v.Status = "leak", in, http.StatusBadRequest
			return nil
		})
	}
	if l.IncidentPath != "" {
		return web.Redirect(w, r, fmt.Sprintf("/data/assets/%d#leaks", id), m.t(r, "data.leak_recorded_incident"))
	}
	return web.Redirect(w, r, fmt.Sprintf("/data/assets/%d#leaks", id), m.t(r, "data.leak_recorded"))
}

func (m *Module) apiLeaks(w http.ResponseWriter, r *http.Request) error {
	rs, err := m.Records(r.Context())
	if err != nil {
		return err
	}
	out, err := m.leakViews(r.Context(), rs.Leaks)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"leaks": out})
}

func (m *Module) apiLeak(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in LeakInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	l, err := m.RecordLeak(r.Context(), id, in)
	if err != nil {
		return err
	}
	views, err := m.leakViews(r.Context(), []Leak{l})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, views[0])
}
