// Package web is ciiguard's HTTP layer: the router with one permission per route, the
// middleware every request passes (request id, logging, metrics, authentication, tenancy,
// CSRF, body limits), server-rendered pages in zh-CN and en, JSON API errors as
// application/problem+json, the OpenAPI document, health checks and metrics.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// MaxBody is the default limit on a request body; routes that take uploads set their own.
const MaxBody = 1 << 20

// formMemory is how much of a multipart form is held in memory; larger files spill to
// temporary files, which the server removes after the request.
const formMemory = 8 << 20

// HandlerFunc is a route handler. A returned error is answered in one place: a problem
// (invalid input, not found, forbidden …) as its 4xx, anything else as a logged 500.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route is one registered route, kept for the permission matrix test and the OpenAPI check.
type Route struct {
	Method  string
	Path    string
	Perm    auth.Permission
	API     bool
	MaxBody int64
}

// NavItem is an entry of the navigation, shown to roles holding Perm.
type NavItem struct {
	Key   string // message key of the label
	Path  string
	Perm  auth.Permission
	Order int
}

// Widget is a dashboard panel contributed by a capability.
type Widget struct {
	Order  int
	Perm   auth.Permission
	Render func(r *http.Request) (template.HTML, error)
}

// Server is the HTTP server: the kernel's services plus everything capabilities register.
type Server struct {
	Auth     *auth.Service
	DB       *store.DB
	Log      *slog.Logger
	Messages *Catalog
	Ready    func(context.Context) error

	mux     *http.ServeMux
	mu      sync.Mutex
	routes  []Route
	nav     []NavItem
	widgets []Widget
	openapi []map[string]any
	layout  *template.Template
	pages   *Pages // the kernel's own pages: dashboard, error

	registry *prometheus.Registry
	reqs     *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	secure   bool
	refused  refusals
	basic    []string // path prefixes where HTTP Basic carries an API token (AcceptBasic)
	errBody  []errBody
}

// errBody is an APIErrors registration.
type errBody struct {
	prefix string
	write  ErrorWriter
}

// ErrorWriter writes an API error in a protocol's own form: its status, what to say and
// the fields at fault (none for most refusals).
type ErrorWriter func(w http.ResponseWriter, r *http.Request, code int, detail string, fields []problem.FieldError)

// APIErrors has the API errors under prefix written by write instead of as problem+json:
// those the kernel answers before a handler runs (sign-in 401 with its challenge, role and
// CSRF 403), the errors handlers return (a missing record's 404, a body over the limit …)
// and the 404 or 405 of a path or method no route has. A protocol with its own error
// resource (TAXII 2.1 §3.6.1) answers in it everywhere under its prefix.
func (s *Server) APIErrors(prefix string, write ErrorWriter) {
	s.mu.Lock()
	s.errBody = append(s.errBody, errBody{prefix, write})
	s.mu.Unlock()
}

// errorWriter returns the ErrorWriter registered for path, or nil.
func (s *Server) errorWriter(path string) ErrorWriter {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.errBody {
		if strings.HasPrefix(path, e.prefix) {
			return e.write
		}
	}
	return nil
}

// AcceptBasic lets API routes under prefix take an API token as the password of HTTP Basic
// authentication (RFC 7617), for clients that only speak Basic (TAXII 2.1 §1.6.9 suggests
// it). The user name must be the token owner's e-mail. An account's password is never
// accepted this way: it would cost an argon2id check per request, and a token can be
// narrower than its owner and revoked alone. A 401 under prefix challenges for Basic.
func (s *Server) AcceptBasic(prefix string) {
	s.mu.Lock()
	s.basic = append(s.basic, prefix)
	s.mu.Unlock()
}

