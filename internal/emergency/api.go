package emergency

import (
	"net/http"
	"sort"

	"ciiguard/internal/web"
)

func (m *Module) apiOverview(w http.ResponseWriter, r *http.Request) error {
	o, err := m.Overview(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, o)
}

func (m *Module) apiSettings(w http.ResponseWriter, r *http.Request) error {
	var in Settings
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	st, err := m.SaveSettings(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, st)
}

func (m *Module) apiCreatePlan(w http.ResponseWriter, r *http.Request) error {
	var in PlanInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := m.CreatePlan(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, p)
}

// planJSON is a plan with the drills that exercised it.
type planJSON struct {
	Plan
	Drills []Drill `json:"drills"`
}

func (m *Module) apiPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	p, drills, err := m.Plan(r.Context(), id)
	if err != nil {
		return err
	}
	if drills == nil {
		drills = []Drill{}
	}
	return web.JSON(w, http.StatusOK, planJSON{Plan: p, Drills: drills})
}

func (m *Module) apiRevise(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in Revision
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := m.Revise(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

func (m *Module) apiRetire(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in Retirement
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := m.RetirePlan(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

func (m *Module) apiCreateDrill(w http.ResponseWriter, r *http.Request) error {
	var in DrillInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	d, err := m.CreateDrill(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, d)
}

func (m *Module) apiDrill(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	d, err := m.Drill(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

func (m *Module) apiCreateBackup(w http.ResponseWriter, r *http.Request) error {
	var in BackupInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	b, err := m.CreateBackupTest(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, b)
}

// systemFactsJSON is one system's emergency facts in the API.
type systemFactsJSON struct {
	SystemID int64 `json:"system_id"`
	Facts
}

// apiFacts lists the fact set as the catalog's rules read it, system by system.
func (m *Module) apiFacts(w http.ResponseWriter, r *http.Request) error {
	fs, err := m.Facts(r.Context())
	if err != nil {
		return err
	}
	out := make([]systemFactsJSON, 0, len(fs))
	for id, f := range fs {
		out = append(out, systemFactsJSON{SystemID: id, Facts: f})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SystemID < out[j].SystemID })
	return web.JSON(w, http.StatusOK, map[string]any{"systems": out})
}
