package logs_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/logs"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/vault"
	"ciiguard/internal/web"
)

// module finds the logs module of a running installation.
func module(t testing.TB, env *apptest.Env) *logs.Module {
	t.Helper()
	for _, m := range env.App.Modules {
		if lm, ok := m.(*logs.Module); ok {
			return lm
		}
	}
	t.Fatal("logs module not registered")
	return nil
}

func orgOf(t testing.TB, env *apptest.Env, email string) int64 {
	t.Helper()
	u, err := env.App.Auth.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.OrgID
}

func decode(t testing.TB, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
}

func size(t testing.TB, env *apptest.Env, org int64) uint64 {
	t.Helper()
	n, err := module(t, env).Vault().Size(org)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// api sends a JSON request with the session's CSRF token.
func api(c *apptest.Client, method, path, body string) (*http.Response, string) {
	c.T.Helper()
	return c.Do(method, path, nil, map[string]string{"Content-Type": "application/json", "X-CSRF-Token": c.CSRF}, body)
}

// bearer sends a request with an API token.
func bearer(c *apptest.Client, tok, method, path, body string) (*http.Response, string) {
	c.T.Helper()
	return c.Do(method, path, nil, map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/x-ndjson"}, body)
}

// httpSource registers an HTTP source as c's user and returns the token issued for it.
func httpSource(t testing.TB, c *apptest.Client, name string) (int64, string) {
	t.Helper()
	res, body := api(c, "POST", "/api/v1/vault/sources", `{"name":"`+name+`","kind":"http"}`)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create HTTP source: %d %s", res.StatusCode, body)
	}
	var out struct {
		Source logs.Source
		Token  string
	}
	decode(t, body, &out)
	if out.Token == "" || out.Source.TokenID == 0 {
		t.Fatalf("HTTP source without token: %s", body)
	}
	return out.Source.ID, out.Token
}

type problemDoc struct {
	Status int
	Errors []struct{ Field, Reason string }
}

// secondOperator signs in the second demo operator's administrator, who holds every vault
// permission in its own organisation, and returns its organisation's id.
func secondOperator(t testing.TB, env *apptest.Env) (*apptest.Client, int64) {
	t.Helper()
	email := app.OtherOperatorEmail(auth.Admin)
	return env.Login(t, email), orgOf(t, env, email)
}

func TestHTTPIngest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		org := orgOf(t, env, "admin@grid.demo")
		admin := env.Login(t, "admin@grid.demo")
		srcID, tok := httpSource(t, admin, "app-gateway")
		before := size(t, env, org)

		good := `{"time":"2026-01-02T03:04:05Z","host":"gw1","app":"nginx","severity":4,"message":"ingestprobe alpha"}
{"host":"gw1","severity":"err","message":"ingestprobe beta"}

{"host":"gw2","message":"ingestprobe gamma","extra":{"k":1}}
`
		cases := []struct {
			name      string
			body      string
			token     string
			wantCode  int
			wantField string
			wantAdded uint64
		}{
			{"three lines", good, tok, 200, "", 3},
			{"bad line names its number", "{\"message\":\"ok\"}\n{\"message\":\"ok\"}\n{\"host\":\"x\"}\n", tok, 400, "line 3", 0},
			{"not JSON", "{\"message\":\"ok\"}\nnot json\n", tok, 400, "line 2", 0},
			{"empty body", "\n\n", tok, 400, "body", 0},
			{"oversize body", strings.Repeat(`{"message":"`+strings.Repeat("x", 1000)+`"}`+"\n", 9000), tok, 413, "", 0},
			{"unknown token", good, "cgt_nope", 401, "", 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				n0 := size(t, env, org)
				res, body := bearer(admin, c.token, "POST", "/api/v1/vault/events", c.body)
				if res.StatusCode != c.wantCode {
					t.Fatalf("status %d, want %d: %.300s", res.StatusCode, c.wantCode, body)
				}
				if c.wantField != "" {
					var p problemDoc
					decode(t, body, &p)
					if len(p.Errors) == 0 || p.Errors[0].Field != c.wantField {
						t.Fatalf("problem %s does not name %q", body, c.wantField)
					}
				}
				if got := size(t, env, org) - n0; got != c.wantAdded {
					t.Fatalf("vault grew by %d, want %d", got, c.wantAdded)
				}
				if c.wantCode == 200 {
					var r logs.IngestResult
					decode(t, body, &r)
					if r.Accepted != 3 || r.FirstSeq != n0 || r.LastSeq != n0+2 || r.SourceID != srcID {
						t.Fatalf("result %+v, want 3 accepted from seq %d", r, n0)
					}
				}
			})
		}
		if got := size(t, env, org) - before; got != 3 {
			t.Fatalf("%d events written in all, want 3", got)
		}
		// A browser session may not write: events are attributed by the source's token.
		if res, body := api(admin, "POST", "/api/v1/vault/events", good); res.StatusCode != 400 || !strings.Contains(body, "Authorization") {
			t.Fatalf("ingest with a session: %d %s", res.StatusCode, body)
		}
		// The events are searchable, attributed to the source, and counted on it.
		res, body := admin.Do("GET", "/api/v1/vault/search?"+url.Values{"q": {"ingestprobe"}, "from": {"2026-01-01T00:00:00Z"}, "to": {time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}}.Encode(), nil, nil)
		var page struct{ Events []vault.Event }
		decode(t, body, &page)
		if res.StatusCode != 200 || len(page.Events) != 3 || page.Events[0].SourceID != srcID || page.Events[0].Message != "ingestprobe gamma" {
			t.Fatalf("search after ingest: %d %s", res.StatusCode, body)
		}
		_, body = admin.Do("GET", "/api/v1/vault/sources", nil, nil)
		var srcs struct{ Sources []logs.Source }
		decode(t, body, &srcs)
		for _, s := range srcs.Sources {
			if s.ID == srcID && (s.EventCount != 3 || s.LastEventAt == nil) {
				t.Fatalf("source counters %+v", s)
			}
		}
		// Removing the source revokes its token.
		if res, _ := api(admin, "DELETE", "/api/v1/vault/sources/"+strconv.FormatInt(srcID, 10), ""); res.StatusCode != 204 {
			t.Fatalf("delete source: %d", res.StatusCode)
		}
		if res, _ := bearer(admin, tok, "POST", "/api/v1/vault/events", good); res.StatusCode != 401 {
			t.Fatalf("ingest with a removed source's token: %d", res.StatusCode)
		}
	})
}

