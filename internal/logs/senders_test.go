package logs_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/logs"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// refusedRange is the one answer to a sender that overlaps another organisation's: written
// out here by hand, so the test fails if the answer ever names the owner or its network.
const refusedRange = "this address range cannot be registered; ask your installation operator"

// sourceCount returns how many sources c's organisation has.
func sourceCount(t testing.TB, c *apptest.Client) int {
	t.Helper()
	res, body := c.Do("GET", "/api/v1/vault/sources", nil, nil)
	if res.StatusCode != 200 {
		t.Fatalf("list sources: %d %s", res.StatusCode, body)
	}
	var s struct{ Sources []logs.Source }
	decode(t, body, &s)
	return len(s.Sources)
}

// TestSenderBelongsToOneOrganisation replays the two attacks of issue 8 item 8: org B
// registering a network that contains org A's senders learnt that they were another
// organisation's, and B could take A's address for UDP and TCP because A had it for TLS
// only. Both are refused now, with one message that names neither A nor its network, and
// each refusal is a security event in B's audit trail.
func TestSenderBelongsToOneOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		a := env.Login(t, "admin@grid.demo")
		orgA := orgOf(t, env, "admin@grid.demo")
		b, orgB := secondOperator(t, env)

		if res, body := api(a, "POST", "/api/v1/vault/sources", `{"name":"a-bastion","kind":"syslog-tls","sender":"10.99.0.5"}`); res.StatusCode != http.StatusCreated {
			t.Fatalf("A registers its TLS sender: %d %s", res.StatusCode, body)
		}
		// What B must never learn: A's names and every network A registered.
		res, body := a.Do("GET", "/api/v1/vault/sources", nil, nil)
		var mine struct{ Sources []logs.Source }
		decode(t, body, &mine)
		secrets := []string{"grid", "Grid", "电网", "organisation", "组织"}
		for _, s := range mine.Sources {
			if s.Sender != "" {
				secrets = append(secrets, s.Sender)
			}
		}
		if len(secrets) < 20 || res.StatusCode != 200 {
			t.Fatalf("A's senders: %d %v", res.StatusCode, secrets)
		}
		before := sourceCount(t, b)

		attacks := []struct{ name, body string }{
			{"A's TLS address for UDP", `{"name":"steal-udp","kind":"syslog-udp","sender":"10.99.0.5"}`},
			{"A's TLS address for TCP", `{"name":"steal-tcp","kind":"syslog-tcp","sender":"10.99.0.5"}`},
			{"a network containing A's address", `{"name":"around","kind":"syslog-tls","sender":"10.99.0.0/28"}`},
			{"a network inside A's", `{"name":"inside","kind":"syslog-udp","sender":"10.20.0.11/32"}`},
			{"a confirmed /16 over A's senders", `{"name":"map","kind":"syslog-udp","sender":"10.20.0.0/16","confirm_wide":true}`},
		}
		for _, c := range attacks {
			res, body := api(b, "POST", "/api/v1/vault/sources", c.body)
			var p problemDoc
			decode(t, body, &p)
			if res.StatusCode != http.StatusConflict || len(p.Errors) != 1 || p.Errors[0].Field != "sender" || p.Errors[0].Reason != refusedRange {
				t.Errorf("%s: %d %s, want 409 on sender: %q", c.name, res.StatusCode, body, refusedRange)
			}
			for _, s := range secrets {
				if strings.Contains(body, s) {
					t.Errorf("%s: the answer reveals %q: %s", c.name, s, body)
				}
			}
		}
		if n := sourceCount(t, b); n != before {
			t.Errorf("B has %d sources after the refusals, had %d", n, before)
		}

		// Each refusal is a security event in B's trail, naming what B asked for only.
		var refused []audit.Entry
		err := env.App.DB.ReadTenant(store.WithOrg(context.Background(), orgB), func(tn *store.Tenant) error {
			es, err := audit.List(tn, 0, 100)
			for _, e := range es {
				if e.Action == audit.SenderRefused {
					refused = append(refused, e)
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(refused) != len(attacks) {
			t.Fatalf("B's trail holds %d sender refusals, want %d: %+v", len(refused), len(attacks), refused)
		}
		for _, e := range refused {
			if !strings.HasPrefix(e.Actor, app.OtherOperatorEmail(auth.Admin)) || e.OrgID != orgB || strings.Contains(e.Detail, "grid") {
				t.Errorf("refusal entry: %+v", e)
			}
		}
		if !strings.Contains(refused[0].Detail, "10.20.0.0/16") {
			t.Errorf("newest refusal does not say what was asked: %+v", refused[0])
		}

		// One source takes an address over every transport: a second one for the same
		// address is refused, naming the first (before, each transport had its own).
		if res, body := api(a, "POST", "/api/v1/vault/sources", `{"name":"a-bastion-udp","kind":"syslog-udp","sender":"10.99.0.5"}`); res.StatusCode != http.StatusConflict ||
			!strings.Contains(body, `is already the sender of your source \"a-bastion\"`) {
			t.Errorf("A adds a second source for its own address: %d %s; want 409 naming a-bastion", res.StatusCode, body)
		}
		// Once A releases the address (deletes the source using it), B may take it.
		id := sourceID(t, a, "a-bastion")
		if res, body := api(a, "DELETE", "/api/v1/vault/sources/"+id, ""); res.StatusCode != http.StatusNoContent {
			t.Fatalf("A deletes a-bastion: %d %s", res.StatusCode, body)
		}
		if res, body := api(b, "POST", "/api/v1/vault/sources", `{"name":"now-free","kind":"syslog-udp","sender":"10.99.0.5"}`); res.StatusCode != http.StatusCreated {
			t.Errorf("B takes the released address: %d %s", res.StatusCode, body)
		}
		_ = orgA
	})
}

// sourceID returns the id of c's source named name.
func sourceID(t testing.TB, c *apptest.Client, name string) string {
	t.Helper()
	_, body := c.Do("GET", "/api/v1/vault/sources", nil, nil)
	var s struct{ Sources []logs.Source }
	decode(t, body, &s)
	for _, x := range s.Sources {
		if x.Name == name {
			return strconv.FormatInt(x.ID, 10)
		}
	}
	t.Fatalf("no source %q in %s", name, body)
	return ""
}

// TestWideSenderNeedsAdministrator: a network wider than /24 (IPv4) or /56 (IPv6) is
// registered only when an administrator confirms it with confirm_wide; anyone else, or an
// unconfirmed request, gets a 400 naming confirm_wide and nothing is written.
func TestWideSenderNeedsAdministrator(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@grid.demo")
		secm := env.Login(t, "security@grid.demo")
		cases := []struct {
			name  string
			c     *apptest.Client
			body  string
			code  int
			field string
		}{
			{"/20 unconfirmed", admin, `{"name":"w1","kind":"syslog-udp","sender":"10.30.0.0/20"}`, 400, "confirm_wide"},
			{"/20 confirmed by a security manager", secm, `{"name":"w2","kind":"syslog-udp","sender":"10.30.0.0/20","confirm_wide":true}`, 400, "confirm_wide"},
			{"/23 unconfirmed", secm, `{"name":"w3","kind":"syslog-tcp","sender":"10.31.0.0/23"}`, 400, "confirm_wide"},
			{"IPv6 /48 unconfirmed", admin, `{"name":"w4","kind":"syslog-udp","sender":"2001:db8:1::/48"}`, 400, "confirm_wide"},
			{"/24 needs no confirmation", secm, `{"name":"n1","kind":"syslog-udp","sender":"10.32.0.0/24"}`, 201, ""},
			{"a host needs no confirmation", secm, `{"name":"n2","kind":"syslog-udp","sender":"10.33.0.1"}`, 201, ""},
			{"IPv6 /56 needs no confirmation", secm, `{"name":"n3","kind":"syslog-udp","sender":"2001:db8:2::/56"}`, 201, ""},
			{"/20 confirmed by an administrator", admin, `{"name":"w5","kind":"syslog-udp","sender":"10.30.0.0/20","confirm_wide":true}`, 201, ""},
			{"IPv6 /48 confirmed by an administrator", admin, `{"name":"w6","kind":"syslog-tls","sender":"2001:db8:1::/48","confirm_wide":true}`, 201, ""},
			{"/8 stays refused even confirmed", admin, `{"name":"w7","kind":"syslog-udp","sender":"11.0.0.0/8","confirm_wide":true}`, 400, "sender"},
			{"confirm_wide must be a boolean", admin, `{"name":"w8","kind":"syslog-udp","sender":"10.34.0.0/20","confirm_wide":"yes"}`, 400, "confirm_wide"},
		}
		for _, c := range cases {
			before := sourceCount(t, admin)
			res, body := api(c.c, "POST", "/api/v1/vault/sources", c.body)
			if res.StatusCode != c.code {
				t.Errorf("%s: %d %s, want %d", c.name, res.StatusCode, body, c.code)
				continue
			}
			after := sourceCount(t, admin)
			if c.code != 201 {
				var p problemDoc
				decode(t, body, &p)
				if len(p.Errors) == 0 || p.Errors[0].Field != c.field {
					t.Errorf("%s: %s, want the field %s named", c.name, body, c.field)
				}
				if after != before {
					t.Errorf("%s: refused, yet a source was written", c.name)
				}
			} else if after != before+1 {
				t.Errorf("%s: accepted, yet %d sources (was %d)", c.name, after, before)
			}
		}
		// The form says the same, in the page's language.
		res, body := admin.Do("POST", "/vault/sources", map[string][]string{"_csrf": {admin.CSRF}, "name": {"w9"}, "kind": {"syslog-udp"}, "sender": {"10.40.0.0/16"}}, map[string]string{"Accept-Language": "zh-CN"})
		if res.StatusCode != 400 || !strings.Contains(body, "管理员") {
			t.Errorf("form without confirmation: %d, want 400 with the reason in Chinese", res.StatusCode)
		}
		res, _ = admin.Do("POST", "/vault/sources", map[string][]string{"_csrf": {admin.CSRF}, "name": {"w9"}, "kind": {"syslog-udp"}, "sender": {"10.40.0.0/16"}, "confirm_wide": {"on"}}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("form confirmed by the administrator: %d, want 303", res.StatusCode)
		}
	})
}
