package holidays

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"gopkg.in/yaml.v3"

	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

func yamlUnmarshal(b []byte, v any) error { return yaml.Unmarshal(b, v) }

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) error {
	st, err := m.Status(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, st)
}

func (m *Module) apiLoad(w http.ResponseWriter, r *http.Request) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxSize+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return problem.Field("body", "is larger than %d KiB", MaxSize>>10)
		}
		return fmt.Errorf("read holiday schedule: %w", err)
	}
	org, _ := store.OrgFrom(r.Context())
	l, err := m.LoadSchedule(r.Context(), org, r.PathValue("year"), b)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, l)
}
