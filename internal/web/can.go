package web

import (
	"net/http"

	"ciiguard/internal/auth"
)

// Can reports whether the request's signed-in user holds perm: for handlers that show or
// offer more to some roles than to others (the route itself is already checked).
func Can(r *http.Request, perm auth.Permission) bool {
	p := PrincipalFrom(r.Context())
	return p != nil && auth.Allowed(p.Role, perm)
}

// Can reports whether the page's user holds perm, for templates:
// {{if $.Can "scope.write"}}<a href="...">Edit</a>{{end}}.
func (v *View) Can(perm string) bool {
	return v.Principal != nil && auth.Allowed(v.Principal.Role, auth.Permission(perm))
}
