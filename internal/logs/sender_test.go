package logs_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/logs"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/vault"
)

// TestLogSourceTokenMayOnlyAppend checks least privilege for log senders: the token
// issued for an HTTP source appends to that source and is refused everything an analyst
// could do (search, export, evidence, inventory, other sources).
func TestLogSourceTokenMayOnlyAppend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@grid.demo")
		srcA, tokA := httpSource(t, admin, "sender-a")
		srcB, _ := httpSource(t, admin, "sender-b")

		res, body := bearer(admin, tokA, "POST", "/api/v1/vault/events", `{"host":"gw","message":"senderprobe one"}`+"\n")
		var r logs.IngestResult
		if res.StatusCode != http.StatusOK {
			t.Fatalf("ingest with the source's token: %d %s", res.StatusCode, body)
		}
		decode(t, body, &r)
		if r.Accepted != 1 || r.SourceID != srcA {
			t.Fatalf("ingest result %+v, want 1 event from source %d", r, srcA)
		}
		if res, body := bearer(admin, tokA, "GET", "/api/v1/me", ""); res.StatusCode != 200 || !strings.Contains(body, `"role": "log_sender"`) {
			t.Fatalf("the source token's role: %d %s", res.StatusCode, body)
		}
		window := url.Values{"q": {"senderprobe"}, "from": {"2020-01-01T00:00:00Z"}, "to": {time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}}.Encode()
		for _, c := range []struct{ method, path string }{
			{"GET", "/api/v1/vault/search?" + window},
			{"GET", "/api/v1/vault/histogram?" + window},
			{"GET", "/api/v1/vault/export?" + window},
			{"GET", "/api/v1/vault/checkpoint"},
			{"GET", "/api/v1/vault/sources"},
			{"DELETE", "/api/v1/vault/sources/" + strconv.FormatInt(srcB, 10)},
			{"DELETE", "/api/v1/vault/sources/" + strconv.FormatInt(srcA, 10)},
			{"GET", "/api/v1/evidence"},
			{"GET", "/api/v1/evidence/" + strings.Repeat("ab", 32)},
			{"GET", "/api/v1/scope/systems"},
			{"GET", "/api/v1/scope/profile"},
			{"GET", "/api/v1/frameworks"},
			{"GET", "/api/v1/users"},
			{"GET", "/api/v1/tokens"},
			{"POST", "/api/v1/tokens"},
			{"GET", "/api/v1/audit"},
		} {
			res, body := bearer(admin, tokA, c.method, c.path, "")
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("source token %s %s: %d %.200s, want 403", c.method, c.path, res.StatusCode, body)
			}
		}
		// Its events are its source's, never another's, and source B received nothing.
		_, body = admin.Do("GET", "/api/v1/vault/search?"+window, nil, nil)
		var page struct{ Events []vault.Event }
		decode(t, body, &page)
		if len(page.Events) != 1 || page.Events[0].SourceID != srcA {
			t.Fatalf("events of the probe: %s, want one from source %d", body, srcA)
		}
		_, body = admin.Do("GET", "/api/v1/vault/sources", nil, nil)
		var srcs struct{ Sources []logs.Source }
		decode(t, body, &srcs)
		for _, s := range srcs.Sources {
			if s.ID == srcB && s.EventCount != 0 {
				t.Errorf("source B counts %d events it never sent", s.EventCount)
			}
		}
		// The tokens page shows the narrow role, and nobody can ask for it by hand.
		if _, body := admin.Do("GET", "/api/v1/tokens", nil, nil); !strings.Contains(body, `"role": "log_sender"`) {
			t.Errorf("token list does not show the log_sender role: %.300s", body)
		}
		if res, body := api(admin, "POST", "/api/v1/tokens", `{"name":"fake sender","role":"log_sender"}`); res.StatusCode != 400 || !strings.Contains(body, `"field":"role"`) {
			t.Errorf("asking for a log_sender token by hand: %d %s, want 400 naming role", res.StatusCode, body)
		}
	})
}

// TestSourceTokensMigrateToLogSender builds a store as it was before the log_sender role
// (an HTTP source's token held role analyst), runs the migration and checks that exactly
// the source-bound tokens were narrowed.
func TestSourceTokensMigrateToLogSender(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		all := append(append([]store.Migration{}, auth.Migrations...), logs.New().Migrations()...)
		var old []store.Migration
		for _, m := range all {
			if !strings.Contains(m.Name, "log_sender") {
				old = append(old, m)
			}
		}
		if len(old) != len(all)-1 {
			t.Fatalf("want exactly one log_sender migration among %d", len(all))
		}
		db := storetest.Open(t, d, old)
		ctx := context.Background()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		exec(`INSERT INTO orgs (id, kind, name_zh, name_en, uscc, created_at) VALUES (1, 'operator', 'o', 'o', '', $1)`, now)
		exec(`INSERT INTO users (id, org_id, email, name, role, password_hash, disabled, lang, created_at) VALUES (1, 1, 'a@o.test', 'A', 'admin', 'x', FALSE, '', $1)`, now)
		for i, role := range []string{"analyst", "analyst", "admin"} {
			exec(`INSERT INTO api_tokens (id, org_id, user_id, name, role, prefix, token_hash, created_at) VALUES ($1, 1, 1, 't', $2, 'cgt_x', $3, $4)`, i+1, role, "h"+strconv.Itoa(i), now)
		}
		// Token 1 is an HTTP source's; tokens 2 and 3 are people's and stay as they are.
		exec(`INSERT INTO log_sources (org_id, name, kind, sender, token_id, created_at, created_by, event_count) VALUES (1, 'http feed', 'http', '', 1, $1, 'x', 0)`, now)
		exec(`INSERT INTO log_sources (org_id, name, kind, sender, token_id, created_at, created_by, event_count) VALUES (1, 'fw', 'syslog-udp', '10.0.0.1/32', 0, $1, 'x', 0)`, now)
		applied, err := db.Migrate(all)
		if err != nil || len(applied) != 1 {
			t.Fatalf("migration applied %v, %v; want the one logs step", applied, err)
		}
		want := map[int]string{1: "log_sender", 2: "analyst", 3: "admin"}
		for id, role := range want {
			var got string
			if err := db.SQL().QueryRowContext(ctx, `SELECT role FROM api_tokens WHERE id = $1`, id).Scan(&got); err != nil || got != role {
				t.Errorf("token %d: role %q (%v), want %q", id, got, err, role)
			}
		}
	})
}