func (s *Server) basicPath(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.basic {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// basicToken reads an API token sent as the password of HTTP Basic authentication.
func basicToken(r *http.Request) (user, token string, ok bool) {
	user, token, ok = r.BasicAuth()
	if !ok || !strings.HasPrefix(token, "cgt_") {
		return "", "", false
	}
	return user, token, true
}

// NewServer builds the server with the kernel's pages (login, logout, language, dashboard,
// health, metrics, OpenAPI) registered.
func NewServer(a *auth.Service, db *store.DB, log *slog.Logger) (*Server, error) {
	s := &Server{Auth: a, DB: db, Log: log, Messages: NewCatalog(), mux: http.NewServeMux(), registry: prometheus.NewRegistry()}
	if err := s.Messages.LoadDir(embedded, "messages"); err != nil {
		return nil, err
	}
	layout, err := template.New("layout").Funcs(funcs).ParseFS(embedded, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	s.layout = layout
	if s.pages, err = s.ParsePages(embedded, "templates/page_*.html"); err != nil {
		return nil, err
	}
	s.reqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ciiguard_http_requests_total", Help: "HTTP requests by route and status code."}, []string{"method", "route", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ciiguard_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"method", "route"})
	s.registry.MustRegister(s.reqs, s.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		s.registry.MustRegister(collectors.NewDBStatsCollector(db.SQL(), "records"))
	}
	s.registerKernel()
	return s, nil
}

// Metrics is the registry capabilities add their collectors to.
func (s *Server) Metrics() *prometheus.Registry { return s.registry }

// SetSecure marks the server as served over TLS, so cookies get the Secure flag.
func (s *Server) SetSecure(v bool) { s.secure = v }

// Routes returns the registered routes, sorted.
func (s *Server) Routes() []Route {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]Route(nil), s.routes...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// AddNav adds a navigation entry.
func (s *Server) AddNav(items ...NavItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nav = append(s.nav, items...)
	sort.SliceStable(s.nav, func(i, j int) bool { return s.nav[i].Order < s.nav[j].Order })
}

// AddWidget adds a dashboard panel.
func (s *Server) AddWidget(w Widget) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.widgets = append(s.widgets, w)
	sort.SliceStable(s.widgets, func(i, j int) bool { return s.widgets[i].Order < s.widgets[j].Order })
}

// Page registers an HTML route such as "GET /users/{id}".
func (s *Server) Page(pattern string, perm auth.Permission, h HandlerFunc) {
	s.handle(pattern, perm, false, MaxBody, h)
}

// PageWithLimit registers an HTML route with its own request body limit, for forms that
// upload files. The limit applies before the CSRF check reads the form.
func (s *Server) PageWithLimit(pattern string, perm auth.Permission, maxBody int64, h HandlerFunc) {
	s.handle(pattern, perm, false, maxBody, h)
}

// API registers a JSON route under /api/.
func (s *Server) API(pattern string, perm auth.Permission, h HandlerFunc) {
	s.handle(pattern, perm, true, MaxBody, h)
}

// APIWithLimit registers a JSON route with its own request body limit (for bulk ingest).
func (s *Server) APIWithLimit(pattern string, perm auth.Permission, maxBody int64, h HandlerFunc) {
	s.handle(pattern, perm, true, maxBody, h)
}

func (s *Server) handle(pattern string, perm auth.Permission, api bool, maxBody int64, h HandlerFunc) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		panic("web: route pattern needs a method: " + pattern)
	}
	s.mu.Lock()
	s.routes = append(s.routes, Route{Method: method, Path: path, Perm: perm, API: api, MaxBody: maxBody})
	s.mu.Unlock()
	route := pattern
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &statusWriter{ResponseWriter: w, code: 200}
		defer func() {
			s.reqs.WithLabelValues(method, route, fmt.Sprint(rw.code)).Inc()
			s.latency.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
			s.noteRefusal(r, rw.code)
		}()
		r.Body = http.MaxBytesReader(rw, r.Body, maxBody)
		if err := s.authorize(rw, r, perm, api, &r); err != nil {
			s.fail(rw, r, api, err)
			return
		}
		if err := h(rw, r); err != nil {
			if rw.wrote {
				s.abort(r, err)
			}
			s.fail(rw, r, api, err)
		}
	}))
}

// abort ends a request whose handler failed after its answer began (a stream whose
// source failed, or a client that went away mid-answer): the status is sent, so no error
// answer can follow, and appending one would make a truncated answer look complete. It
// logs the failure and cuts the connection (http.ErrAbortHandler), so the client sees
// the answer is incomplete.
func (s *Server) abort(r *http.Request, err error) {
	s.Log.Warn("answer failed after it began", "request_id", RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
	panic(http.ErrAbortHandler)
}

// ServeHTTP runs the outer middleware (request id, panic recovery, security headers,
// access log) around the router.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := r.Header.Get("X-Request-ID")
	if rid == "" || len(rid) > 64 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		rid = hex.EncodeToString(b[:])
	}
	w.Header().Set("X-Request-ID", rid)
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", hstsValue)
	}
	ctx := context.WithValue(r.Context(), ridKey{}, rid)
	r = r.WithContext(ctx)
	rw := &statusWriter{ResponseWriter: w, code: 200}
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				s.Log.Info("request", "request_id", rid, "method", r.Method, "path", r.URL.Path, "status", rw.code,
					"duration_ms", time.Since(start).Milliseconds(), "remote", r.RemoteAddr, "aborted", true)
				panic(p) // net/http cuts the connection and logs nothing
			}
			s.Log.Error("panic serving request", "request_id", rid, "path", r.URL.Path, "panic", fmt.Sprint(p))
			if !rw.wrote {
				http.Error(rw, "internal error (request "+rid+")", http.StatusInternalServerError)
			}
		}
		s.Log.Info("request", "request_id", rid, "method", r.Method, "path", r.URL.Path, "status", rw.code,
			"duration_ms", time.Since(start).Milliseconds(), "remote", r.RemoteAddr)
	}()
	if h, pattern := s.mux.Handler(r); pattern == "" {
		s.unrouted(rw, r, h)
		return
	}
	s.mux.ServeHTTP(rw, r)
}

