package web

import "net/http"

// errorPage is what the error page shows.
type errorPage struct {
	Title  string // the status's name in the page's language
	Detail string // what went wrong, localised where the user caused it
}

// renderError renders the error page in lang; the status is already written.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, lang, title, detail string) {
	v := s.NewView(r, title, "")
	v.Lang = lang
	v.Data = errorPage{Title: title, Detail: detail}
	if err := s.pages.Render(w, r, "page_error.html", v); err != nil {
		s.Log.Error("render error page", "err", err)
	}
}
