package suppliers

import (
	"net/http"
	"strings"

	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// apiOverrides lists the installation's catalogue overrides and their history.
func (m *Module) apiOverrides(w http.ResponseWriter, r *http.Request) error {
	os, err := m.Overrides(r.Context())
	if err != nil {
		return err
	}
	h, err := m.OverrideHistory(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"overrides": os, "history": h})
}

// apiSetOverride creates or replaces the override of the path's code.
func (m *Module) apiSetOverride(w http.ResponseWriter, r *http.Request) error {
	var in OverrideInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	org, _ := store.OrgFrom(r.Context())
	o, err := m.SetOverride(r.Context(), org, r.PathValue("code"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, o)
}

// apiWithdrawOverride withdraws the override of the path's code; 404 when there is none.
func (m *Module) apiWithdrawOverride(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	org, _ := store.OrgFrom(r.Context())
	if err := m.WithdrawOverride(r.Context(), org, r.PathValue("code"), strings.TrimSpace(in.Reason)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