func TestTenantsAreSeparate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		orgA := orgOf(t, env, "admin@grid.demo")
		a := env.Login(t, "admin@grid.demo")
		b, orgB := secondOperator(t, env)
		aSrc, _ := httpSource(t, a, "a-feed")
		_, tokB := httpSource(t, b, "b-feed")
		sizeA := size(t, env, orgA)

		// B's token writes into B's log only, whatever it sends.
		res, body := bearer(b, tokB, "POST", "/api/v1/vault/events", `{"host":"a-host","message":"tenantprobe from b","org_id":`+strconv.FormatInt(orgA, 10)+`,"source_id":`+strconv.FormatInt(aSrc, 10)+`}`)
		if res.StatusCode != 200 {
			t.Fatalf("B ingest: %d %s", res.StatusCode, body)
		}
		if size(t, env, orgA) != sizeA || size(t, env, orgB) != 1 {
			t.Fatalf("sizes after B's ingest: A %d (was %d), B %d", size(t, env, orgA), sizeA, size(t, env, orgB))
		}
		cases := []struct {
			name  string
			c     *apptest.Client
			path  string
			check func(code int, body string) error
		}{
			{"B sees none of A's events", b, "/api/v1/vault/search?from=2020-01-01T00:00:00Z", func(code int, body string) error {
				var p struct{ Events []vault.Event }
				decode(t, body, &p)
				if code != 200 || len(p.Events) != 1 || p.Events[0].Message != "tenantprobe from b" {
					return fmt.Errorf("%d %.200s", code, body)
				}
				return nil
			}},
			{"A does not see B's event", a, "/api/v1/vault/search?q=tenantprobe&from=2020-01-01T00:00:00Z", func(code int, body string) error {
				if code != 200 || strings.Contains(body, "tenantprobe") {
					return fmt.Errorf("%d %.200s", code, body)
				}
				return nil
			}},
			{"B sees only its own sources", b, "/api/v1/vault/sources", func(code int, body string) error {
				var s struct{ Sources []logs.Source }
				decode(t, body, &s)
				if code != 200 || len(s.Sources) != 1 || s.Sources[0].Name != "b-feed" {
					return fmt.Errorf("%d %.200s", code, body)
				}
				return nil
			}},
			{"B's checkpoint is of B's log", b, "/api/v1/vault/checkpoint", func(code int, body string) error {
				var cp logs.CheckpointInfo
				decode(t, body, &cp)
				if code != 200 || cp.Size != 1 || cp.Origin != vault.Origin(orgB) {
					return fmt.Errorf("%d %.200s", code, body)
				}
				return nil
			}},
			{"B cannot prove A's events", b, "/api/v1/vault/proof/inclusion?seq=5", func(code int, body string) error {
				if code != 400 || strings.Contains(body, "hashes") {
					return fmt.Errorf("%d %.200s", code, body)
				}
				return nil
			}},
			{"B's export holds only B's event", b, "/api/v1/vault/export?from=2020-01-01T00:00:00Z", func(code int, body string) error {
				if code != 200 || strings.Contains(body, "fw-edge") || !strings.Contains(body, "tenantprobe") {
					return fmt.Errorf("%d %.200s", code, body)
				}
				return nil
			}},
		}
		for _, c := range cases {
			res, body := c.c.Do("GET", c.path, nil, nil)
			if err := c.check(res.StatusCode, body); err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		// B cannot remove A's source: it does not exist for B.
		if res, _ := api(b, "DELETE", "/api/v1/vault/sources/"+strconv.FormatInt(aSrc, 10), ""); res.StatusCode != 404 {
			t.Errorf("B deleting A's source: %d, want 404", res.StatusCode)
		}
		if res, _ := b.Do("POST", "/vault/sources/"+strconv.FormatInt(aSrc, 10)+"/delete", url.Values{}, nil); res.StatusCode != 404 {
			t.Errorf("B deleting A's source by form: %d, want 404", res.StatusCode)
		}
		// A syslog sender address belongs to one organisation only.
		res, body = api(b, "POST", "/api/v1/vault/sources", `{"name":"steal","kind":"syslog-udp","sender":"10.20.0.0/24"}`)
		if res.StatusCode != 409 || !strings.Contains(body, "sender") {
			t.Errorf("B claiming A's senders: %d %s", res.StatusCode, body)
		}
	})
}

