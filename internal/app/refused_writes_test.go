package app_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// refusedEntries returns the org's write_refused entries, newest first.
func refusedEntries(t *testing.T, env *apptest.Env, org int64) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	err := env.App.DB.ReadTenant(store.WithOrg(context.Background(), org), func(tn *store.Tenant) error {
		es, err := audit.List(tn, 0, 1000)
		for _, e := range es {
			if e.Action == audit.WriteRefused {
				out = append(out, e)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRefusedWritesAreSecurityEvents: a write refused with 403 (role) or 404 (another
// organisation's record) is a write_refused entry of the requester's organisation,
// naming who and what; a burst from one principal is one entry plus one count per window,
// so refusals cannot be used to flood the trail. Reads that are refused are not written.
func TestRefusedWritesAreSecurityEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		const window = 2 * time.Second
		env.App.Web.SetRefusalWindow(window)
		u, err := env.App.Auth.UserByEmail(context.Background(), demoEmail[auth.Analyst])
		if err != nil {
			t.Fatal(err)
		}
		org := u.OrgID
		analyst := env.Login(t, demoEmail[auth.Analyst])
		regulator := env.Login(t, demoEmail[auth.RegulatorAdmin])

		start := time.Now()
		res, _ := analyst.Do("POST", "/api/v1/users", nil, map[string]string{"Content-Type": "application/json", "X-CSRF-Token": analyst.CSRF}, `{"email":"x@grid.demo","name":"X","role":"admin","password":"long-enough-password"}`)
		if res.StatusCode != 403 {
			t.Fatalf("analyst creating a user: %d, want 403", res.StatusCode)
		}
		got := refusedEntries(t, env, org)
		if len(got) != 1 || !strings.HasPrefix(got[0].Actor, demoEmail[auth.Analyst]) || got[0].Detail != "POST /api/v1/users: 403" {
			t.Fatalf("after one refused write: %+v", got)
		}
		// A burst within the window adds nothing now...
		for i := 0; i < 25; i++ {
			analyst.Do("POST", "/users", url.Values{"email": {"y@grid.demo"}}, nil)
		}
		if n := len(refusedEntries(t, env, org)); n != 1 && time.Since(start) < window {
			t.Fatalf("a burst of 25 refused writes made %d entries within the window", n)
		}
		// ...and one summary entry once the window has passed.
		deadline := time.Now().Add(window + 10*time.Second)
		for {
			got = refusedEntries(t, env, org)
			if len(got) == 2 || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(got) != 2 || got[0].Detail != "25 more refused writes within 2s of the first" {
			t.Fatalf("after the window: %+v", got)
		}
		// A refused read is not a security event; a refused write by another organisation
		// is recorded in that organisation's trail, not in this one.
		analyst.Do("GET", "/api/v1/users", nil, nil)
		regulator.Do("DELETE", "/api/v1/vault/sources/1", nil, map[string]string{"X-CSRF-Token": regulator.CSRF})
		if n := len(refusedEntries(t, env, org)); n != 2 {
			t.Errorf("refused read or other organisation's refusal landed in this trail: %d entries", n)
		}
		ru, _ := env.App.Auth.UserByEmail(context.Background(), demoEmail[auth.RegulatorAdmin])
		if rs := refusedEntries(t, env, ru.OrgID); len(rs) != 1 || !strings.HasPrefix(rs[0].Detail, "DELETE /api/v1/vault/sources/1: 40") {
			t.Errorf("regulator's refused delete: %+v", rs)
		}
	})
}
