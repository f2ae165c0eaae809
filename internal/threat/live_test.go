package threat_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/logs"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/threat"
	"ciiguard/internal/vault"
)

// TestLiveSweepMatchesNewEvents: after an operator's indicators have been retro-hunted, the
// live sweep matches the events its vault receives next: two events naming the address
// and one naming the domain become two hits of the live sweep (hunt 0) with those counts;
// a later event adds to the count, a sweep with nothing new adds nothing; the same address
// in another operator's vault, which holds no such indicator, is no hit there. The oracle
// is the hand-written events and counts below.
func TestLiveSweepMatchesNewEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		var thr *threat.Module
		var lg *logs.Module
		for _, m := range env.App.Modules {
			switch m := m.(type) {
			case *threat.Module:
				thr = m
			case *logs.Module:
				lg = m
			}
		}
		ctx := context.Background()
		op := env.Login(t, "security@grid.demo")
		var im struct {
			ID    int64 `json:"id"`
			Added int   `json:"added"`
		}
		code, body := call(t, op, "POST", "/api/v1/threat/imports", map[string]string{"format": "list", "collection": "private",
			"content": "203.0.113.200\nlive.evil.example\n"}, &im)
		must(t, "preview", code, http.StatusCreated, body)
		code, body = call(t, op, "POST", "/api/v1/threat/imports/"+strconv.FormatInt(im.ID, 10)+"/commit", nil, &im)
		must(t, "commit", code, http.StatusOK, body)
		if h := waitHunt(t, op, "import:"+strconv.FormatInt(im.ID, 10)); h.State != "done" || h.Hits != 0 {
			t.Fatalf("retro-hunt %+v: want done without hits", h)
		}
		if err := thr.SweepLive(ctx); err != nil { // takes each vault's position
			t.Fatal(err)
		}

		grid, err := env.App.Auth.UserByEmail(ctx, "security@grid.demo")
		if err != nil {
			t.Fatal(err)
		}
		water, err := env.App.Auth.UserByEmail(ctx, waterOperator())
		if err != nil {
			t.Fatal(err)
		}
		at := time.Now().UTC().Add(-time.Minute)
		appendLines := func(org int64, lines ...string) {
			t.Helper()
			evs := make([]vault.Event, len(lines))
			for i, l := range lines {
				evs[i] = vault.Event{Received: at, Time: at.Add(time.Duration(i) * time.Second), Host: "fw-core-01", App: "fw", Message: l, Format: vault.FormatRFC3164, Facility: 4, Severity: 6}
			}
			if _, err := lg.Vault().Append(ctx, org, evs); err != nil {
				t.Fatal(err)
			}
		}
		appendLines(grid.OrgID, "deny tcp src=10.20.0.5:51514 dst=203.0.113.200:443", "dns query live.evil.example A from 10.20.0.7",
			"permit tcp src=10.20.0.5:51515 dst=192.0.2.80:443", "allow tcp src=10.20.0.9 dst=[203.0.113.200]:8443")
		appendLines(water.OrgID, "deny tcp src=10.30.0.5:40000 dst=203.0.113.200:443")
		if err := thr.SweepLive(ctx); err != nil {
			t.Fatal(err)
		}
		counts := func(c *apptest.Client) map[string]hitJSON {
			var hs struct {
				Hits []struct {
					hitJSON
					HuntID int64 `json:"hunt_id"`
				}
			}
			code, body := call(t, c, "GET", "/api/v1/threat/hits", nil, &hs)
			must(t, "hits", code, http.StatusOK, body)
			out := map[string]hitJSON{}
			for _, h := range hs.Hits {
				if h.HuntID == 0 {
					out[h.Indicator.Value] = h.hitJSON
				}
			}
			return out
		}
		got := counts(op)
		if len(got) != 2 || got["203.0.113.200"].Count != 2 || got["live.evil.example"].Count != 1 {
			t.Fatalf("live hits %+v; want 203.0.113.200 twice and live.evil.example once", got)
		}
		first := got["203.0.113.200"]
		if !first.FirstSeen.Equal(at.Truncate(time.Second)) && first.FirstSeen.Sub(at).Abs() > time.Second {
			t.Errorf("first seen %s, want %s", first.FirstSeen, at)
		}
		if w := counts(env.Login(t, waterOperator())); len(w) != 0 {
			t.Fatalf("the water operator, without these indicators, has live hits %+v", w)
		}

		appendLines(grid.OrgID, "deny udp src=10.20.0.5:5353 dst=203.0.113.200:53")
		for range 2 { // the second sweep finds nothing new
			if err := thr.SweepLive(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got = counts(op)
		if h := got["203.0.113.200"]; h.Count != 3 || h.ID != first.ID || !h.FirstSeen.Equal(first.FirstSeen) {
			t.Fatalf("after one more event: %+v; want the same hit, count 3, first seen kept", h)
		}
	})
}