func TestSearchHistogramAndProofs(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "auditor@grid.demo")
	org := orgOf(t, env, "auditor@grid.demo")
	n := size(t, env, org)
	if n < 20000 || n > 50000 {
		t.Fatalf("demo log holds %d events, want 20k–50k", n)
	}
	// Search pages follow the cursor without overlap, newest first.
	res, body := c.Do("GET", "/api/v1/vault/search?q=host:fw-edge-01&limit=50", nil, nil)
	var p1, p2 struct {
		Events []vault.Event
		Next   string
	}
	decode(t, body, &p1)
	if res.StatusCode != 200 || len(p1.Events) != 50 || p1.Next == "" {
		t.Fatalf("search: %d %.300s", res.StatusCode, body)
	}
	_, body = c.Do("GET", "/api/v1/vault/search?q=host:fw-edge-01&limit=50&cursor="+url.QueryEscape(p1.Next), nil, nil)
	decode(t, body, &p2)
	if len(p2.Events) == 0 || p2.Events[0].Seq >= p1.Events[49].Seq || p2.Events[0].Host != "fw-edge-01" {
		t.Fatalf("second page does not continue the first")
	}
	badCases := []struct{ path, field string }{
		{"/api/v1/vault/search?q=" + url.QueryEscape(`"unclosed`), "q"},
		{"/api/v1/vault/search?from=yesterday", "from"},
		{"/api/v1/vault/search?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to"},
		{"/api/v1/vault/search?limit=0", "limit"},
		{"/api/v1/vault/histogram?bucket=1ns", "bucket"},
		{"/api/v1/vault/proof/inclusion", "seq"},
		{"/api/v1/vault/proof/inclusion?seq=0&size=999999999", "size"},
		{"/api/v1/vault/proof/consistency?from=10&to=5", "from"},
	}
	for _, bc := range badCases {
		res, body := c.Do("GET", bc.path, nil, nil)
		var p problemDoc
		_ = json.Unmarshal([]byte(body), &p)
		if res.StatusCode != 400 || len(p.Errors) == 0 || p.Errors[0].Field != bc.field {
			t.Errorf("%s: %d %s, want 400 naming %s", bc.path, res.StatusCode, body, bc.field)
		}
	}
	// The histogram counts what the search finds: the demo's day of logs (its three
	// events of three months ago, for the threat demo, are outside the range).
	now := time.Now().UTC()
	rng := url.Values{"from": {now.Add(-48 * time.Hour).Format(time.RFC3339)}, "to": {now.Add(time.Hour).Format(time.RFC3339)}}
	_, body = c.Do("GET", "/api/v1/vault/histogram?"+rng.Encode(), nil, nil)
	var h struct {
		Total   uint64
		Buckets []vault.Bucket
	}
	decode(t, body, &h)
	if h.Total != n-3 || len(h.Buckets) == 0 || len(h.Buckets) > 61 {
		t.Fatalf("histogram total %d in %d buckets, log holds %d", h.Total, len(h.Buckets), n)
	}
	// The search page draws the histogram as SVG bars.
	res, body = c.Do("GET", "/vault?q=sev%3C%3D3", nil, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "<svg class=\"histogram\"") || !strings.Contains(body, "<rect") {
		t.Fatalf("search page: %d, no histogram", res.StatusCode)
	}

	// A range the query has no events in says where its newest and oldest events are, one
	// click away (the day around each), in both languages.
	empty := "/vault?q=host:fw-edge-01&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z"
	res, body = c.Do("GET", empty, nil, nil)
	newest := p1.Events[0].Time.UTC()
	wantLink := html.EscapeString("/vault?" + url.Values{"from": {newest.Add(-12 * time.Hour).Format(time.RFC3339)},
		"q": {"host:fw-edge-01"}, "to": {newest.Add(12 * time.Hour).Format(time.RFC3339)}}.Encode())
	if res.StatusCode != 200 || !strings.Contains(body, `id="newest-match"`) || !strings.Contains(body, `id="oldest-match"`) ||
		!strings.Contains(body, wantLink) {
		t.Fatalf("empty range: %d, no link %s to the newest event in %.2000s", res.StatusCode, wantLink, body[strings.Index(body, "<table class=\"vault-events\""):])
	}
	if _, zh := c.Do("GET", empty, nil, map[string]string{"Accept-Language": "zh-CN"}); !strings.Contains(zh, "最新的匹配事件") || !strings.Contains(zh, "查看其前后一天") {
		t.Fatal("empty range in Chinese: no hint")
	}
	if _, body = c.Do("GET", "/vault?q=nosuchwordanywhere&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z", nil, nil); strings.Contains(body, `id="newest-match"`) {
		t.Fatal("a query nothing matches points somewhere")
	}

	// An inclusion proof from the API verifies against the signed checkpoint's root with
	// an independent RFC 9162 implementation.
	_, body = c.Do("GET", "/api/v1/vault/pubkey", nil, nil)
	var key struct {
		VerifierKey string `json:"verifier_key"`
	}
	decode(t, body, &key)
	_, body = c.Do("GET", "/api/v1/vault/checkpoint", nil, nil)
	var cp logs.CheckpointInfo
	decode(t, body, &cp)
	cpSize, root, err := vault.OpenCheckpoint([]byte(cp.Note), key.VerifierKey, vault.Origin(org))
	if err != nil || cpSize != n {
		t.Fatalf("checkpoint: size %d (log %d): %v", cpSize, n, err)
	}
	for _, seq := range []uint64{0, 1, n / 2, n - 1} {
		_, body := c.Do("GET", fmt.Sprintf("/api/v1/vault/proof/inclusion?seq=%d&size=%d", seq, cpSize), nil, nil)
		var pr logs.Proof
		decode(t, body, &pr)
		leaf, _ := base64.StdEncoding.DecodeString(pr.Leaf)
		if ev, err := vault.ParseLeafData(leaf); err != nil || pr.Event == nil || ev.Message != pr.Event.Message {
			t.Fatalf("seq %d: leaf does not decode to the event shown: %v", seq, err)
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, seq, cpSize, rfc6962.DefaultHasher.HashLeaf(leaf), unb64(t, pr.Hashes), root[:]); err != nil {
			t.Fatalf("inclusion proof of %d in %d: %v", seq, cpSize, err)
		}
	}
	// A consistency proof links an older tree to the checkpoint.
	old := n / 3
	_, body = c.Do("GET", fmt.Sprintf("/api/v1/vault/proof/inclusion?seq=0&size=%d", old), nil, nil)
	var po logs.Proof
	decode(t, body, &po)
	_, body = c.Do("GET", fmt.Sprintf("/api/v1/vault/proof/consistency?from=%d&to=%d", old, cpSize), nil, nil)
	var pc logs.Proof
	decode(t, body, &pc)
	oldRoot, _ := base64.StdEncoding.DecodeString(po.Root)
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, old, cpSize, unb64(t, pc.Hashes), oldRoot, root[:]); err != nil {
		t.Fatalf("consistency %d→%d: %v", old, cpSize, err)
	}
	// An export bundle verifies offline with only the public key.
	res, body = c.Do("GET", "/api/v1/vault/export?q=host:vpn-gw-01&"+rng.Encode(), nil, nil)
	if res.StatusCode != 200 {
		t.Fatalf("export: %d %.300s", res.StatusCode, body)
	}
	rep, err := vault.VerifyBundle(strings.NewReader(body), key.VerifierKey)
	if err != nil || rep.Events == 0 || rep.OrgID != org {
		t.Fatalf("bundle: %+v %v", rep, err)
	}
	// The integrity page shows the checkpoint and the key.
	_, body = c.Do("GET", "/vault/integrity", nil, nil)
	if !strings.Contains(body, strings.ReplaceAll(key.VerifierKey, "+", "&#43;")) || !strings.Contains(body, cp.RootHex) {
		t.Fatal("integrity page lacks the key or the root")
	}
}

