package web

import (
	"bytes"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

//go:embed templates messages static
var embedded embed.FS

func constantEq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type      string               `json:"type"`
	Title     string               `json:"title"`
	Status    int                  `json:"status"`
	Detail    string               `json:"detail,omitempty"`
	Errors    []problem.FieldError `json:"errors,omitempty"`
	RequestID string               `json:"request_id,omitempty"`
}

// classify maps an error to its status and, for problems the user caused, what to say.
func classify(err error) (int, string, []problem.FieldError) {
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, errUnauthenticated):
		return http.StatusUnauthorized, err.Error(), nil
	case errors.Is(err, errForbidden):
		return http.StatusForbidden, err.Error(), nil
	case errors.Is(err, errCSRF):
		return http.StatusForbidden, err.Error(), nil
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "no such record", nil
	case errors.Is(err, store.ErrBusy):
		return http.StatusServiceUnavailable, store.ErrBusy.Error(), nil
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", mbe.Limit), []problem.FieldError{{Field: "body", Reason: fmt.Sprintf("larger than %d bytes", mbe.Limit)}}
	}
	if inv, ok := problem.As[*problem.Invalid](err); ok {
		return http.StatusBadRequest, inv.Error(), inv.Fields
	}
	if c, ok := problem.As[*problem.Conflict](err); ok {
		return http.StatusConflict, c.Error(), []problem.FieldError{{Field: c.Field, Reason: c.Reason}}
	}
	if f, ok := problem.As[*problem.Forbidden](err); ok {
		return http.StatusForbidden, f.Error(), nil
	}
	if t, ok := problem.As[*problem.TooMany](err); ok {
		return http.StatusTooManyRequests, t.Error(), nil
	}
	if o, ok := problem.As[problem.Outage](err); ok {
		return http.StatusServiceUnavailable, o.OutageReason(), nil
	}
	return http.StatusInternalServerError, "", nil
}

// BusyRetryAfter is the Retry-After, in seconds, of a 503 answered because the records
// store was busy.
const BusyRetryAfter = 2

// fail answers an error: problem+json on API routes, a page (or the sign-in redirect)
// otherwise. Server errors are logged with the request id and shown without details.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, api bool, err error) {
	if errors.Is(err, store.ErrInvalidText) {
		// The engine refused a value that a validator should have: a 400 all the same.
		s.Log.Warn("text refused by the store, not by validation", "request_id", RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
		err = problem.Field("body", "holds a NUL character, text that is not valid UTF-8, or a value too long to store")
	}
	code, detail, fields := classify(err)
	rid := RequestID(r.Context())
	if code == http.StatusInternalServerError {
		s.Log.Error("request failed", "request_id", rid, "method", r.Method, "path", r.URL.Path, "err", err)
		detail = "internal error; quote request id " + rid + " to the administrator"
	}
	if t, ok := problem.As[*problem.TooMany](err); ok && t.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(t.RetryAfter))
	}
	if o, ok := problem.As[problem.Outage](err); ok {
		// No retry helps until an operator acts: logged as an error, no Retry-After.
		s.Log.Error("service out of order", "request_id", rid, "method", r.Method, "path", r.URL.Path, "err", o)
	} else if code == http.StatusServiceUnavailable {
		// Another command held the lock past the wait; the same request will succeed
		// once it is done. Logged, since many of these mean a command is too long.
		s.Log.Warn("store busy", "request_id", rid, "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(BusyRetryAfter))
	}
	if api {
		if write := s.errorWriter(r.URL.Path); write != nil {
			write(w, r, code, detail, fields)
			return
		}
		WriteProblem(w, r, code, detail, fields)
		return
	}
	if code == http.StatusUnauthorized {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	lang := RequestLang(r)
	key := map[int]string{400: "error.400", 403: "error.403", 404: "error.404", 409: "error.409", 413: "error.413", 429: "error.429", 503: "error.503"}[code]
	if key == "" {
		key = "error.500"
	}
	if code == http.StatusInternalServerError {
		detail = s.Messages.T(lang, "error.500_detail", rid)
	}
	if _, ok := problem.As[problem.Outage](err); ok && code == http.StatusServiceUnavailable {
		key = "error.outage" // not "busy": no retry helps until an operator acts
	}
	if lo, ok := problem.As[problem.LocalOutage](err); ok && code == http.StatusServiceUnavailable {
		mkey, args := lo.OutageMessage()
		detail = s.Messages.T(lang, mkey, args...)
	}
	if code < 500 {
		tr := s.Messages.Reasons(lang)
		detail = localDetail(err, tr, detail)
		if t, ok := problem.As[*problem.TooMany](err); ok {
			detail = t.In(tr)
		}
		if key := wholeRequestReason(err); key != "" && len(localFields(err, tr)) == 0 {
			detail = s.Messages.T(lang, key) // forbidden, not found …: the page's words
		}
	}
	w.WriteHeader(code)
	s.renderError(w, r, lang, key, detail)
}

// WriteProblem writes an application/problem+json answer.
func WriteProblem(w http.ResponseWriter, r *http.Request, code int, detail string, fields []problem.FieldError) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(Problem{Type: "about:blank", Title: http.StatusText(code), Status: code, Detail: detail, Errors: fields, RequestID: RequestID(r.Context())})
}

