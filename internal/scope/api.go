package scope

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

func (m *Module) apiProfile(w http.ResponseWriter, r *http.Request) error {
	p, err := m.svc.Profile(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

func (m *Module) apiProfilePut(w http.ResponseWriter, r *http.Request) error {
	var in ProfileInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := m.svc.SaveProfile(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

func (m *Module) apiFacts(w http.ResponseWriter, r *http.Request) error {
	org, systems, err := m.svc.Facts(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"org": org, "systems": systems})
}

func (m *Module) apiSystems(w http.ResponseWriter, r *http.Request) error {
	f, err := filterFrom(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := m.svc.Systems(r.Context(), f)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, page)
}

func (m *Module) apiSystem(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	sys, err := m.svc.System(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, sys)
}

func (m *Module) apiSystemCreate(w http.ResponseWriter, r *http.Request) error {
	var in SystemInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	sys, err := m.svc.CreateSystem(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/scope/systems/"+itoa(sys.ID))
	return web.JSON(w, http.StatusCreated, sys)
}

// decodeInto decodes a JSON object already read from the body into v (which may hold
// values to merge into), with DecodeJSON's strictness and field-naming errors.
func decodeInto(raw []byte, v any) error {
	r := &http.Request{Body: io.NopCloser(bytes.NewReader(raw))}
	return web.DecodeJSON(r, v)
}

// readBody reads the request body for a decode inside the write transaction, so the
// transaction never waits on the network.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, problem.Field("body", "cannot be read: %v", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, problem.Field("body", "is empty; a JSON object is expected")
	}
	return b, nil
}

// apiSystemPut replaces every editable field: fields left out become empty.
func (m *Module) apiSystemPut(w http.ResponseWriter, r *http.Request) error {
	return m.apiSystemUpdate(w, r, true)
}

// apiSystemPatch changes only the fields given.
func (m *Module) apiSystemPatch(w http.ResponseWriter, r *http.Request) error {
	return m.apiSystemUpdate(w, r, false)
}

func (m *Module) apiSystemUpdate(w http.ResponseWriter, r *http.Request, replace bool) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	raw, err := readBody(r)
	if err != nil {
		return err
	}
	sys, err := m.svc.UpdateSystem(r.Context(), id, func(in *SystemInput) error {
		if replace {
			*in = SystemInput{}
		}
		return decodeInto(raw, in)
	})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, sys)
}

func (m *Module) apiSystemDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := m.svc.DeleteSystem(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) apiImport(w http.ResponseWriter, r *http.Request) error {
	dry := strings.EqualFold(r.URL.Query().Get("dry_run"), "true") || r.URL.Query().Get("dry_run") == "1"
	res, err := m.svc.Import(r.Context(), r.Body, dry)
	if err != nil {
		return err
	}
	code := http.StatusOK
	if len(res.Errors) > 0 {
		code = http.StatusUnprocessableEntity
	}
	return web.JSON(w, code, res)
}

func (m *Module) apiAssess(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var a Answers
	if err := web.DecodeJSON(r, &a); err != nil {
		return err
	}
	sys, err := m.svc.Assess(r.Context(), id, a)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, sys)
}

func (m *Module) apiNotice(w http.ResponseWriter, r *http.Request, do func(id int64, n Notice) (System, error)) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var n Notice
	if err := web.DecodeJSON(r, &n); err != nil {
		return err
	}
	sys, err := do(id, n)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, sys)
}

func (m *Module) apiIdentify(w http.ResponseWriter, r *http.Request) error {
	return m.apiNotice(w, r, func(id int64, n Notice) (System, error) { return m.svc.Identify(r.Context(), id, n) })
}

func (m *Module) apiMajorChange(w http.ResponseWriter, r *http.Request) error {
	return m.apiNotice(w, r, func(id int64, n Notice) (System, error) { return m.svc.ReportMajorChange(r.Context(), id, n.On) })
}

func (m *Module) apiDeidentify(w http.ResponseWriter, r *http.Request) error {
	return m.apiNotice(w, r, func(id int64, n Notice) (System, error) { return m.svc.Deidentify(r.Context(), id, n) })
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
