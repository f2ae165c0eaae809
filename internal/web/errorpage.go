package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"ciiguard/internal/store"
)

// errorPage is what the error page shows.
type errorPage struct {
	Title  string // the status's name in the page's language
	Detail string // what went wrong, localised where the user caused it
}

// renderError renders the error page in lang with the title of message key; the status
// is already written.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, lang, key, detail string) {
	v := s.NewView(r, key, "")
	v.Lang = lang
	v.Flash = "" // an earlier success is not news on the page of a failure
	v.Data = errorPage{Title: s.Messages.T(lang, key), Detail: detail}
	if err := s.pages.Render(w, r, "page_error.html", v); err != nil {
		s.Log.Error("render error page", "err", err)
	}
}

// unrouted answers a request no route matches: the router's own 404 and 405 are plain
// English text, so this answers them as the styled error page in the user's language (a
// problem document under /api/), keeping the status and the Allow header.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request, h http.Handler) {
	sniff := &headerSniffer{header: http.Header{}}
	h.ServeHTTP(sniff, r)
	code := sniff.code
	if code != http.StatusMethodNotAllowed {
		code = http.StatusNotFound
	}
	if allow := sniff.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	if write := s.errorWriter(r.URL.Path); write != nil {
		write(w, r, code, "no such resource or method", nil)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		WriteProblem(w, r, code, "no such resource or method", nil)
		return
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if p, err := s.Auth.SessionPrincipal(r.Context(), c.Value); err == nil {
			r = r.WithContext(context.WithValue(r.Context(), principalKey{}, &p))
		}
	}
	lang := RequestLang(r)
	w.WriteHeader(code)
	key := "error.404"
	if code == http.StatusMethodNotAllowed {
		key = "error.405"
	}
	s.renderError(w, r, lang, key, s.Messages.T(lang, key+"_detail"))
}

// headerSniffer records what the router's fallback handler would answer, without sending
// its text.
type headerSniffer struct {
	header http.Header
	code   int
}

func (h *headerSniffer) Header() http.Header         { return h.header }
func (h *headerSniffer) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerSniffer) WriteHeader(code int)        { h.code = code }

// wholeRequestReason returns the message key of the detail shown for a refusal of the whole
// request (not of a field), or "".
func wholeRequestReason(err error) string {
	switch {
	case errors.Is(err, errForbidden):
		return "error.forbidden_detail"
	case errors.Is(err, errCSRF):
		return "error.csrf_detail"
	case errors.Is(err, store.ErrNotFound):
		return "error.not_found_detail"
	case errors.Is(err, store.ErrBusy):
		return "error.busy_detail"
	}
	return ""
}
