package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/frameworks"
	"ciiguard/internal/kernel"
	"ciiguard/internal/obligations"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestMissingDependencyIsAStartUpError opens installations that lack a capability another
// one needs: Open fails, naming the module and the interface it could not find.
func TestMissingDependencyIsAStartUpError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		mods []kernel.Module
		want string
	}{
		{"frameworks without obligations", []kernel.Module{frameworks.New()},
			"provision module frameworks: module frameworks needs a kernel.Obligations, which no module of this installation provides"},
		{"obligations without scope", []kernel.Module{obligations.New(), frameworks.New()},
			"provision module obligations: module obligations needs a obligations.FactSource, which no module of this installation provides"},
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := app.Open(context.Background(), app.Config{Data: t.TempDir(), DB: storetest.DSN(t, store.SQLite), Modules: c.mods}, log)
			if err == nil {
				a.Close()
				t.Fatalf("Open succeeded, want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Open: %v\nwant an error containing %q", err, c.want)
			}
		})
	}
}

// TestModulesInAnyOrder assembles the installation with its modules in reverse order: the
// section that frameworks adds to an obligation's page and every capability's navigation
// entry are still there, in the navigation's own order.
func TestModulesInAnyOrder(t *testing.T) {
	t.Parallel()
	mods := app.Modules()
	slices.Reverse(mods)
	env := apptest.StartWith(t, store.SQLite, mods)
	cl := env.Login(t, demoEmail[auth.SecurityManager])
	cl.Do("POST", "/lang", url.Values{"lang": {"en"}}, nil)
	res, page := cl.Do("GET", "/obligations/CSL-LOG-RETENTION", nil, nil)
	if res.StatusCode != 200 || !strings.Contains(page, `id="mapped-controls"`) {
		t.Fatalf("obligation page: %d, mapped-controls section shown = %v", res.StatusCode, strings.Contains(page, `id="mapped-controls"`))
	}
	// The navigation a security manager sees, by the Order each capability gives.
	want := []string{"/findings", "/obligations", "/policies", "/frameworks", "/scope/systems", "/scope/profile",
		"/vault", "/vault/sources", "/vault/retention", "/vault/integrity", "/evidence"}
	last := -1
	for _, p := range want {
		i := strings.Index(page, `href="`+p+`"`)
		if i < 0 {
			t.Errorf("navigation has no link to %s", p)
			continue
		}
		if i < last {
			t.Errorf("navigation link %s is out of order", p)
		}
		last = i
	}
}
