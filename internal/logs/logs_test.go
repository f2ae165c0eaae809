package logs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/logs"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// module finds the logs module of a running installation.
func module(t testing.TB, env *apptest.Env) *logs.Module {
	t.Helper()
	for _, m := range env.App.Modules {
		if lm, ok := m.(*logs.Module); ok {
			return lm
		}
	}
	t.Fatal("logs module not registered")
	return nil
}

func orgID(t testing.TB, env *apptest.Env, email string) int64 {
	t.Helper()
	u, err := env.App.Auth.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.OrgID
}

func decode(t testing.TB, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
}

func TestDemoLogsAreSearchable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "analyst@grid.demo")
		res, body := c.Do("GET", "/api/v1/vault/search?limit=5", nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("search: %d %s", res.StatusCode, body)
		}
		var page struct {
			Events []struct {
				Seq  uint64
				Host string
			}
			Next string
		}
		decode(t, body, &page)
		if len(page.Events) != 5 || page.Next == "" {
			t.Fatalf("demo search: %d events, next %q", len(page.Events), page.Next)
		}
		for _, lang := range []string{"zh-CN", "en"} {
			c.Do("POST", "/lang", url.Values{"lang": {lang}}, nil)
			for _, p := range []string{"/vault", "/vault/sources", "/vault/retention", "/vault/integrity", "/"} {
				res, body := c.Do("GET", p, nil, nil)
				if res.StatusCode != 200 || strings.Contains(body, "[vault.") || strings.Contains(body, "[nav.") {
					t.Errorf("%s in %s: %d", p, lang, res.StatusCode)
				}
			}
		}
		_ = auth.Admin
		_ = http.StatusOK
		_ = module(t, env)
	})
}
