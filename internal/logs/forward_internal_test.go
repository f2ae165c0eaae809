package logs

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"ciiguard/internal/vault"
)

// TestForwardToWriter: what a node that is not the organisation's log writer does with a
// request, against a stand-in writer that records what reached it.
func TestForwardToWriter(t *testing.T) {
	var got atomic.Pointer[http.Request]
	var gotBody atomic.Value
	writer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.Store(r)
		gotBody.Store(string(b))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"accepted":2,"first_seq":7,"last_seq":8,"source_id":3}`)
	}))
	defer writer.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()

	notWriter := func(url string) error {
		return &vault.NotWriterError{Org: 1, Holder: "node-2", URL: url, Err: errors.New("lease vault:org:1 is held by node node-2")}
	}
	other := errors.New("disk full")
	cases := []struct {
		name      string
		err       error
		forwarded bool // the request carries the loop guard already
		// want
		reached    bool
		status     int    // 0: nothing written, the error returned to the web layer
		retryAfter string // on the returned error's answer
		sameErr    bool
	}{
		{name: "another error is not forwarded", err: other, sameErr: true},
		{name: "to the writer's URL", err: notWriter(writer.URL), reached: true, status: http.StatusOK},
		{name: "already forwarded once", err: notWriter(writer.URL), forwarded: true, retryAfter: "1"},
		{name: "writer advertised no URL", err: notWriter(""), retryAfter: "1"},
		{name: "writer unreachable", err: notWriter(goneURL), retryAfter: "1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got.Store(nil)
			m := &Module{}
			body := "{\"message\":\"a\"}\n{\"message\":\"b\"}\n"
			r := httptest.NewRequest("POST", "/api/v1/vault/events?x=1", strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer tok")
			r.Header.Set("Connection", "keep-alive")
			if c.forwarded {
				r.Header.Set(ForwardedHeader, "1")
			}
			w := httptest.NewRecorder()
			err := m.forward(w, r, []byte(body), c.err)
			if reached := got.Load() != nil; reached != c.reached {
				t.Fatalf("reached the writer: %v, want %v", reached, c.reached)
			}
			if c.reached {
				in := got.Load()
				if in.Method != "POST" || in.URL.RequestURI() != "/api/v1/vault/events?x=1" || in.Header.Get("Authorization") != "Bearer tok" ||
					in.Header.Get(ForwardedHeader) != "1" || gotBody.Load() != body {
					t.Fatalf("the writer got %s %s auth %q guard %q body %q", in.Method, in.URL.RequestURI(), in.Header.Get("Authorization"), in.Header.Get(ForwardedHeader), gotBody.Load())
				}
			}
			if c.status != 0 {
				if err != nil || w.Code != c.status || w.Body.String() != `{"accepted":2,"first_seq":7,"last_seq":8,"source_id":3}` {
					t.Fatalf("answer %d %q, err %v; want the writer's", w.Code, w.Body.String(), err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error: the web layer would answer nothing")
			}
			if c.sameErr && err != c.err {
				t.Fatalf("error %v, want %v unchanged", err, c.err)
			}
			var nw *vault.NotWriterError
			if !c.sameErr && !errors.As(err, &nw) {
				t.Fatalf("error %v: want the not-writer error kept (a 503)", err)
			}
			if ra := w.Header().Get("Retry-After"); ra != c.retryAfter {
				t.Fatalf("Retry-After %q, want %q", ra, c.retryAfter)
			}
		})
	}
}

// TestForwardWriteToWriter: a purge, checkpoint or verify request that reaches a node that
// is not the log's writer goes to the writer with the same fields, whether the CSRF check
// read the form first or the handler reads a JSON body itself; the writer's redirect is
// the browser's.
func TestForwardWriteToWriter(t *testing.T) {
	type seen struct {
		ctype string
		form  map[string][]string
		body  string
	}
	var got atomic.Pointer[seen]
	writer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s := &seen{ctype: r.Header.Get("Content-Type"), body: string(b)}
		if strings.HasPrefix(s.ctype, "application/x-www-form-urlencoded") {
			r.Body = io.NopCloser(strings.NewReader(string(b)))
			_ = r.ParseForm()
			s.form = r.PostForm
		}
		got.Store(s)
		http.Redirect(w, r, "/vault/integrity", http.StatusSeeOther)
	}))
	defer writer.Close()
	nw := &vault.NotWriterError{Org: 1, Holder: "node-2", URL: writer.URL, Err: errors.New("held")}
	for _, c := range []struct {
		name, ctype, body string
		parsed            bool // the CSRF check read the form
		wantForm          map[string]string
		wantBody          string
	}{
		{name: "form read by the CSRF check", ctype: "application/x-www-form-urlencoded", body: "_csrf=tok&confirm=yes&lang=zh-CN",
			parsed: true, wantForm: map[string]string{"_csrf": "tok", "confirm": "yes", "lang": "zh-CN"}},
		{name: "JSON read by the handler", ctype: "application/json", body: `{"confirm":true}`, wantBody: `{"confirm":true}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got.Store(nil)
			m := &Module{}
			r := httptest.NewRequest("POST", "/vault/checkpoint", strings.NewReader(c.body))
			r.Header.Set("Content-Type", c.ctype)
			if c.parsed {
				if err := r.ParseForm(); err != nil {
					t.Fatal(err)
				}
			}
			handler := func(w http.ResponseWriter, r *http.Request) error {
				if !c.parsed {
					if b, _ := io.ReadAll(r.Body); string(b) != c.body {
						t.Errorf("the handler read %q, want %q", b, c.body)
					}
				}
				return nw
			}
			w := httptest.NewRecorder()
			if err := m.forwardableBody(handler)(w, r); err != nil {
				t.Fatalf("forwarded write: %v", err)
			}
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/vault/integrity" {
				t.Fatalf("answer %d to %q; want the writer's redirect to /vault/integrity", w.Code, w.Header().Get("Location"))
			}
			s := got.Load()
			if s == nil {
				t.Fatal("nothing reached the writer")
			}
			if c.wantBody != "" && s.body != c.wantBody {
				t.Fatalf("the writer got %q, want %q", s.body, c.wantBody)
			}
			for k, v := range c.wantForm {
				if len(s.form[k]) != 1 || s.form[k][0] != v {
					t.Fatalf("the writer got field %s = %v, want %q (all: %v)", k, s.form[k], v, s.form)
				}
			}
			if c.wantForm != nil && len(s.form) != len(c.wantForm) {
				t.Fatalf("the writer got fields %v, want exactly %v", s.form, c.wantForm)
			}
		})
	}
}
