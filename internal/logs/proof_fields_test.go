package logs_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestProofsAlwaysNameSeqAndFrom asks for the inclusion proof of event 0 and the
// consistency proof from size 0: the answers must carry "seq": 0 and "from": 0, which a
// verifier reads, instead of leaving the fields out (they were omitted when 0).
func TestProofsAlwaysNameSeqAndFrom(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		org := orgOf(t, env, "admin@grid.demo")
		n := size(t, env, org)
		if n == 0 {
			t.Fatal("the demo organisation has no events")
		}
		c := env.Login(t, "admin@grid.demo")
		sz := strconv.FormatUint(n, 10)
		for _, tc := range []struct{ path, want string }{
			{"/api/v1/vault/proof/inclusion?seq=0&size=" + sz, `"seq": 0,`},
			{"/api/v1/vault/proof/consistency?from=0&to=" + sz, `"from": 0,`},
		} {
			res, body := c.Do("GET", tc.path, nil, nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, tc.want) {
				t.Fatalf("GET %s: %d, body lacks %s:\n%.400s", tc.path, res.StatusCode, tc.want, body)
			}
		}
	})
}
