package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// flatCatalog is an OSCAL catalog of n controls in one group, as small per control as
// OSCAL allows, the shape of the 900,000-control upload of the security review.
func flatCatalog(n int) string {
	var sb strings.Builder
	sb.WriteString(`{"catalog":{"uuid":"00000000-0000-4000-8000-000000000009","metadata":{"title":"Flood","version":"1","oscal-version":"1.1.2","last-modified":"2026-01-01T00:00:00Z"},"groups":[{"id":"g","title":"G","controls":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"c-%d","title":"C"}`, i)
	}
	sb.WriteString(`]}]}}`)
	return sb.String()
}

// TestOneOrganisationCannotFailAnothersWrites has the operator upload frameworks — one
// far over the control limit, then the largest allowed, twice — while the regulator keeps
// creating API tokens. Before, the big upload held SQLite's single writer for longer than
// the busy timeout and the regulator's writes failed with 500; now every one of them must
// succeed, or at worst be told 503 with Retry-After.
func TestOneOrganisationCannotFailAnothersWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		a := env.Login(t, demoEmail[auth.SecurityManager])
		b := env.Login(t, demoEmail[auth.RegulatorAdmin])
		ah := map[string]string{"X-CSRF-Token": a.CSRF, "Content-Type": "application/json"}
		bh := map[string]string{"X-CSRF-Token": b.CSRF, "Content-Type": "application/json"}

		for _, up := range []struct {
			controls int
			code     int
		}{{300000, http.StatusBadRequest}, {20000, http.StatusCreated}, {20000, http.StatusOK}} {
			doc := flatCatalog(up.controls)
			stop := make(chan struct{})
			var (
				wg       sync.WaitGroup
				codes    = map[int]int{}
				slowest  time.Duration
				failures []string
			)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					start := time.Now()
					res, body := b.Do("POST", "/api/v1/tokens", nil, bh, fmt.Sprintf(`{"name":"b-%d-%d","role":"regulator_analyst"}`, up.controls, i))
					slowest = max(slowest, time.Since(start))
					codes[res.StatusCode]++
					switch {
					case res.StatusCode == http.StatusCreated:
					case res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") != "":
					default:
						failures = append(failures, fmt.Sprintf("%d %.200s", res.StatusCode, body))
					}
				}
			}()
			start := time.Now()
			res, body := a.Do("PUT", "/api/v1/frameworks/FLOOD", nil, ah, doc)
			took := time.Since(start)
			close(stop)
			wg.Wait()
			if res.StatusCode != up.code {
				t.Errorf("upload of %d controls: %d %.300s; want %d", up.controls, res.StatusCode, body, up.code)
			}
			if len(failures) > 0 {
				t.Errorf("while the operator uploaded %d controls the regulator's token writes failed: %v", up.controls, failures)
			}
			if codes[http.StatusCreated] == 0 {
				t.Errorf("while the operator uploaded %d controls the regulator wrote nothing: %v", up.controls, codes)
			}
			t.Logf("%s: upload of %d controls answered %d in %v; regulator writes %v, slowest %v", d, up.controls, res.StatusCode, took.Round(time.Millisecond), codes, slowest.Round(time.Millisecond))
		}
		var list struct{ Tokens []json.RawMessage }
		if res, body := b.Do("GET", "/api/v1/tokens", nil, nil); res.StatusCode != 200 || json.Unmarshal([]byte(body), &list) != nil {
			t.Fatalf("list tokens: %d", res.StatusCode)
		}
	})
}
