package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

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

// TestTwoNodesShareTheUnknownSenders sends syslog with a real logger (util-linux) from an
// address no source is registered for to one node's UDP listener; the other node, which
// received nothing, must list the sender on its sources API with the three messages
// refused and the latest line as the sample: an operator asks whichever node the load
// balancer gives them.
func TestTwoNodesShareTheUnknownSenders(t *testing.T) {
	t.Parallel()
	logger, err := exec.LookPath("logger")
	if err != nil {
		t.Skip("logger (util-linux) not installed")
	}
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		a := apptest.StartFlags(t, d, "--syslog-udp", "127.0.0.1:0")
		b := a.Join(t)
		// apptest serves the pages only; the listeners and the flush loop start as
		// `ciiguard serve` starts them.
		la := logsOf(t, a)
		if err := la.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		ls := la.Listeners()
		if len(ls) != 1 {
			t.Fatalf("node a runs %d syslog listeners, want the UDP one", len(ls))
		}
		port := strconv.Itoa(ls[0].Addr().(*net.UDPAddr).Port)
		for i := 1; i <= 3; i++ {
			out, err := exec.Command(logger, "-d", "-n", "127.0.0.1", "-P", port, "-t", "edge-fw", fmt.Sprintf("unregistered line %d", i)).CombinedOutput()
			if err != nil {
				t.Fatalf("logger: %v %s", err, out)
			}
		}
		admin := b.Login(t, demoEmail[auth.Admin])
		deadline := time.Now().Add(30 * time.Second)
		for {
			res, body := admin.Do("GET", "/api/v1/vault/unknown-senders", nil, nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("unknown senders on node b: %d %s", res.StatusCode, body)
			}
			var got struct {
				List []struct {
					Address, Transport, Sample string
					Count                      int
				} `json:"unknown_senders"`
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.List) == 1 && got.List[0].Count == 3 {
				s := got.List[0]
				if s.Address != "127.0.0.1" || s.Transport != "udp" || !strings.Contains(s.Sample, "unregistered line 3") {
					t.Fatalf("node b lists %+v; want 127.0.0.1 over udp with the third line as sample", s)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("node b still lists %+v 30 s after node a refused three messages from 127.0.0.1", got.List)
			}
			time.Sleep(200 * time.Millisecond)
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
