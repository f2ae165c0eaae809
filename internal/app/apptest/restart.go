package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"ciiguard/internal/app"
)

// Restart stops the installation and opens it again on the same data directory and
// database, as an operator's restart of `ciiguard serve` would, so a test can change
// files between the two (damage a log, say). The returned Env serves on a new address;
// sign in again, sessions of the old server are kept in the database.
func (e *Env) Restart(t testing.TB, between func()) *Env {
	t.Helper()
	cfg := e.App.Cfg
	if err := e.App.Close(); err != nil {
		t.Logf("close before restart: %v", err)
	}
	if between != nil {
		between()
	}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("reopen app: %v", err)
	}
	srv := httptest.NewServer(a.Web)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &Env{App: a, URL: srv.URL}
}
