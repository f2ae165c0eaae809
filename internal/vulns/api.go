package vulns

import (
	"net/http"

	"ciiguard/internal/web"
)

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) error {
	vs, err := m.List(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"vulnerabilities": vs})
}

func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in NewVuln
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := m.Create(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, v)
}

func (m *Module) apiGet(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	v, err := m.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, v)
}

func (m *Module) apiStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
		Note   string `json:"note"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := m.SetStatus(r.Context(), id, in.Status, in.Note)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, v)
}

func (m *Module) apiReport(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in NewReport
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := m.RecordReport(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, v)
}

func (m *Module) apiExport(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in NewExport
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.Export(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

func (m *Module) apiPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := m.Policy(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

func (m *Module) apiSetPolicy(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		CriticalDays int `json:"critical_days"`
		HighDays     int `json:"high_days"`
		MediumDays   int `json:"medium_days"`
		LowDays      int `json:"low_days"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := m.SetPolicy(r.Context(), Policy{CriticalDays: in.CriticalDays, HighDays: in.HighDays, MediumDays: in.MediumDays, LowDays: in.LowDays})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

// apiCVSS scores a vector without recording anything, for forms and scripts.
func (m *Module) apiCVSS(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Vector string `json:"vector"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, reason := ParseCVSS(in.Vector)
	if reason != nil {
		return fieldProblem("vector", reason)
	}
	return web.JSON(w, http.StatusOK, c)
}
