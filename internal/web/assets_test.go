package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"ciiguard/internal/auth"
	"ciiguard/internal/web"
)

func newServer(t *testing.T) *web.Server {
	t.Helper()
	s, err := web.NewServer(nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// capabilityFiles is a capability's embedded files in the usual layout.
func capabilityFiles(openapi string) fstest.MapFS {
	fs := fstest.MapFS{
		"messages/en.json":        {Data: []byte(`{"demo.hello": "Hello, %s"}`)},
		"messages/zh-CN.json":     {Data: []byte(`{"demo.hello": "你好，%s"}`)},
		"templates/page_one.html": {Data: []byte(`{{define "content"}}<p id="one">{{.T "demo.hello" "Li"}}</p>{{end}}`)},
	}
	if openapi != "" {
		fs["openapi.json"] = &fstest.MapFile{Data: []byte(openapi)}
	}
	return fs
}

func TestLoadAssets(t *testing.T) {
	s := newServer(t)
	pages, err := s.LoadAssets(capabilityFiles(`{"paths": {"/api/v1/demo": {"get": {"summary": "demo"}}}}`), "templates/page_*.html")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Messages.T(web.LangZH, "demo.hello", "李"); got != "你好，李" {
		t.Errorf("message in Chinese = %q", got)
	}
	if _, ok := s.OpenAPI()["paths"].(map[string]any)["/api/v1/demo"]; !ok {
		t.Error("openapi.json's path is not in the served document")
	}
	r := httptest.NewRequest("GET", "/one", nil)
	r.Header.Set("Accept-Language", "en")
	w := httptest.NewRecorder()
	if err := pages.Render(w, r, "page_one.html", s.NewView(r, "demo.hello", "/one")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.Body.String(), `<p id="one">Hello, Li</p>`) {
		t.Errorf("rendered page lacks its content:\n%s", w.Body.String())
	}

	// A capability without an API has no openapi.json; a broken one is an error naming it.
	if _, err := newServer(t).LoadAssets(capabilityFiles(""), "templates/*.html"); err != nil {
		t.Errorf("no openapi.json: %v", err)
	}
	if _, err := newServer(t).LoadAssets(capabilityFiles(`{"paths": `), "templates/*.html"); err == nil || !strings.Contains(err.Error(), "openapi") {
		t.Errorf("broken openapi.json: %v, want an error naming it", err)
	}
	noZH := capabilityFiles("")
	delete(noZH, "messages/zh-CN.json")
	if _, err := newServer(t).LoadAssets(noZH); err == nil || !strings.Contains(err.Error(), "zh-CN.json") {
		t.Errorf("missing Chinese messages: %v, want an error naming the file", err)
	}
}

// TestCan checks the permission helper against user management, which the kernel grants
// to the organisation administrator and the regulator's administrator only.
func TestCan(t *testing.T) {
	cases := []struct {
		role auth.Role // "" is no signed-in user
		want bool
	}{
		{auth.Admin, true}, {auth.RegulatorAdmin, true}, {auth.Analyst, false}, {auth.SupplierUser, false}, {"", false},
	}
	s := newServer(t)
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		if c.role != "" {
			r = r.WithContext(web.WithPrincipalForTest(context.Background(), &auth.Principal{Role: c.role}))
		}
		if got := web.Can(r, auth.ManageUsers); got != c.want {
			t.Errorf("Can(%q, users.manage) = %v, want %v", c.role, got, c.want)
		}
		if got := s.NewView(r, "", "/").Can(string(auth.ManageUsers)); got != c.want {
			t.Errorf("View.Can for %q = %v, want %v", c.role, got, c.want)
		}
	}
}