func unb64(t testing.TB, ss []string) [][]byte {
	t.Helper()
	out := make([][]byte, len(ss))
	for i, s := range ss {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

func TestRetentionRefusesLessThanSixMonths(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		cases := []struct {
			days     string
			wantCode int
			want     string
		}{
			{"90", 400, "Art. 21(3)"},
			{"179", 400, "Art. 23(3)"},
			{"-1", 400, "184"},
			{"180", 400, "184"}, // six calendar months can be 184 days (1 January back to 1 July)
			{"184", 200, `"days": 184`},
			{"400", 200, `"days": 400`},
			{"99999", 400, "at most"},
		}
		for _, tc := range cases {
			res, body := api(c, "PUT", "/api/v1/vault/retention", `{"days":`+tc.days+`}`)
			if res.StatusCode != tc.wantCode || !strings.Contains(body, tc.want) {
				t.Errorf("days %s: %d %s", tc.days, res.StatusCode, body)
			}
		}
		// The form says it in the page's language.
		for lang, want := range map[string]string{"zh-CN": "第二十一条第三项", "en": "Art. 21(3)"} {
			c.Do("POST", "/lang", url.Values{"lang": {lang}}, nil)
			res, body := c.Do("POST", "/vault/retention", url.Values{"days": {"30"}}, nil)
			if res.StatusCode != 400 || !strings.Contains(body, want) {
				t.Errorf("form in %s: %d, no %q", lang, res.StatusCode, want)
			}
		}
		_, body := c.Do("GET", "/api/v1/vault/retention", nil, nil)
		if !strings.Contains(body, `"days": 400`) {
			t.Fatalf("retention after refusals: %s", body)
		}
		// Analysts may read but not change it.
		an := env.Login(t, "analyst@grid.demo")
		if res, _ := api(an, "PUT", "/api/v1/vault/retention", `{"days":365}`); res.StatusCode != 403 {
			t.Fatalf("analyst setting retention: %d", res.StatusCode)
		}
	})
}