// JSON writes v as a JSON answer.
func JSON(w http.ResponseWriter, code int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// DecodeJSON reads one JSON object from the request body into v, refusing unknown fields
// and trailing data, and reporting syntax and type errors as a field problem. A body that
// is not an object (null, an array, a string) and a top-level field whose value is null
// are refused too: decoding them would silently leave v's zero values in place, so that
// `null` or `"name": null` would pass as an empty success.
func DecodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return problem.Field("body", "cannot be read as JSON: %v", err)
	}
	if !utf8.Valid(body) {
		// encoding/json would quietly turn each bad byte into U+FFFD and store that.
		return problem.Field("body", "is not valid UTF-8 text")
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] != '{' {
		var x any
		if err := json.Unmarshal(trimmed, &x); err == nil {
			return problem.Field("body", "must be a JSON object, not %s", jsonKind(x))
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &ute):
			if ute.Field == "" {
				return problem.Field("body", "must be a JSON object, not %s", ute.Value)
			}
			return problem.Field(ute.Field, "must be %s, not %s", ute.Type, ute.Value)
		case errors.As(err, &se):
			return problem.Field("body", "is not valid JSON at byte %d: %v", se.Offset, err)
		case errors.Is(err, io.EOF):
			return problem.Field("body", "is empty; a JSON object is expected")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			if name == "" {
				return problem.Field("body", "has a field with an empty name")
			}
			return problem.Field(name, "is not a known field")
		}
		return problem.Field("body", "cannot be read as JSON: %v", err)
	}
	if dec.More() {
		return problem.Field("body", "has data after the JSON object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return problem.Field("body", "cannot be read as JSON: %v", err)
	}
	nulls := &problem.Invalid{}
	for k, raw := range fields {
		if string(raw) == "null" {
			nulls.Add(k, "must not be null; leave the field out instead")
		}
	}
	sort.Slice(nulls.Fields, func(i, j int) bool { return nulls.Fields[i].Field < nulls.Fields[j].Field })
	return nulls.Err()
}

// jsonKind names the kind of a decoded JSON value for a reason.
func jsonKind(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "an object"
}

// IDParam parses the {name} path wildcard as a positive record id; a malformed id is a 404
// like any other id that names no record.
func IDParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// beijing formats a time.Time or *time.Time in China Standard Time, the time the people using
// ciiguard and its regulators count their days in.
func beijing(t any, layout string) string { return inZone(t, calendar.Shanghai, layout) }

// inZone formats a time.Time or *time.Time in loc; zero, nil and other values show as nothing.
func inZone(t any, loc *time.Location, layout string) string {
	var v time.Time
	switch x := t.(type) {
	case time.Time:
		v = x
	case *time.Time:
		if x != nil {
			v = *x
		}
	}
	if v.IsZero() {
		return ""
	}
	return v.In(loc).Format(layout)
}

