package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"ciiguard/internal/problem"
)

func FuzzMatchLang(f *testing.F) {
	for _, s := range []string{"zh-CN,zh;q=0.9", "en", "", "*", "fr;q=0.1,zh-TW", ";;;q=", strings.Repeat("a,", 500)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := MatchLang(s); got != LangZH && got != LangEN {
			t.Fatalf("MatchLang(%q) = %q", s, got)
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"x","n":1}`, `{"name":1}`, `{`, ``, `{"x":1}`, `{"name":"a"} {}`, `[]`, `null`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v struct {
			Name string `json:"name"`
			N    int    `json:"n"`
		}
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		err := DecodeJSON(r, &v)
		if err == nil {
			return
		}
		inv, ok := problem.As[*problem.Invalid](err)
		if !ok || len(inv.Fields) == 0 || inv.Fields[0].Field == "" || inv.Fields[0].Reason == "" {
			t.Fatalf("DecodeJSON(%q) = %v, want a field problem", body, err)
		}
	})
}

func TestDecodeJSONNamesTheField(t *testing.T) {
	cases := []struct{ body, field string }{
		{`{"name":1}`, "name"},
		{`{"other":1}`, "other"},
		{`{`, "body"},
		{``, "body"},
		{`{"name":"a"} {}`, "body"},
	}
	for _, c := range cases {
		var v struct {
			Name string `json:"name"`
		}
		err := DecodeJSON(httptest.NewRequest("POST", "/", strings.NewReader(c.body)), &v)
		inv, ok := problem.As[*problem.Invalid](err)
		if !ok || inv.Fields[0].Field != c.field {
			t.Errorf("%q: %v, want field %q", c.body, err, c.field)
		}
	}
}