type ridKey struct{}

// RequestID returns the request's id.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(ridKey{}).(string)
	return s
}

type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type principalKey struct{}

// PrincipalFrom returns the signed-in principal of a request, or nil.
func PrincipalFrom(ctx context.Context) *auth.Principal {
	p, _ := ctx.Value(principalKey{}).(*auth.Principal)
	return p
}

// errUnauthenticated and errForbidden are answered as 401 (or a redirect to the sign-in
// page) and 403.
var (
	errUnauthenticated = errors.New("sign in required")
	errForbidden       = errors.New("your role may not do this")
	errCSRF            = errors.New("the form has expired or did not come from this site; reload the page and try again")
)

// unauthenticated is a 401 that says why, e.g. a revoked token.
type unauthenticated struct{ reason string }

func (e *unauthenticated) Error() string { return e.reason }
func (e *unauthenticated) Unwrap() error { return errUnauthenticated }

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "ciiguard_session"

// authorize resolves the principal (session cookie, or bearer token on API routes), checks
// the route's permission and CSRF, and confines the request to the principal's
// organisation. It replaces *rp with the request carrying that context.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, perm auth.Permission, api bool, rp **http.Request) error {
	ctx := r.Context()
	var p *auth.Principal
	viaToken := false
	basicUser, basicTok, basic := "", "", false
	if api && strings.HasPrefix(r.Header.Get("Authorization"), "Basic ") && s.basicPath(r.URL.Path) {
		basicUser, basicTok, basic = basicToken(r)
		if !basic {
			return s.challenge(w, r, &unauthenticated{reason: "HTTP Basic here takes your e-mail and an API token (cgt_…) as the password, never the account's password"})
		}
	}
	if h := r.Header.Get("Authorization"); api && (strings.HasPrefix(h, "Bearer ") || basic) {
		tok := strings.TrimPrefix(h, "Bearer ")
		if basic {
			tok = basicTok
		}
		pr, err := s.Auth.TokenPrincipal(ctx, tok)
		if err == nil && basic && !strings.EqualFold(strings.TrimSpace(basicUser), pr.User.Email) {
			err = store.ErrNotFound // the token is not this user's
		}
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return s.challenge(w, r, errUnauthenticated)
			}
			if refused, ok := errors.AsType[*auth.TokenRefused](err); ok {
				return s.challenge(w, r, &unauthenticated{reason: refused.Reason})
			}
			return err
		}
		p, viaToken = &pr, true
	} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		pr, err := s.Auth.SessionPrincipal(ctx, c.Value)
		if err == nil {
			p = &pr
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if p != nil {
		ctx = context.WithValue(ctx, principalKey{}, p)
		ctx = store.WithOrg(ctx, p.Org.ID)
		ctx = audit.WithActor(ctx, p.Actor())
		*rp = r.WithContext(ctx)
		r = *rp
	}
	if perm == auth.Public {
		if p != nil && !viaToken && unsafeMethod(r.Method) {
			return s.checkCSRF(r, p)
		}
		return nil
	}
	if p == nil {
		return s.challenge(w, r, errUnauthenticated)
	}
	if !auth.Allowed(p.Role, perm) {
		return errForbidden
	}
	if !viaToken && unsafeMethod(r.Method) {
		return s.checkCSRF(r, p)
	}
	return nil
}

// challenge adds the WWW-Authenticate header a 401 needs (RFC 7235 §3.1) under the paths
// that accept HTTP Basic, and returns err.
func (s *Server) challenge(w http.ResponseWriter, r *http.Request, err error) error {
	if s.basicPath(r.URL.Path) {
		for _, c := range challenges {
			w.Header().Add("WWW-Authenticate", c)
		}
	}
	return err
}

// challenges are the authentication schemes a 401 under AcceptBasic's prefixes offers.
var challenges = []string{`Basic realm="ciiguard", charset="UTF-8"`, `Bearer realm="ciiguard"`}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// checkCSRF accepts the session's token from the X-CSRF-Token header (scripts on our pages
// and API calls with a cookie) or the _csrf form field.
func (s *Server) checkCSRF(r *http.Request, p *auth.Principal) error {
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		// Parse the form here, not through PostFormValue, so that a body over the route's
		// limit is answered as too large rather than as a missing token.
		var err error
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			err = r.ParseMultipartForm(formMemory)
		} else {
			err = r.ParseForm()
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		if err != nil {
			return problem.Field("form", "cannot be read as a form: %v", err)
		}
		tok = r.PostFormValue("_csrf")
	}
	if tok == "" || !constantEq(tok, p.CSRF) {
		return errCSRF
	}
	return nil
}

// Handler returns the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s }

// MetricsHandler serves the Prometheus registry.
func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
}
