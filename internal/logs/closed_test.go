package logs_test

import (
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/logs"
	"ciiguard/internal/store"
)

// TestEventsAfterClose: a capability still at work when the installation shuts down (the
// threat capability's retro-hunt counts events through kernel.VaultEvents) gets an error
// naming the closed vault from the logs module, not a nil dereference — it panicked in
// vault.Histogram after a restart in a test.
func TestEventsAfterClose(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	var m *logs.Module
	for _, x := range env.App.Modules {
		if lm, ok := x.(*logs.Module); ok {
			m = lm
		}
	}
	u, err := env.App.Auth.UserByEmail(t.Context(), "security@grid.demo")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := store.WithOrg(t.Context(), u.OrgID)
	n, err := m.CountEvents(ctx, time.Now().Add(-24*time.Hour), time.Now())
	if err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("counting events after close: %d, %v; want the vault's 'closed' error", n, err)
	}
	if _, err := m.ProveEvent(ctx, 0); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("a proof after close: %v; want the vault's 'closed' error", err)
	}
}
