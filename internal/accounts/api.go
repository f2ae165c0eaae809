package accounts

import (
	"net/http"

	"ciiguard/internal/auth"
	"ciiguard/internal/web"
)

func (m *Module) apiUsers(w http.ResponseWriter, r *http.Request) error {
	pg, err := web.ParsePage(r)
	if err != nil {
		return err
	}
	users, next, err := m.d.Auth.ListUsersPage(r.Context(), pg)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, paged("users", users, next))
}

type userCreate struct {
	Email    string    `json:"email"`
	Name     string    `json:"name"`
	Role     auth.Role `json:"role"`
	Password string    `json:"password"`
}

func (m *Module) apiUserCreate(w http.ResponseWriter, r *http.Request) error {
	var in userCreate
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	u, err := m.d.Auth.CreateUser(r.Context(), auth.NewUser{OrgID: web.PrincipalFrom(r.Context()).Org.ID, Email: in.Email, Name: in.Name, Role: in.Role, Password: in.Password})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, u)
}

func (m *Module) apiUser(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	u, err := m.d.Auth.GetUser(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, u)
}

type userPatch struct {
	Name     *string    `json:"name"`
	Role     *auth.Role `json:"role"`
	Disabled *bool      `json:"disabled"`
	Password *string    `json:"password"`
}

func (m *Module) apiUserUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in userPatch
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	u, err := m.d.Auth.UpdateUser(r.Context(), id, auth.UserChange{Name: in.Name, Role: in.Role, Disabled: in.Disabled, Password: in.Password})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, u)
}

func (m *Module) apiTokens(w http.ResponseWriter, r *http.Request) error {
	pg, err := web.ParsePage(r)
	if err != nil {
		return err
	}
	toks, next, err := m.d.Auth.ListTokensPage(r.Context(), pg)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, paged("tokens", toks, next))
}

type tokenCreate struct {
	Name string    `json:"name"`
	Role auth.Role `json:"role"`
}

func (m *Module) apiTokenCreate(w http.ResponseWriter, r *http.Request) error {
	var in tokenCreate
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	plain, t, err := m.d.Auth.CreateToken(r.Context(), *web.PrincipalFrom(r.Context()), in.Name, in.Role)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return web.JSON(w, http.StatusCreated, map[string]any{"token": plain, "record": t})
}

func (m *Module) apiTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	t, err := m.d.Auth.RevokeToken(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, t)
}

func (m *Module) apiAudit(w http.ResponseWriter, r *http.Request) error {
	d, err := m.listAudit(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"entries": d.Entries, "next_before": d.Next})
}

// paged is a page of a list as the API answers it: the records under key (never null) and,
// when more follow, the cursor of the next page.
func paged[T any](key string, list []T, next string) map[string]any {
	if list == nil {
		list = []T{}
	}
	out := map[string]any{key: list}
	if next != "" {
		out["next"] = next
	}
	return out
}
