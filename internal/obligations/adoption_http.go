package obligations

import (
	"net/http"

	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// adoptionForm adopts (adopt=yes) or takes back (adopt=no) a draft-only duty from its page.
func (m *Module) adoptionForm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return problem.Field("adopt", "the form could not be read: %v", err)
	}
	var adopt bool
	switch r.PostForm.Get("adopt") {
	case "yes":
		adopt = true
	case "no":
	default:
		return problem.Field("adopt", "must be yes or no")
	}
	id := r.PathValue("id")
	if _, err := m.SetAdoption(r.Context(), id, adopt); err != nil {
		return err
	}
	key := "ob.adoption_removed"
	if adopt {
		key = "ob.adoption_added"
	}
	return web.Redirect(w, r, "/obligations/"+id, m.d.Web.Messages.T(web.RequestLang(r), key))
}

func (m *Module) apiAdoption(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	o, ok := m.Base().Obligation(id)
	if !ok || !m.Base().DraftOnly(o) {
		return store.ErrNotFound
	}
	a, err := m.adoptionOf(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, a)
}

func (m *Module) apiSetAdoption(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Adopted *bool `json:"adopted"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Adopted == nil {
		return problem.Field("adopted", "is required (true or false)")
	}
	a, err := m.SetAdoption(r.Context(), r.PathValue("id"), *in.Adopted)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, a)
}
