// Package accounts is the capability that lets an organisation's administrators manage
// its users and API tokens and lets auditors read its audit trail, in the UI and the API.
package accounts

import (
	"context"
	"embed"
	"net/http"
	"strconv"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json
var files embed.FS

// Module is the accounts capability.
type Module struct {
	d     kernel.Deps
	pages *web.Pages
}

// New returns the module.
func New() *Module { return &Module{} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "accounts" }

// Migrations implements kernel.Module; accounts lives in the kernel's auth tables.
func (m *Module) Migrations() []store.Migration { return nil }

// Provision implements kernel.Module; accounts needs no other capability.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	return nil
}

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	pages, err := d.Web.LoadAssets(files, "templates/*.html")
	if err != nil {
		return err
	}
	m.pages = pages
	s := d.Web
	s.Page("GET /users", auth.ManageUsers, m.usersPage)
	s.Page("POST /users", auth.ManageUsers, m.usersCreate)
	s.Page("GET /users/{id}", auth.ManageUsers, m.userPage)
	s.Page("POST /users/{id}", auth.ManageUsers, m.userUpdate)
	s.Page("GET /tokens", auth.ManageTokens, m.tokensPage)
	s.Page("POST /tokens", auth.ManageTokens, m.tokensCreate)
	s.Page("POST /tokens/{id}/revoke", auth.ManageTokens, m.tokenRevoke)
	s.Page("GET /audit", auth.ReadAudit, m.auditPage)

	s.API("GET /api/v1/users", auth.ManageUsers, m.apiUsers)
	s.API("POST /api/v1/users", auth.ManageUsers, m.apiUserCreate)
	s.API("GET /api/v1/users/{id}", auth.ManageUsers, m.apiUser)
	s.API("PATCH /api/v1/users/{id}", auth.ManageUsers, m.apiUserUpdate)
	s.API("GET /api/v1/tokens", auth.ManageTokens, m.apiTokens)
	s.API("POST /api/v1/tokens", auth.ManageTokens, m.apiTokenCreate)
	s.API("DELETE /api/v1/tokens/{id}", auth.ManageTokens, m.apiTokenRevoke)
	s.API("GET /api/v1/audit", auth.ReadAudit, m.apiAudit)

	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{
		{Key: "nav.users", Path: "/users", Perm: auth.ManageUsers, Order: 900},
		{Key: "nav.tokens", Path: "/tokens", Perm: auth.ManageTokens, Order: 910},
		{Key: "nav.audit", Path: "/audit", Perm: auth.ReadAudit, Order: 920},
	}
}

type usersData struct {
	Users []auth.User
	Roles []auth.Role
	Next  string // cursor of the next page of users, "" on the last
}

func (m *Module) usersView(w http.ResponseWriter, r *http.Request, v *web.View, code int) error {
	p := web.PrincipalFrom(r.Context())
	pg, err := web.ParsePage(r)
	if err != nil {
		return err
	}
	users, next, err := m.d.Auth.ListUsersPage(r.Context(), pg)
	if err != nil {
		return err
	}
	v.Data = usersData{Users: users, Roles: auth.RolesByKind[p.Org.Kind], Next: next}
	v.Status = code
	return m.pages.Render(w, r, "users.html", v)
}

func (m *Module) usersPage(w http.ResponseWriter, r *http.Request) error {
	return m.usersView(w, r, m.d.Web.NewView(r, "nav.users", "/users"), http.StatusOK)
}

func (m *Module) usersCreate(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	_, err := m.d.Auth.CreateUser(r.Context(), auth.NewUser{OrgID: p.Org.ID, Email: r.PostFormValue("email"), Name: r.PostFormValue("name"),
		Role: auth.Role(r.PostFormValue("role")), Password: r.PostFormValue("password")})
	if err != nil {
		v := m.d.Web.NewView(r, "nav.users", "/users")
		v.Form = r.PostForm
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		return m.usersView(w, r, v, http.StatusBadRequest)
	}
	return web.Redirect(w, r, "/users", m.d.Web.Messages.T(web.RequestLang(r), "users.created_flash"))
}

type userData struct {
	User  auth.User
	Roles []auth.Role
}

