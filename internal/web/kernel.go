package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/problem"
)

// MetricsRead lets a role scrape /metrics (Prometheus authenticates with an API token).
// The metrics cover the whole installation, every tenant's requests included, so only the
// installation's operations role holds it, never a tenant's administrator.
const MetricsRead auth.Permission = "metrics.read"

func init() { auth.Grant(MetricsRead, auth.Operations) }

const loginCSRFCookie = "ciiguard_login_csrf"

func (s *Server) registerKernel() {
	static, _ := fs.Sub(embedded, "static")
	fileServer := http.StripPrefix("/static/", http.FileServer(http.FS(static)))
	s.Page("GET /static/", auth.Public, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
		return nil
	})
	s.Page("GET /healthz", auth.Public, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain")
		_, err := w.Write([]byte("ok\n"))
		return err
	})
	s.Page("GET /readyz", auth.Public, s.readyz)
	// An API route, so that the Bearer token Prometheus sends is accepted.
	s.API("GET /metrics", MetricsRead, func(w http.ResponseWriter, r *http.Request) error {
		s.metricsHandler().ServeHTTP(w, r)
		return nil
	})
	s.API("GET /api/openapi.json", auth.Public, func(w http.ResponseWriter, r *http.Request) error {
		return JSON(w, http.StatusOK, s.OpenAPI())
	})
	s.API("GET /api/v1/me", auth.SignedIn, s.apiMe)
	s.Page("GET /login", auth.Public, s.loginPage)
	s.Page("POST /login", auth.Public, s.loginSubmit)
	s.Page("POST /logout", auth.SignedIn, s.logout)
	s.Page("POST /lang", auth.Public, s.setLang)
	s.Page("GET /{$}", auth.ViewDashboard, s.dashboard)
	s.AddNav(NavItem{Key: "nav.dashboard", Path: "/", Perm: auth.ViewDashboard, Order: 0})
	if err := s.AddOpenAPI(kernelOpenAPI); err != nil {
		panic(err) // the embedded document is ours; a test parses it
	}
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain")
	if s.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			s.Log.Warn("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready\n"))
			return nil
		}
	}
	_, err := w.Write([]byte("ready\n"))
	return err
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	return JSON(w, http.StatusOK, map[string]any{"user": p.User, "org": p.Org, "role": p.Role, "token_id": p.TokenID})
}

