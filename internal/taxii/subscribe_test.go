package taxii_test

import (
	"context"
	"encoding/json"
	"flag"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/taxii"
)

// TestPollFlagsFederate runs two installations: A plays the regulator's server, B an
// operator's installation started with --taxii-poll pointing at A's notifications to the
// energy sector (HTTP Basic with the regulator analyst's e-mail and token). B's module,
// started as `serve` starts it, polls at once: every indicator of A's collection — read
// from A directly, the oracle — lands in the private collection of B's grid operator,
// and nothing else (the identity, the marking and the report are not indicators).
func TestPollFlagsFederate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, d)
		regTok := token(t, a.Login(t, "admin@regulator.demo"), "regulator_analyst")
		regA := caller{t, a.NewClient(t), "Bearer " + regTok}
		var src envelope
		res, body := regA.do("GET", root+"collections/sector:energy/objects/", nil, "", &src)
		want(t, "A's energy notifications", res, body, 200)
		var indicators, others []string
		for _, o := range src.Objects {
			var h struct{ Type, ID string }
			_ = json.Unmarshal(o, &h)
			if h.Type == "indicator" {
				indicators = append(indicators, h.ID)
			} else {
				others = append(others, h.ID)
			}
		}
		if len(indicators) == 0 || len(others) == 0 {
			t.Fatalf("A's collection: %s", body)
		}

		b := apptest.StartFlags(t, d, "--taxii-poll", a.URL+root+"collections/sector:energy/", "--taxii-poll-user", "admin@regulator.demo",
			"--taxii-poll-token", regTok, "--taxii-poll-as", "admin@grid.demo", "--taxii-poll-every", "1h")
		var mod *taxii.Module
		for _, m := range b.App.Modules {
			if tm, ok := m.(*taxii.Module); ok {
				mod = tm
			}
		}
		if err := mod.Start(context.Background()); err != nil {
			t.Fatalf("start B's poll: %v", err)
		}
		gridB := caller{t, b.NewClient(t), "Bearer " + token(t, b.Login(t, "admin@grid.demo"), "analyst")}
		deadline := time.Now().Add(60 * time.Second)
		for {
			var e envelope
			res, body := gridB.do("GET", root+"collections/private/objects/?limit=1000", nil, "", &e)
			want(t, "B's private collection", res, body, 200)
			got := ids(e)
			missing := 0
			for _, id := range indicators {
				if !containsID(got, id) {
					missing++
				}
			}
			if missing == 0 {
				for _, id := range others {
					if containsID(got, id) {
						t.Fatalf("%s is not an indicator but was added: %s", id, body)
					}
				}
				if !strings.Contains(body, "198.51.100.23") {
					t.Fatalf("the demo warning's address is not in B: %s", body)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 60 s, %d of A's %d indicators are not in B: %s", missing, len(indicators), body)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
}

// TestPollFlagsRefused: a subscription that cannot work stops the start-up, naming the
// flag at fault.
func TestPollFlagsRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--taxii-poll", "ftp://regulator.example/collections/x/", "--taxii-poll-as", "a@b.c"}, "--taxii-poll"},
		{[]string{"--taxii-poll", "https://regulator.example/collections/x", "--taxii-poll-as", "a@b.c"}, "ending in /"},
		{[]string{"--taxii-poll", "https://regulator.example/collections/x/"}, "--taxii-poll-as"},
		{[]string{"--taxii-poll", "https://regulator.example/collections/x/", "--taxii-poll-as", "a@b.c", "--taxii-poll-every", "0s"}, "--taxii-poll-every"},
	} {
		m := taxii.New()
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		m.Flags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if err := m.Start(context.Background()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want a refusal naming %s", tc.args, err, tc.want)
		}
	}
	if err := taxii.New().Start(context.Background()); err != nil {
		t.Errorf("no subscription: %v", err)
	}
}