// TestSyslogListeners sends with a real logger (util-linux) over TCP and with a TLS
// client, and checks that an unregistered sender is dropped and a registered one becomes
// searchable — over both transports with one registration (before, a source registered
// for TCP received nothing over TLS).
func TestSyslogListeners(t *testing.T) {
	if _, err := exec.LookPath("logger"); err != nil {
		t.Skip("logger (util-linux) not installed")
	}
	env := apptest.Start(t, store.SQLite)
	m := module(t, env)
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	if err := m.Listen(logs.ListenerConfig{TCP: "127.0.0.1:0", TLS: "127.0.0.1:0", TLSCert: cert, TLSKey: key}); err != nil {
		t.Fatal(err)
	}
	ls := m.Listeners()
	tcpPort := ls[0].Addr().(*net.TCPAddr).Port
	tlsAddr := ls[1].Addr().String()
	admin := env.Login(t, "admin@grid.demo")
	org := orgOf(t, env, "admin@grid.demo")

	viaLogger := func(msg string) {
		out, err := exec.Command("logger", "--tcp", "-n", "127.0.0.1", "-P", strconv.Itoa(tcpPort), "--rfc5424", "-t", "probe", "-p", "auth.warning", msg).CombinedOutput()
		if err != nil {
			t.Fatalf("logger: %v %s", err, out)
		}
	}
	viaTLS := func(msg string) {
		conn, err := tls.Dial("tcp", tlsAddr, &tls.Config{InsecureSkipVerify: true}) // the test's own self-signed certificate
		if err != nil {
			t.Fatalf("dial TLS listener: %v", err)
		}
		line := "<36>1 2026-03-01T08:00:00Z bastion-x probe 77 - - " + msg
		if _, err := fmt.Fprintf(conn, "%d %s", len(line), line); err != nil {
			t.Fatal(err)
		}
		conn.Close()
	}
	found := func(q string, wait time.Duration) []vault.Event {
		deadline := time.Now().Add(wait)
		for {
			_, body := admin.Do("GET", "/api/v1/vault/search?from=2026-01-01T00:00:00Z&q="+url.QueryEscape(q), nil, nil)
			var p struct{ Events []vault.Event }
			decode(t, body, &p)
			if len(p.Events) > 0 || time.Now().After(deadline) {
				return p.Events
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	cases := []struct {
		name     string
		kind     string
		send     func(string)
		msg      string
		register bool // register 127.0.0.1 before sending
		stored   bool
		wantApp  string
	}{
		{"unregistered TCP sender is dropped", "syslog", viaLogger, "droppedprobe1 hello", false, false, ""},
		{"logger over TCP", "syslog", viaLogger, "loggerprobe4711 accepted password for root", true, true, "probe"},
		{"TLS client, same source", "syslog", viaTLS, "tlsprobe99 session opened", false, true, "probe"},
	}
	var sourceID int64
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.register {
				res, body := api(admin, "POST", "/api/v1/vault/sources", `{"name":"loopback","kind":"`+c.kind+`","sender":"127.0.0.1"}`)
				if res.StatusCode != 201 {
					t.Fatalf("register loopback sender: %d %s", res.StatusCode, body)
				}
			}
			n0 := size(t, env, org)
			c.send(c.msg)
			word := strings.Fields(c.msg)[0]
			if !c.stored {
				time.Sleep(500 * time.Millisecond)
				if evs := found(word, 0); len(evs) != 0 || size(t, env, org) != n0 {
					t.Fatalf("an unregistered sender's message was stored: %+v", evs)
				}
				if ls[0].Stats().UnknownSender == 0 {
					t.Fatal("the listener did not count the unknown sender")
				}
				return
			}
			evs := found(word, 10*time.Second)
			if len(evs) != 1 || evs[0].App != c.wantApp || evs[0].Severity != 4 || evs[0].Format != vault.FormatRFC5424 || evs[0].SourceID == 0 ||
				(sourceID != 0 && evs[0].SourceID != sourceID) {
				t.Fatalf("event from %s: %+v; want source %d", c.name, evs, sourceID)
			}
			sourceID = evs[0].SourceID
		})
	}
}

