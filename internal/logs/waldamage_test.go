package logs_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestDamagedWALAnswers503 damages one frame of an organisation's write-ahead log while
// the server is stopped, and requires every vault request of that organisation — search
// and ingest — to answer 503 with a problem body naming the damage (offset, the events it
// holds, and the repair command), and other organisations to work on. Before, the log
// refused to open with an unnamed error and every request answered 500.
func TestDamagedWALAnswers503(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		org := orgOf(t, env, "admin@grid.demo")
		admin := env.Login(t, "admin@grid.demo")
		_, tok := httpSource(t, admin, "damaged-wal-probe")
		wal := filepath.Join(env.App.Cfg.Data, "vault", "org", strconv.FormatInt(org, 10), "wal")
		env = env.Restart(t, func() {
			b, err := os.ReadFile(wal)
			if err != nil || len(b) < 100 {
				t.Fatalf("the demo organisation's WAL: %d bytes, %v; want a frame to damage", len(b), err)
			}
			b[len(b)/2] ^= 0x20 // inside a complete frame
			if err := os.WriteFile(wal, b, 0o640); err != nil {
				t.Fatal(err)
			}
		})
		admin = env.Login(t, "admin@grid.demo")
		check := func(what string, res *http.Response, body string) {
			t.Helper()
			if res.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("%s: %d %s %s; want 503 problem+json", what, res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			var p struct {
				Status int
				Detail string
			}
			decode(t, body, &p)
			for _, want := range []string{"write-ahead log is damaged at offset", "event", "ciiguard vault repair --org " + strconv.FormatInt(org, 10)} {
				if !strings.Contains(p.Detail, want) {
					t.Fatalf("%s: detail %q does not say %q", what, p.Detail, want)
				}
			}
		}
		res, body := admin.Do("GET", "/api/v1/vault/search?q=denied", nil, nil)
		check("search", res, body)
		res, body = bearer(admin, tok, "POST", "/api/v1/vault/events", `{"message":"after damage"}`+"\n")
		check("ingest", res, body)
		// The page says the same in the reader's language: Chinese words and the repair
		// command, no English sentence (before, the zh page showed the English reason).
		if res, body := admin.Do("GET", "/vault?q=denied", nil, nil); res.StatusCode != http.StatusServiceUnavailable ||
			!strings.Contains(body, "The organisation&#39;s log is stopped: its write-ahead log is damaged at offset") || strings.Contains(body, "retry") {
			t.Fatalf("English page: %d, want 503 saying the log is stopped:\n%s", res.StatusCode, body)
		}
		if res, _ := admin.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch to Chinese: %d", res.StatusCode)
		}
		res, body = admin.Do("GET", "/vault?q=denied", nil, nil)
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "本组织的日志已停止：其预写日志在偏移量") || !strings.Contains(body, "<h1>暂停服务，待运维人员修复</h1>") ||
			!strings.Contains(body, "ciiguard vault repair --org "+strconv.FormatInt(org, 10)) || strings.Contains(body, "write-ahead") || strings.Contains(body, "is stopped") {
			t.Fatalf("Chinese page: %d, want 503 in Chinese:\n%s", res.StatusCode, body)
		}
		other, otherOrg := secondOperator(t, env)
		if res, body := other.Do("GET", "/api/v1/vault/search?q=denied", nil, nil); res.StatusCode != http.StatusOK {
			t.Fatalf("another organisation (%d) is affected: %d %s", otherOrg, res.StatusCode, body)
		}
	})
}
