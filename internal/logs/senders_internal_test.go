package logs

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestMigrationGivesEachNetworkOneOwner loads rows as the per-transport check let them be
// written (org 2 holding org 1's TLS address for UDP, and a network around it for TCP),
// applies the migrations and checks which organisation and source the listeners now
// attribute each sender to, on every transport: the first registration owns the address
// on every transport, the later ones of another organisation receive nothing, and of one
// organisation's sources of the same address (one per transport before migration 004)
// the oldest receives over every transport. Before 004 a source registered for UDP got
// nothing over TCP.
func TestMigrationGivesEachNetworkOneOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		m := &Module{}
		base := append(append([]store.Migration{}, auth.Migrations...), audit.Migrations...)
		all := append(base, m.Migrations()...)
		db := storetest.Open(t, d, append(append([]store.Migration{}, base...), m.Migrations()[0])) // the schema before this change
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		legacy := []struct {
			id, org    int64
			kind, addr string
		}{
			{1, 1, "syslog-tls", "10.99.0.5"},
			{2, 2, "syslog-udp", "10.99.0.5"},
			{3, 2, "syslog-tcp", "10.99.0.0/28"},
			{4, 1, "syslog-udp", "10.20.0.0/24"},
			{5, 2, "syslog-udp", "192.0.2.7"},
			{6, 1, KindHTTP, ""},
			{7, 1, "syslog-udp", "10.99.0.5"}, // the same device over UDP, registered again
		}
		err := db.Write(context.Background(), func(tx *store.Tx) error {
			for i, l := range legacy {
				if _, err := tx.Exec(`INSERT INTO log_sources (id, org_id, name, kind, sender, token_id, created_at, created_by, last_event_at, event_count)
					VALUES ($1, $2, $3, $4, $5, 0, $6, 'test', NULL, 0)`, l.id, l.org, "s"+l.kind+l.addr, l.kind, l.addr, t0.Add(time.Duration(i)*time.Hour)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(all); err != nil {
			t.Fatal(err)
		}
		m.d = kernel.Deps{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		m.res = &resolver{}
		if err := m.refreshResolver(context.Background()); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			ip               string
			wantOrg, wantSrc int64 // 0: dropped
		}{
			{"10.99.0.5", 1, 1}, // org 2's legacy UDP claim and org 1's second source get nothing
			{"10.99.0.3", 0, 0}, // org 2's legacy network around org 1's address
			{"10.20.0.9", 1, 4}, //
			{"192.0.2.7", 2, 5}, // registered for UDP only before: now over TCP, TLS and RELP too
			{"::ffff:192.0.2.7", 2, 5},
		}
		for _, c := range cases {
			for _, a := range []net.Addr{&net.UDPAddr{IP: net.ParseIP(c.ip), Port: 514}, &net.TCPAddr{IP: net.ParseIP(c.ip), Port: 40001}} {
				org, src, ok := m.res.Resolve(a)
				if org != c.wantOrg || src != c.wantSrc || ok != (c.wantOrg != 0) {
					t.Errorf("%s %s: org %d source %d (%v), want org %d source %d", a.Network(), c.ip, org, src, ok, c.wantOrg, c.wantSrc)
				}
			}
		}
		var kinds []string
		err = db.Read(context.Background(), func(tx *store.Tx) error {
			rows, err := tx.Query(`SELECT kind FROM log_sources ORDER BY id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					return err
				}
				kinds = append(kinds, k)
			}
			return rows.Err()
		})
		if want := []string{"syslog", "syslog", "syslog", "syslog", "syslog", "http", "syslog"}; err != nil || strings.Join(kinds, " ") != strings.Join(want, " ") {
			t.Errorf("kinds after migration: %v %v, want %v", kinds, err, want)
		}
		owners := map[string]int64{}
		err = db.Read(context.Background(), func(tx *store.Tx) error {
			rows, err := tx.Query(`SELECT network, org_id FROM log_senders`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var n string
				var o int64
				if err := rows.Scan(&n, &o); err != nil {
					return err
				}
				owners[n] = o
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"10.99.0.5": 1, "10.99.0.0/28": 2, "10.20.0.0/24": 1, "192.0.2.7": 2}
		if len(owners) != len(want) {
			t.Errorf("log_senders after migration: %v, want %v", owners, want)
		}
		for n, o := range want {
			if owners[n] != o {
				t.Errorf("network %s owned by %d, want %d", n, owners[n], o)
			}
		}
	})
}

// TestSenderLimits: the confirmation limits from the flags, and what each makes of a
// request, against a hand-written table.
func TestSenderLimits(t *testing.T) {
	bad := []senderLimits{{v4: 15}, {v4: 33}, {v6: 47}, {v6: 129}}
	for _, l := range bad {
		if err := l.check(); err == nil {
			t.Errorf("limits %+v accepted", l)
		}
	}
	cases := []struct {
		limits  senderLimits
		sender  string
		confirm bool
		admin   bool
		field   string // "" when accepted
	}{
		{senderLimits{}, "10.0.0.0/24", false, false, ""},
		{senderLimits{}, "10.0.0.0/23", false, false, "confirm_wide"},
		{senderLimits{}, "10.0.0.0/23", true, false, "confirm_wide"},
		{senderLimits{}, "10.0.0.0/23", true, true, ""},
		{senderLimits{v4: 22}, "10.0.0.0/23", false, false, ""},
		{senderLimits{v4: 22}, "10.0.0.0/21", false, false, "confirm_wide"},
		{senderLimits{v4: 32}, "10.0.0.1", false, false, ""},
		{senderLimits{v4: 32}, "10.0.0.0/31", false, false, "confirm_wide"},
		{senderLimits{v4: 16}, "10.0.0.0/15", true, true, "sender"},
		{senderLimits{}, "2001:db8::/56", false, false, ""},
		{senderLimits{}, "2001:db8::/55", false, false, "confirm_wide"},
		{senderLimits{v6: 64}, "2001:db8::/60", false, false, "confirm_wide"},
		{senderLimits{}, "2001:db8::/47", true, true, "sender"},
	}
	for _, c := range cases {
		l := c.limits
		if err := l.check(); err != nil {
			t.Fatal(err)
		}
		p, err := parseSender(c.sender)
		if err != nil {
			t.Fatal(err)
		}
		who := auth.Principal{Role: auth.SecurityManager}
		if c.admin {
			who.Role = auth.Admin
		}
		_, err = l.checkWidth(p, c.confirm, who, "x")
		field := ""
		if inv, ok := problem.As[*problem.Invalid](err); ok && len(inv.Fields) > 0 {
			field = inv.Fields[0].Field
		} else if err != nil {
			t.Fatalf("%+v %s: %v", c.limits, c.sender, err)
		}
		if field != c.field {
			t.Errorf("limits %+v, %s (confirm %v, admin %v): field %q, want %q", c.limits, c.sender, c.confirm, c.admin, field, c.field)
		}
	}
}
