package app_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/frameworks"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/web"
)

// apiCall sends a JSON (or raw) API request with the session's CSRF header and decodes a
// problem answer, if any.
func apiCall(c *apptest.Client, method, path, contentType, body string) (*http.Response, string, web.Problem) {
	c.T.Helper()
	h := map[string]string{"X-CSRF-Token": c.CSRF}
	if contentType != "" {
		h["Content-Type"] = contentType
	}
	var res *http.Response
	var text string
	if body == "" && method == "GET" {
		res, text = c.Do(method, path, nil, h)
	} else {
		res, text = c.Do(method, path, nil, h, body)
	}
	var p web.Problem
	_ = json.Unmarshal([]byte(text), &p)
	return res, text, p
}

// fileCount counts the regular files under dir.
func fileCount(t *testing.T, dir string) int {
	n := 0
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

// TestBadInputIsA4xxNamingTheField replays, through the HTTP API on every engine, each bad
// input that answered 5xx (or 200 with an error body) in the security review of issue 8,
// item 6, and requires the 4xx a client can act on, naming the field.
func TestBadInputIsA4xxNamingTheField(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, demoEmail[auth.Admin])
		const js = "application/json"

		// An HTTP log source, whose token sends events.
		res, body, _ := apiCall(c, "POST", "/api/v1/vault/sources", js, `{"name":"app","kind":"http"}`)
		var src struct{ Token string }
		if res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &src) != nil || src.Token == "" {
			t.Fatalf("create an HTTP source: %d %s", res.StatusCode, body)
		}
		sender := env.NewClient(t)
		ingest := func(lines string) (*http.Response, web.Problem) {
			res, text := sender.Do("POST", "/api/v1/vault/events", nil, map[string]string{"Authorization": "Bearer " + src.Token, "Content-Type": "application/x-ndjson"}, lines)
			var p web.Problem
			_ = json.Unmarshal([]byte(text), &p)
			return res, p
		}

		longLine := `{"message":"` + strings.Repeat("x", 300<<10) + `"}`
		nul, badUTF8, zh101 := `a\u0000b`, "a\xffb", strings.Repeat("网", 101)
		phrase := `"` + strings.TrimSpace(strings.Repeat("word ", 900)) + `"`
		cases := []struct {
			name, method, path, body string
			code                     int
			field                    string
		}{
			{"histogram from 1600", "GET", "/api/v1/vault/histogram?from=1600-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "", 400, "from"},
			{"histogram to 9999", "GET", "/api/v1/vault/histogram?from=2026-01-01T00:00:00Z&to=9999-12-31T00:00:00Z", "", 400, "to"},
			{"search to year 10000", "GET", "/api/v1/vault/search?from=1&to=253402300800", "", 400, "to"},
			{"search from year 1", "GET", "/api/v1/vault/search?from=0001-01-01T00:00", "", 400, "from"},
			{"search of a 900-word phrase", "GET", "/api/v1/vault/search?q=" + url.QueryEscape(phrase), "", 400, "q"},
			{"search with invalid UTF-8", "GET", "/api/v1/vault/search?q=%FF", "", 400, "q"},
			{"token name with NUL", "POST", "/api/v1/tokens", `{"name":"` + nul + `"}`, 400, "name"},
			{"token name of 101 Chinese characters", "POST", "/api/v1/tokens", `{"name":"` + zh101 + `"}`, 400, "name"},
			{"token body null", "POST", "/api/v1/tokens", `null`, 400, "body"},
			{"token name null", "POST", "/api/v1/tokens", `{"name":null}`, 400, "name"},
			{"user name with NUL", "POST", "/api/v1/users", `{"email":"n@grid.demo","name":"` + nul + `","role":"analyst","password":"long-enough-pass"}`, 400, "name"},
			{"user e-mail with NUL", "POST", "/api/v1/users", `{"email":"n` + nul + `@grid.demo","name":"N","role":"analyst","password":"long-enough-pass"}`, 400, "email"},
			{"user rename with NUL", "PATCH", "/api/v1/users/1", `{"name":"` + nul + `"}`, 400, "name"},
			{"user rename to null", "PATCH", "/api/v1/users/1", `{"name":null}`, 400, "name"},
			{"hold reason with NUL", "POST", "/api/v1/vault/holds", `{"reason":"` + nul + `","from":"2026-01-01T00:00:00Z"}`, 400, "reason"},
			{"hold from 1600", "POST", "/api/v1/vault/holds", `{"reason":"case 1","from":"1600-01-01T00:00:00Z"}`, 400, "from"},
			{"source name with NUL", "POST", "/api/v1/vault/sources", `{"name":"` + nul + `","kind":"http"}`, 400, "name"},
			{"JSON body of invalid UTF-8", "POST", "/api/v1/vault/sources", `{"name":"` + badUTF8 + `","kind":"http"}`, 400, "body"},
			{"evidence name with NUL", "POST", "/api/v1/evidence?name=a%00b.txt", "evidence", 400, "name"},
			{"evidence name of 201 characters", "POST", "/api/v1/evidence?name=" + url.QueryEscape(strings.Repeat("a", 200)+"中"), "evidence", 400, "name"},
			{"evidence name of invalid UTF-8", "POST", "/api/v1/evidence?name=a%FF.txt", "evidence", 400, "name"},
			{"framework id with NUL", "PUT", "/api/v1/frameworks/a%00b", `{}`, 400, "id"},
			{"mapping note with NUL", "POST", "/api/v1/frameworks/" + frameworks.DemoFramework + "/mappings", `{"control_id":"acm-1","obligation_id":"` + frameworks.DemoMappings[0].ObligationID + `","relation":"related","note":"` + nul + `"}`, 400, "note"},
		}
		evidenceDir := filepath.Join(env.App.Cfg.Data, "evidence")
		before := fileCount(t, evidenceDir)
		for _, tc := range cases {
			ct := js
			if strings.HasPrefix(tc.path, "/api/v1/evidence") {
				ct, tc.body = "text/plain", tc.name // distinct bytes: an upload is idempotent per hash
			}
			res, body, p := apiCall(c, tc.method, tc.path, ct, tc.body)
			named := false
			for _, e := range p.Errors {
				named = named || e.Field == tc.field
			}
			if res.StatusCode != tc.code || !named {
				t.Errorf("%s: %d %.300s; want %d naming %q", tc.name, res.StatusCode, body, tc.code, tc.field)
			}
		}
		if after := fileCount(t, evidenceDir); after != before {
			t.Errorf("refused evidence uploads left %d files on disk", after-before)
		}

		// The page: a search from year 1 is a form error, not a server error.
		if res, body := c.Do("GET", "/vault?from=0001-01-01T00:00", nil, nil); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "must be between") {
			t.Errorf("search page from year 1: %d, want 400 with the reason on the form", res.StatusCode)
		}

		// Ingest: a line over the event size and a null message are refused by line.
		if res, p := ingest("{\"message\":\"ok\"}\n" + longLine + "\n"); res.StatusCode != 400 || len(p.Errors) == 0 || p.Errors[0].Field != "line 2" {
			t.Errorf("ingest of a 300 KiB line: %d %+v, want 400 naming line 2", res.StatusCode, p)
		}
		if res, p := ingest(`{"message":null}`); res.StatusCode != 400 || len(p.Errors) == 0 || p.Errors[0].Field != "line 1" {
			t.Errorf("ingest of a null message: %d %+v, want 400 naming line 1", res.StatusCode, p)
		}

		// What must be accepted: lengths are counted in characters, and a name of 199
		// letters and one Chinese character is stored whole.
		name := strings.Repeat("a", 199) + "中"
		res, body, _ = apiCall(c, "POST", "/api/v1/evidence?name="+url.QueryEscape(name), "text/plain", "kept whole")
		var f struct{ Name, SHA256 string }
		if res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &f) != nil || f.Name != name {
			t.Errorf("evidence named 199 letters + 中: %d %.200s; want 201 with the name whole", res.StatusCode, body)
		}
		sum := sha256.Sum256([]byte("kept whole"))
		if _, err := os.Stat(filepath.Join(evidenceDir, hex.EncodeToString(sum[:])[:2], hex.EncodeToString(sum[:]))); err != nil {
			t.Errorf("accepted evidence not on disk: %v", err)
		}
		if res, body, _ := apiCall(c, "POST", "/api/v1/tokens", js, `{"name":"`+strings.Repeat("网", 100)+`"}`); res.StatusCode != http.StatusCreated {
			t.Errorf("token named 100 Chinese characters: %d %.200s; want 201", res.StatusCode, body)
		}
	})
}

// TestSearchHasATimeLimit sets the per-search time limit (the logs capability's
// --search-timeout flag) so low that every search runs
// out of it, and checks that the user is told to narrow the search (400 on q), on the API
// and on the page, instead of the server working on.
func TestSearchHasATimeLimit(t *testing.T) {
	env := apptest.StartFlags(t, store.SQLite, "--search-timeout", "1ns")
	c := env.Login(t, demoEmail[auth.Analyst])
	for _, path := range []string{"/api/v1/vault/search?q=denied", "/api/v1/vault/histogram?q=denied"} {
		res, body, p := apiCall(c, "GET", path, "", "")
		if res.StatusCode != http.StatusBadRequest || len(p.Errors) == 0 || p.Errors[0].Field != "q" || !strings.Contains(p.Errors[0].Reason, "narrow the search") {
			t.Errorf("%s past its time limit: %d %.300s; want 400 on q asking to narrow it", path, res.StatusCode, body)
		}
	}
	if res, body := c.Do("GET", "/vault?q=denied", nil, nil); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "narrow the search") {
		t.Errorf("search page past its time limit: %d; want 400 with the reason", res.StatusCode)
	}
}
