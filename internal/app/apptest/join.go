package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"ciiguard/internal/app"
)

// Join opens a second node of e's installation: its own process state (sign-in limiter,
// caches, sender table, data directory) on e's records store, served on its own address,
// as another ciiguard process beside e's would be.
func (e *Env) Join(t testing.TB) *Env {
	t.Helper()
	cfg := app.Config{Data: t.TempDir(), DB: e.App.Cfg.DSN()}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("open a second node: %v", err)
	}
	srv := httptest.NewServer(a.Web)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &Env{App: a, URL: srv.URL}
}