// safeNext keeps post-login and language-switch redirects on this site. It accepts only
// what every browser reads as a path on this origin: "/" not followed by "/" or "\", made
// of printable ASCII without "\". Browsers drop tabs and newlines from a Location and read
// "\" as "/", so "/\t/evil" and "/\\evil" are another host to them; the pages' own links
// (a request URI, always percent-encoded) pass unchanged. Anything else becomes "/".
func safeNext(next string) string {
	if len(next) == 0 || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return "/"
		}
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if PrincipalFrom(r.Context()) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	return s.renderLogin(w, r, http.StatusOK, "")
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, code int, msg string) error {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("login form token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: tok, Path: "/login", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	v := s.NewView(r, "login.title", "")
	v.Data = loginPage{Message: msg, Token: tok, Next: safeNext(r.FormValue("next")), Email: r.PostFormValue("email")}
	v.Status = code
	return s.pages.Render(w, r, "page_login.html", v)
}

// loginPage is what the sign-in form shows.
type loginPage struct {
	Message     string // why the last attempt failed, if it did
	Token       string // the form's CSRF token (the session does not exist yet)
	Next, Email string
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	lang := RequestLang(r)
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || c.Value == "" || !constantEq(c.Value, r.PostFormValue("_csrf")) {
		return s.renderLogin(w, r, http.StatusForbidden, s.Messages.T(lang, "login.expired"))
	}
	tok, p, err := s.Auth.Login(r.Context(), r.PostFormValue("email"), r.PostFormValue("password"), remoteIP(r))
	if err != nil {
		if t, ok := problem.As[*problem.TooMany](err); ok {
			w.Header().Set("Retry-After", fmt.Sprint(t.RetryAfter))
			key := "login.too_many"
			if t.Reason == auth.ErrSlowPath {
				key = "login.slow"
			}
			return s.renderLogin(w, r, http.StatusTooManyRequests, s.Messages.T(lang, key))
		}
		if errors.Is(err, auth.ErrBusy) {
			w.Header().Set("Retry-After", "1")
			return s.renderLogin(w, r, http.StatusServiceUnavailable, s.Messages.T(lang, "login.busy"))
		}
		if errors.Is(err, auth.ErrLoginFailed) {
			return s.renderLogin(w, r, http.StatusUnauthorized, s.Messages.T(lang, "login.failed"))
		}
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(auth.SessionTTL.Seconds())})
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: "", Path: "/login", MaxAge: -1})
	if p.User.Lang == "" {
		// The language chosen before signing in becomes the account's.
		if c, err := r.Cookie(langCookie); err == nil && NormLang(c.Value) != "" {
			if err := s.Auth.SetLang(r.Context(), p.User.ID, NormLang(c.Value)); err != nil {
				return err
			}
		}
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.Auth.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.secure, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) setLang(w http.ResponseWriter, r *http.Request) error {
	lang := NormLang(r.PostFormValue("lang"))
	if lang == "" {
		return problem.Field("lang", "must be zh-CN or en")
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	if p := PrincipalFrom(r.Context()); p != nil {
		if err := s.Auth.SetLang(r.Context(), p.User.ID, lang); err != nil {
			return err
		}
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	v := s.NewView(r, "nav.dashboard", "/")
	var parts []template.HTML
	for _, wd := range s.widgets {
		if !auth.Allowed(v.Principal.Role, wd.Perm) {
			continue
		}
		html, err := wd.Render(r)
		if err != nil {
			return fmt.Errorf("dashboard widget: %w", err)
		}
		parts = append(parts, html)
	}
	v.Data = parts
	return s.pages.Render(w, r, "page_dashboard.html", v)
}

// AddOpenAPI merges an OpenAPI fragment (a JSON object with "paths" and optionally
// "components") into the served document.
func (s *Server) AddOpenAPI(fragment []byte) error {
	var m map[string]any
	if err := json.Unmarshal(fragment, &m); err != nil {
		return fmt.Errorf("openapi fragment: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.openapi = append(s.openapi, m)
	return nil
}

// OpenAPI returns the merged OpenAPI 3.1 document.
func (s *Server) OpenAPI() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	paths := map[string]any{}
	components := map[string]map[string]any{"schemas": {}, "responses": {}, "parameters": {}}
	for _, f := range s.openapi {
		if p, ok := f["paths"].(map[string]any); ok {
			for k, v := range p {
				if existing, ok := paths[k].(map[string]any); ok {
					for m, op := range v.(map[string]any) {
						existing[m] = op
					}
					continue
				}
				paths[k] = v
			}
		}
		if c, ok := f["components"].(map[string]any); ok {
			for section, raw := range c {
				entries, ok := raw.(map[string]any)
				if !ok {
					continue
				}
				if components[section] == nil {
					components[section] = map[string]any{}
				}
				for k, v := range entries {
					components[section][k] = v
				}
			}
		}
	}
	components["responses"]["Problem"] = map[string]any{"description": "an error: the field and the reason",
		"content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
	components["securitySchemes"] = map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}}
	components["schemas"]["Problem"] = map[string]any{
		"type": "object", "required": []string{"type", "title", "status"},
		"properties": map[string]any{
			"type": map[string]any{"type": "string"}, "title": map[string]any{"type": "string"}, "status": map[string]any{"type": "integer"},
			"detail": map[string]any{"type": "string"}, "request_id": map[string]any{"type": "string"},
			"errors": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{"field": map[string]any{"type": "string"}, "reason": map[string]any{"type": "string"}}}},
		},
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "ciiguard API", "version": "1",
			"description": "Compliance and protection platform for critical information infrastructure operators and regulators. Authenticate with an API token as a bearer token; errors are application/problem+json. " +
				"A JSON request body is one object of valid UTF-8; a field set to null is refused (leave it out instead); text fields hold no NUL character and their limits count characters, not bytes. " +
				"Any write may answer 503 with Retry-After when another command holds the records store's lock for longer than the wait: retry after that many seconds."},
		"servers":    []any{map[string]any{"url": "/"}},
		"security":   []any{map[string]any{"bearer": []any{}}},
		"paths":      paths,
		"components": components,
	}
}

var kernelOpenAPI = []byte(`{"paths": {
 "/api/openapi.json": {"get": {"summary": "This OpenAPI document", "security": [], "responses": {"200": {"description": "the document"}}}},
 "/metrics": {"get": {"summary": "Prometheus metrics of the whole installation (text exposition format); needs a token of the operations role", "responses": {"200": {"description": "metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}}}},
 "/api/v1/me": {"get": {"summary": "The signed-in user, organisation and effective role", "responses": {"200": {"description": "who you are"}, "401": {"description": "not signed in", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}}
}}`)