func (m *Module) userPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	u, err := m.d.Auth.GetUser(r.Context(), id)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "users.page_title", "/users")
	v.TitleArgs = []any{u.Name}
	v.Data = userData{User: u, Roles: auth.RolesByKind[web.PrincipalFrom(r.Context()).Org.Kind]}
	return m.pages.Render(w, r, "user.html", v)
}

func (m *Module) userUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	name := r.PostFormValue("name")
	role := auth.Role(r.PostFormValue("role"))
	disabled := r.PostFormValue("disabled") == "on"
	ch := auth.UserChange{Name: &name, Role: &role, Disabled: &disabled}
	if pw := r.PostFormValue("password"); pw != "" {
		ch.Password = &pw
	}
	if p := web.PrincipalFrom(r.Context()); p.User.ID == id && (disabled || role != p.User.Role) {
		// An administrator locking themselves out of administration is almost always a slip.
		return problem.Field("role", "you cannot disable yourself or change your own role")
	}
	if _, err := m.d.Auth.UpdateUser(r.Context(), id, ch); err != nil {
		v := m.d.Web.NewView(r, "users.page_title", "/users")
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		// The form shows the stored user with what was typed over it, not an empty user.
		cur, gerr := m.d.Auth.GetUser(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		cur.Name, cur.Role, cur.Disabled = name, role, disabled
		v.TitleArgs = []any{cur.Name}
		v.Data = userData{User: cur, Roles: auth.RolesByKind[web.PrincipalFrom(r.Context()).Org.Kind]}
		v.Status = http.StatusBadRequest
		return m.pages.Render(w, r, "user.html", v)
	}
	return web.Redirect(w, r, "/users", m.d.Web.Messages.T(web.RequestLang(r), "users.saved"))
}

type tokensData struct {
	Tokens []auth.Token
	Roles  []auth.Role
	New    string
	Next   string // cursor of the next page of tokens, "" on the last
}

func (m *Module) tokensRender(w http.ResponseWriter, r *http.Request, v *web.View, newTok string, code int) error {
	pg, err := web.ParsePage(r)
	if err != nil {
		return err
	}
	toks, next, err := m.d.Auth.ListTokensPage(r.Context(), pg)
	if err != nil {
		return err
	}
	p := web.PrincipalFrom(r.Context())
	var roles []auth.Role
	for _, role := range auth.RolesByKind[p.Org.Kind] {
		if auth.Narrower(role, p.Role) {
			roles = append(roles, role)
		}
	}
	v.Data = tokensData{Tokens: toks, Roles: roles, New: newTok, Next: next}
	v.Status = code
	return m.pages.Render(w, r, "tokens.html", v)
}

func (m *Module) tokensPage(w http.ResponseWriter, r *http.Request) error {
	return m.tokensRender(w, r, m.d.Web.NewView(r, "nav.tokens", "/tokens"), "", http.StatusOK)
}

func (m *Module) tokensCreate(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	plain, _, err := m.d.Auth.CreateToken(r.Context(), *p, r.PostFormValue("name"), auth.Role(r.PostFormValue("role")))
	v := m.d.Web.NewView(r, "nav.tokens", "/tokens")
	if err != nil {
		v.Form = r.PostForm
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		return m.tokensRender(w, r, v, "", http.StatusBadRequest)
	}
	// The secret is shown on this one response and never again; it is not put in a cookie
	// or a redirect URL where it could linger.
	w.Header().Set("Cache-Control", "no-store")
	return m.tokensRender(w, r, v, plain, http.StatusOK)
}

func (m *Module) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.d.Auth.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	return web.Redirect(w, r, "/tokens", m.d.Web.Messages.T(web.RequestLang(r), "tokens.revoked"))
}

type auditData struct {
	Entries []audit.Entry
	Next    int64
}

const auditPageSize = 100

func (m *Module) listAudit(r *http.Request) (auditData, error) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	var d auditData
	err := m.d.DB.Read(r.Context(), func(tx *store.Tx) error {
		t, err := tx.Tenant()
		if err != nil {
			return err
		}
		d.Entries, err = audit.List(t, before, auditPageSize)
		return err
	})
	if len(d.Entries) == auditPageSize {
		d.Next = d.Entries[len(d.Entries)-1].Seq
	}
	return d, err
}

func (m *Module) auditPage(w http.ResponseWriter, r *http.Request) error {
	d, err := m.listAudit(r)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "nav.audit", "/audit")
	v.Data = d
	return m.pages.Render(w, r, "audit.html", v)
}
