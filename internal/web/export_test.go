package web

import (
	"context"
	"net/http"

	"ciiguard/internal/auth"
)

// WithPrincipalForTest signs p in on ctx, as the authentication middleware does.
func WithPrincipalForTest(ctx context.Context, p *auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FailForTest answers err as a page or API error, as a handler's error is answered.
func (s *Server) FailForTest(w http.ResponseWriter, r *http.Request, api bool, err error) {
	s.fail(w, r, api, err)
}

// DashboardForTest renders the dashboard.
func (s *Server) DashboardForTest(w http.ResponseWriter, r *http.Request) error {
	return s.dashboard(w, r)
}