// selfSigned writes a throwaway certificate and key for the TLS listener.
func selfSigned(t *testing.T, dir string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestHoldBlocksPurge runs retention on a vault with tiny blocks and segments and a
// clock the test moves: a hold keeps old segments, releasing it lets purge remove them.
func TestHoldBlocksPurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clock := &testClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		m := logs.NewForTest(vault.Options{BlockBits: 4, SegmentBlocks: 2}, clock.Now)
		migs := append(append([]store.Migration{}, auth.Migrations...), audit.Migrations...)
		db := storetest.Open(t, d, append(migs, m.Migrations()...))
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		as := auth.NewService(db)
		srv, err := web.NewServer(as, db, log)
		if err != nil {
			t.Fatal(err)
		}
		if err := kernel.Assemble(context.Background(), kernel.Deps{DB: db, Auth: as, Web: srv, Log: log, DataDir: t.TempDir()}, m); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		org, err := as.CreateOrg(ctx, auth.Org{Kind: auth.Operator, NameZH: "测试", NameEN: "Test", USCC: "91110000MA00000012"})
		if err != nil {
			t.Fatal(err)
		}
		ctx = store.WithOrg(ctx, org.ID)

		if facts, err := m.Facts(ctx); err != nil || facts != (logs.Facts{RetentionDays: 184, Sources: 0}) {
			t.Fatalf("facts of a new organisation: %+v %v", facts, err)
		}
		src, _, err := m.CreateSource(ctx, auth.Principal{}, logs.NewSource{Name: "fw", Kind: logs.KindSyslog, Sender: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		// 80 old events: five blocks of 16, segments of two blocks, so two whole
		// segments are sealed and purgeable and the third is still being written.
		old := make([]vault.Event, 80)
		for i := range old {
			old[i] = vault.Event{SourceID: src.ID, Message: fmt.Sprintf("old event %d", i), Format: vault.FormatRaw}
		}
		if _, err := m.Vault().Append(ctx, org.ID, old); err != nil {
			t.Fatal(err)
		}
		clock.Add(200 * 24 * time.Hour)
		if _, err := m.Vault().Append(ctx, org.ID, old[:5]); err != nil {
			t.Fatal(err)
		}
		hold, err := m.CreateHold(ctx, logs.NewHold{From: "2024-12-31T00:00:00Z", To: "2025-01-02T00:00:00Z", Reason: "police request 2025-17"})
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name        string
			do          func() error
			wantRemoved int64
			wantHeld    int
		}{
			{"held", func() error { return nil }, 0, 2},
			{"released", func() error { _, err := m.ReleaseHold(ctx, hold.ID); return err }, 64, 0},
			{"nothing left", func() error { return nil }, 0, 0},
		}
		for _, s := range steps {
			if err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			rec, err := m.Purge(ctx)
			if err != nil || rec.Events != s.wantRemoved || rec.HeldSegments != s.wantHeld {
				t.Fatalf("%s: purge %+v %v, want %d removed, %d held", s.name, rec, err, s.wantRemoved, s.wantHeld)
			}
		}
		// A hold needs a reason and a scope.
		if _, err := m.CreateHold(ctx, logs.NewHold{Reason: ""}); err == nil || !strings.Contains(err.Error(), "reason") || !strings.Contains(err.Error(), "from") {
			t.Fatalf("empty hold: %v", err)
		}
		// The purges, the hold and its release are in the audit trail.
		var entities []string
		err = db.Read(ctx, func(tx *store.Tx) error {
			ten, err := tx.Tenant()
			if err != nil {
				return err
			}
			es, err := audit.List(ten, 0, 100)
			for _, e := range es {
				entities = append(entities, e.Entity+"/"+e.Action)
			}
			return err
		})
		joined := strings.Join(entities, " ")
		for _, want := range []string{"log_purge/delete", "log_hold/create", "log_hold/update", "log_source/create"} {
			if err != nil || !strings.Contains(joined, want) {
				t.Fatalf("audit trail %q lacks %s (%v)", joined, want, err)
			}
		}
		if facts, err := m.Facts(ctx); err != nil || facts != (logs.Facts{RetentionDays: 184, Sources: 1}) {
			t.Fatalf("facts after a source: %+v %v", facts, err)
		}
	})
}

// TestIngestBackPressure checks that a busy vault answers 503 with Retry-After, writes
// nothing, and accepts the same batch once it has room.
func TestIngestBackPressure(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	org := orgOf(t, env, "admin@grid.demo")
	admin := env.Login(t, "admin@grid.demo")
	_, tok := httpSource(t, admin, "busy-feed")
	n0 := size(t, env, org)
	release := module(t, env).OccupyIngest()
	res, body := bearer(admin, tok, "POST", "/api/v1/vault/events", `{"message":"pressure"}`)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("busy vault: %d Retry-After %q: %s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	if size(t, env, org) != n0 {
		t.Fatal("a refused request wrote events")
	}
	release()
	if res, body := bearer(admin, tok, "POST", "/api/v1/vault/events", `{"message":"pressure"}`); res.StatusCode != 200 || size(t, env, org) != n0+1 {
		t.Fatalf("after the vault has room: %d %s", res.StatusCode, body)
	}
}
