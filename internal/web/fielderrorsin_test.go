package web

import (
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"ciiguard/internal/problem"
)

// TestFieldErrorsIn: the refusals of a sent form are filed under that form's name (or as
// they are with no form name), two reasons for one field both show, the sent values come
// back under the form, the page answers 400 (409 for a conflict), and an error that refuses
// no field is returned as it is, leaving the view alone.
func TestFieldErrorsIn(t *testing.T) {
	s, err := NewServer(nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	twice := &problem.Invalid{}
	twice.Add("due", "is required")
	twice.Add("due", "must be a date")
	other := errors.New("disk full")
	sent := url.Values{"due": {"明天"}, "title": {"修补"}}
	for _, c := range []struct {
		name, form string
		err        error
		errs       map[string]string
		status     int
		sentForm   string // _form of the view's form afterwards
		returned   error
	}{
		{"a named form", "task", problem.Field("title", "is required"), map[string]string{"task.title": "is required"}, http.StatusBadRequest, "task", nil},
		{"no form name", "", problem.Field("title", "is required"), map[string]string{"title": "is required"}, http.StatusBadRequest, "", nil},
		{"two reasons", "task", twice, map[string]string{"task.due": "is required; must be a date"}, http.StatusBadRequest, "task", nil},
		{"a conflict", "p", problem.Conflictf("name", "is taken"), map[string]string{"p.name": "is taken"}, http.StatusConflict, "p", nil},
		{"not a refusal", "task", other, map[string]string{}, 0, "", other},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/x", nil)
			r.Header.Set("Accept-Language", "en")
			v := s.NewView(r, "", "")
			got := FieldErrorsIn(c.form, c.err, v, sent)
			if got != c.returned {
				t.Fatalf("returned %v, want %v", got, c.returned)
			}
			if !maps.Equal(v.Errors, c.errs) || v.Status != c.status || v.Form.Get("_form") != c.sentForm {
				t.Errorf("errors %v, status %d, _form %q; want %v, %d, %q", v.Errors, v.Status, v.Form.Get("_form"), c.errs, c.status, c.sentForm)
			}
			if c.returned == nil && (v.Val("due") != "明天" || !v.Sent(c.form)) {
				t.Errorf("sent values: due %q, Sent(%q) %v", v.Val("due"), c.form, v.Sent(c.form))
			}
		})
	}
}