var funcs = template.FuncMap{
	"date": func(t any) string { return beijing(t, "2006-01-02") },
	// datetime shows an instant in Beijing time with its offset, so nobody has to add eight
	// hours in their head and nobody is left guessing which zone it is.
	"datetime": func(t any) string { return beijing(t, "2006-01-02 15:04:05 -07:00") },
	// utctime is for the log vault's pages, which work in UTC throughout (their search
	// ranges, histogram and bundles are UTC, as syslog tooling expects) and say so.
	"utctime": func(t any) string { return inZone(t, time.UTC, "2006-01-02 15:04:05 UTC") },
	"join":    strings.Join,
	"rmb":     FormatRMB,
	"add":     func(a, b int) int { return a + b },
	// dict makes a map of its key, value arguments, to pass several values to a
	// template: {{template "field" (dict "View" $ "Name" "owner")}}.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: %d arguments, not key and value pairs", len(kv))
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

// View is what every page template receives.
type View struct {
	s         *Server
	Lang      string
	Title     string
	TitleArgs []any // the arguments of Title's message, for a page about one record
	// Refresh, when positive, reloads the page after that many seconds: a page that
	// follows work still running (a verification's progress).
	Refresh   int
	Active    string
	Principal *auth.Principal
	Nav       []NavItem
	CSRF      string
	Content   template.HTML
	Data      any
	Form      url.Values
	Errors    map[string]string
	Flash     string
	Path      string // the current page, so the language switch can come back to it
	// Status is the page's HTTP status, 200 when zero: set it rather than writing the
	// header before Render, which would lose the cookie that clears the flash message.
	Status int
}

// T translates a message key into the page's language.
func (v *View) T(key string, args ...any) string { return v.s.Messages.T(v.Lang, key, args...) }

// L picks the Chinese or the English of a bilingual value for the page's language.
func (v *View) L(zh, en string) string {
	if v.Lang == LangZH && zh != "" {
		return zh
	}
	if en == "" {
		return zh
	}
	return en
}

// PageTitle is the page's title in its language: the Title message with TitleArgs.
func (v *View) PageTitle() string { return v.s.Messages.T(v.Lang, v.Title, v.TitleArgs...) }

// Langs lists the switchable languages.
func (v *View) Langs() []string { return Langs }

// Err returns the field error for name, if any.
func (v *View) Err(name string) string { return v.Errors[name] }

// Val returns the submitted value of a form field, to refill a form after an error.
func (v *View) Val(name string) string { return v.Form.Get(name) }

// Pages is a set of page templates of one capability, each combined with the layout.
type Pages struct {
	s   *Server
	set map[string]*template.Template
}

// ParsePages parses every template matching the patterns in fsys; each file defines a
// "content" template rendered inside the layout.
func (s *Server) ParsePages(fsys fs.FS, patterns ...string) (*Pages, error) {
	p := &Pages{s: s, set: map[string]*template.Template{}}
	for _, pat := range patterns {
		files, err := fs.Glob(fsys, pat)
		if err != nil {
			return nil, fmt.Errorf("glob %s: %w", pat, err)
		}
		for _, f := range files {
			t, err := template.New(f).Funcs(funcs).ParseFS(embedded, "templates/partials.html")
			if err != nil {
				return nil, fmt.Errorf("parse partials: %w", err)
			}
			t, err = t.ParseFS(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("parse page %s: %w", f, err)
			}
			name := f[strings.LastIndex(f, "/")+1:]
			p.set[name] = t
		}
	}
	return p, nil
}

// NewView prepares a page's view for the request.
func (s *Server) NewView(r *http.Request, title, active string) *View {
	v := &View{s: s, Lang: RequestLang(r), Active: active, Principal: PrincipalFrom(r.Context()), Errors: map[string]string{}, Path: r.URL.RequestURI()}
	v.Title = title
	if v.Principal != nil {
		v.CSRF = v.Principal.CSRF
		for _, n := range s.nav {
			if auth.Allowed(v.Principal.Role, n.Perm) {
				v.Nav = append(v.Nav, n)
			}
		}
	}
	if c, err := r.Cookie(flashCookie); err == nil {
		if msg, err := url.QueryUnescape(c.Value); err == nil {
			v.Flash = msg
		}
	}
	return v
}

// Render executes page name with view v inside the layout, answering v.Status (200 when
// unset). Handlers set v.Status instead of writing the header themselves, so that the
// cookie clearing a shown flash message goes out with the page. A page answered with an
// error status (a form that failed) never shows the flash of an earlier success.
func (p *Pages) Render(w http.ResponseWriter, r *http.Request, name string, v *View) error {
	t, ok := p.set[name]
	if !ok {
		return fmt.Errorf("render: no page template %q", name)
	}
	if v.Status >= 400 {
		v.Flash = ""
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "content", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	v.Content = template.HTML(buf.String())
	if _, err := r.Cookie(flashCookie); err == nil {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
	}
	return p.s.executeLayout(w, v)
}

// Fragment executes page name's "content" with v, without the layout: a section that a
// capability adds to another capability's page (kernel.Section).
func (p *Pages) Fragment(name string, v *View) (template.HTML, error) {
	t, ok := p.set[name]
	if !ok {
		return "", fmt.Errorf("render: no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "content", v); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil
}

// RenderBare executes page name's "content" as the whole document, without the layout's
// header and navigation: a print view, whose template writes its own <html>.
func (p *Pages) RenderBare(w http.ResponseWriter, r *http.Request, name string, v *View) error {
	h, err := p.Fragment(name, v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if v.Status != 0 {
		w.WriteHeader(v.Status)
	}
	_, err = w.Write([]byte(h))
	return err
}

func (s *Server) executeLayout(w http.ResponseWriter, v *View) error {
	var buf bytes.Buffer
	if err := s.layout.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render layout: %w", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if v.Status != 0 {
		w.WriteHeader(v.Status)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

const flashCookie = "ciiguard_flash"

// Redirect sends the browser to path after a successful form, with a one-time message.
func Redirect(w http.ResponseWriter, r *http.Request, path, flash string) error {
	if flash != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(flash), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60})
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// FieldErrors turns a validation problem into per-field messages for a form, in the page's
// language, or returns the error unchanged when it is not one.
func FieldErrors(err error, v *View) error {
	fs := localFields(err, v.s.Messages.Reasons(v.Lang))
	if fs == nil {
		return err
	}
	for _, f := range fs {
		v.Errors[f.Field] = f.Reason
	}
	return nil
}

// FieldErrorsIn is FieldErrors for a page with several forms that share field names: each
// refusal is filed as "form.field", the name the sent form's controls give Aria and ErrFor,
// and the submitted values become the view's form under form (FormVal), so only the form
// that was sent shows its refusals and keeps what was typed; the page then answers 400 (409
// for a conflict). With form "" the refusals keep their field names, for a page whose forms
// do not share any. It returns err unchanged when it is not a validation problem.
func FieldErrorsIn(form string, err error, v *View, sent url.Values) error {
	fs := localFields(err, v.s.Messages.Reasons(v.Lang))
	if fs == nil {
		return err
	}
	for _, f := range fs {
		k := f.Field
		if form != "" {
			k = form + "." + f.Field
		}
		if e := v.Errors[k]; e != "" {
			f.Reason = e + "; " + f.Reason // a field refused for two reasons shows both
		}
		v.Errors[k] = f.Reason
	}
	v.Form = url.Values{}
	for k, vs := range sent {
		v.Form[k] = vs
	}
	if form != "" {
		v.Form.Set("_form", form)
	}
	v.Status = http.StatusBadRequest
	if _, ok := problem.As[*problem.Conflict](err); ok {
		v.Status = http.StatusConflict
	}
	return nil
}

// localFields returns the fields of a validation problem or conflict with their reasons in
// tr's language, or nil when err is neither.
func localFields(err error, tr problem.Translator) []problem.FieldError {
	if inv, ok := problem.As[*problem.Invalid](err); ok {
		out := make([]problem.FieldError, len(inv.Fields))
		for i, f := range inv.Fields {
			out[i] = problem.FieldError{Field: f.Field, Reason: f.In(tr)}
		}
		return out
	}
	if c, ok := problem.As[*problem.Conflict](err); ok {
		return []problem.FieldError{{Field: c.Field, Reason: c.In(tr)}}
	}
	return nil
}

// localDetail says what was wrong with a request in the reader's language, field by field,
// for the error page of a form that has no fields of its own to show it on.
func localDetail(err error, tr problem.Translator, detail string) string {
	fs := localFields(err, tr)
	if len(fs) == 0 {
		return detail
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Field + ": " + f.Reason
	}
	return strings.Join(parts, "; ")
}

// FormatRMB writes an amount of yuan the way the page's language expects: 万元 (units of
// 10,000) in Chinese for round amounts, thousands separators in English.
func FormatRMB(lang string, n int64) string {
	if lang == LangZH {
		if n >= 10000 && n%100 == 0 {
			return strconv.FormatFloat(float64(n)/10000, 'f', -1, 64) + " 万元"
		}
		return strconv.FormatInt(n, 10) + " 元"
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return "RMB " + b.String()
}
