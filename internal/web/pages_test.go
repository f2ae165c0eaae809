package web_test

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ciiguard/internal/auth"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// TestErrorPage renders the error page in both languages: the status's name, the reason
// with any markup in it escaped, and the way back.
func TestErrorPage(t *testing.T) {
	cases := []struct {
		lang string
		err  error
		code int
		want []string
	}{
		{"en", store.ErrNotFound, 404, []string{`<div class="error-page"><h1>Not found</h1><p>no such record</p><p><a href="/">Dashboard</a></p></div>`}},
		{"zh-CN", store.ErrNotFound, 404, []string{`<h1>未找到</h1>`, `<a href="/">总览</a>`}},
		{"en", problem.Field("name", "<b>is bold</b>"), 400, []string{`<h1>The request has errors</h1>`, `&lt;b&gt;is bold&lt;/b&gt;`}},
		{"en", errors.New("disk on fire"), 500, []string{`<h1>Something went wrong</h1>`, `Internal error; quote request id `}},
		{"zh-CN", errors.New("disk on fire"), 500, []string{`<h1>出现错误</h1>`, `<p>服务器内部错误。请将请求编号 `}},
		{"en", &problem.TooMany{Reason: "too many failed sign-ins for this account from this address; try again later", RetryAfter: 30}, 429,
			[]string{`<h1>Too many requests</h1>`, `<p>too many failed sign-ins for this account from this address; try again later</p>`}},
		{"zh-CN", &problem.TooMany{Reason: "too many failed sign-ins for this account from this address; try again later", RetryAfter: 30}, 429,
			[]string{`<h1>请求过于频繁</h1>`, `<p>此账号从此地址登录失败次数过多，请稍后再试</p>`}},
	}
	s := newServer(t)
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/x", nil)
		r.Header.Set("Accept-Language", c.lang)
		w := httptest.NewRecorder()
		s.FailForTest(w, r, false, c.err)
		body := w.Body.String()
		if w.Code != c.code {
			t.Errorf("%s %v: status %d, want %d", c.lang, c.err, w.Code, c.code)
		}
		for _, want := range c.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s %v: page lacks %q:\n%s", c.lang, c.err, want, body)
			}
		}
		if strings.Contains(body, "<b>") || strings.Contains(body, "disk on fire") {
			t.Errorf("%s %v: page shows markup or a server error's detail:\n%s", c.lang, c.err, body)
		}
	}
}

// TestDashboard shows the widgets the user's role may see, in order, or says there is
// nothing to show.
func TestDashboard(t *testing.T) {
	s := newServer(t)
	s.AddWidget(web.Widget{Order: 2, Perm: auth.ManageUsers, Render: func(*http.Request) (template.HTML, error) { return `<section id="second"></section>`, nil }})
	s.AddWidget(web.Widget{Order: 1, Perm: auth.ViewDashboard, Render: func(*http.Request) (template.HTML, error) { return `<section id="first"></section>`, nil }})
	render := func(role auth.Role) string {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", "en")
		r = r.WithContext(web.WithPrincipalForTest(context.Background(), &auth.Principal{Role: role}))
		w := httptest.NewRecorder()
		if err := s.DashboardForTest(w, r); err != nil {
			t.Fatal(err)
		}
		return w.Body.String()
	}
	body := render(auth.Admin)
	if !strings.Contains(body, "<h1>Dashboard</h1>\n<div class=\"widgets\"><section id=\"first\"></section>\n<section id=\"second\"></section>\n</div>") {
		t.Errorf("admin's dashboard:\n%s", body)
	}
	if body := render(auth.Analyst); !strings.Contains(body, `<section id="first">`) || strings.Contains(body, `id="second"`) {
		t.Errorf("analyst's dashboard shows a widget of user management or misses the other:\n%s", body)
	}

	empty := newServer(t)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "zh-CN")
	r = r.WithContext(web.WithPrincipalForTest(context.Background(), &auth.Principal{Role: auth.Analyst}))
	w := httptest.NewRecorder()
	if err := empty.DashboardForTest(w, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.Body.String(), `<p class="empty">暂无内容。</p>`) {
		t.Errorf("empty dashboard in Chinese:\n%s", w.Body.String())
	}
}

// TestLoginPage opens the sign-in form: the title and labels in the page's language, a
// form token equal to the cookie's, and the next page kept, escaped.
func TestLoginPage(t *testing.T) {
	s := newServer(t)
	r := httptest.NewRequest("GET", `/login?next=/scope/systems?q="x"`, nil)
	r.Header.Set("Accept-Language", "zh-CN")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	body := w.Body.String()
	var cookie string
	for _, c := range w.Result().Cookies() {
		if c.Path == "/login" {
			cookie = c.Value
		}
	}
	for _, want := range []string{
		`<h1>登录</h1>`,
		`<input type="hidden" name="_csrf" value="` + cookie + `">`,
		`<input type="hidden" name="next" value="/scope/systems?q=&#34;x&#34;">`,
		`<input id="password" name="password" type="password" autocomplete="current-password" required`,
	} {
		if cookie == "" || !strings.Contains(body, want) {
			t.Errorf("login page (status %d) lacks %q:\n%s", w.Code, want, body)
		}
	}
}
