package frameworks

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) error {
	list, err := m.List(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []Framework{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"frameworks": list})
}

// apiGet answers a framework with one page of its controls (limit, cursor), each with the
// obligations mapped to it, and the cursor of the next page.
func (m *Module) apiGet(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	f, err := m.Get(r.Context(), id)
	if err != nil {
		return err
	}
	pg, err := ParsePage(r.URL.Query())
	if err != nil {
		return err
	}
	controls, next, err := m.ControlsPage(r.Context(), id, pg)
	if err != nil {
		return err
	}
	maps, err := m.Mappings(r.Context(), id)
	if err != nil {
		return err
	}
	byControl := map[string][]Mapping{}
	for _, mp := range maps {
		byControl[mp.ControlID] = append(byControl[mp.ControlID], mp)
	}
	out := make([]ControlCoverage, len(controls))
	for i, c := range controls {
		out[i] = ControlCoverage{Control: c, Obligations: orEmpty(byControl[c.ID])}
	}
	body := map[string]any{"framework": f, "controls": out}
	if next != "" {
		body["next"] = next
	}
	return web.JSON(w, http.StatusOK, body)
}

// apiUpload takes the OSCAL catalog as the raw request body: 201 when the framework is new,
// 200 when it replaced one of the same id.
func (m *Module) apiUpload(w http.ResponseWriter, r *http.Request) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return problem.Field("body", "is larger than %d MiB", MaxUploadSize>>20)
		}
		return fmt.Errorf("read framework upload: %w", err)
	}
	res, err := m.Import(r.Context(), r.PathValue("id"), "body", b)
	if err != nil {
		return err
	}
	code := http.StatusCreated
	if res.Replaced {
		code = http.StatusOK
	}
	return web.JSON(w, code, res)
}

func (m *Module) apiDelete(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := m.Delete(r.Context(), id); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"deleted": id})
}

func (m *Module) apiMappings(w http.ResponseWriter, r *http.Request) error {
	maps, err := m.Mappings(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if maps == nil {
		maps = []Mapping{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"mappings": maps})
}

// apiAddMapping answers 404 for a framework the organisation does not have (like any other
// record of the path), and field problems for the body.
func (m *Module) apiAddMapping(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := m.Get(r.Context(), id); err != nil {
		return err
	}
	var in NewMapping
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	mp, err := m.AddMapping(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, mp)
}

func (m *Module) apiRemoveMapping(w http.ResponseWriter, r *http.Request) error {
	id, control, ob := r.PathValue("id"), r.PathValue("control"), r.PathValue("obligation")
	if err := m.RemoveMapping(r.Context(), id, control, ob); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"deleted": map[string]string{"framework": id, "control_id": control, "obligation_id": ob}})
}

func (m *Module) apiCoverage(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParsePage(r.URL.Query())
	if err != nil {
		return err
	}
	cov, err := m.Coverage(r.Context(), r.PathValue("id"), pg)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, cov)
}
