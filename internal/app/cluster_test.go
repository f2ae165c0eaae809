package app_test

import (
	"context"
	"net"
	"net/http"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/logs"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestTwoNodesShareSessionsAndSignInLimits: two nodes on one store, as two ciiguard
// processes behind a load balancer. A session opened on one works on the other, and
// failed sign-ins for one account from one address count together whichever node
// answered them: the free allowance is FreeFailures for the installation, not per node.
func TestTwoNodesShareSessionsAndSignInLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, d)
		b := a.Join(t)

		c := a.Login(t, demoEmail[auth.Analyst])
		c.Base = b.URL // the load balancer sends the next request to the other node
		if res, body := c.Do("GET", "/", nil, nil); res.StatusCode != http.StatusOK || !csrfOnPage(body) {
			t.Fatalf("a session from node a on node b: %d", res.StatusCode)
		}

		victim := demoEmail[auth.Auditor]
		nodes := []*apptest.Env{a, b}
		for i := 0; i < auth.FreeFailures; i++ {
			// A form is for one attempt: each try fetches a fresh one.
			if code := signInForm(t, nodes[i%2], "127.0.0.1")(victim, "wrong password"); code != http.StatusUnauthorized {
				t.Fatalf("failure %d (node %c): %d, want 401", i+1, "ab"[i%2], code)
			}
		}
		// Three failures on a, two on b: the allowance is spent on both.
		for i, n := range nodes {
			if code := signInForm(t, n, "127.0.0.1")(victim, app.DemoPassword); code != http.StatusTooManyRequests {
				t.Errorf("node %c after %d failures spread over two nodes: %d, want 429 (the delay)", "ab"[i], auth.FreeFailures, code)
			}
		}
	})
}

// TestTwoNodesShareTheSenderTable: a syslog source registered through one node is
// received by the other node's listeners once that node syncs (its flush loop does so
// every few seconds).
func TestTwoNodesShareTheSenderTable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, d)
		b := a.Join(t)
		lb := logsOf(t, b)
		sender := &net.UDPAddr{IP: net.ParseIP("192.0.2.77"), Port: 514}
		if _, _, ok := lb.Resolver().Resolve(sender); ok {
			t.Fatal("192.0.2.77 is known before it is registered")
		}
		admin := a.Login(t, demoEmail[auth.Admin])
		res, body := admin.Do("POST", "/api/v1/vault/sources", nil, jsonHdr(admin), `{"name":"edge-fw","kind":"syslog","sender":"192.0.2.77"}`)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("register on node a: %d %s", res.StatusCode, body)
		}
		if err := lb.SyncSenders(context.Background()); err != nil {
			t.Fatal(err)
		}
		u, err := a.App.Auth.UserByEmail(context.Background(), demoEmail[auth.Admin])
		if err != nil {
			t.Fatal(err)
		}
		org, src, ok := lb.Resolver().Resolve(sender)
		if !ok || org != u.OrgID || src == 0 {
			t.Fatalf("node b after sync: org %d source %d known %v; want the admin's organisation", org, src, ok)
		}
	})
}

// logsOf is the log capability of a node.
func logsOf(t *testing.T, e *apptest.Env) *logs.Module {
	for _, m := range e.App.Modules {
		if l, ok := m.(*logs.Module); ok {
			return l
		}
	}
	t.Fatal("no logs module")
	return nil
}

func csrfOnPage(body string) bool { return formToken.MatchString(body) }
