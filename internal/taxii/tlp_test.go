package taxii_test

import (
	"fmt"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// The TLP 2.0 AMBER+STRICT marking definition's published id.
const tlpAmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"

// TestSharingGroupKeepsTLP posts objects of each TLP level to the sharing group of the demo
// regulator as the grid operator and reads them back as the regulator and as another
// operator of the group (the water operator): TLP:GREEN reaches every member; TLP:AMBER+STRICT
// and TLP:RED reach only the regulator they were posted to (the named recipient). The
// regulator's own TLP:RED post is refused: the group names no recipients. The oracle is
// the TLP 2.0 definitions, written out per object below.
func TestSharingGroupKeepsTLP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		gridAdmin := env.Login(t, "admin@grid.demo")
		_, body := gridAdmin.Do("GET", "/api/v1/filings/regulator", nil, nil)
		var regID int64
		if _, err := fmt.Sscanf(body[strings.Index(body, `"id":`)+5:], "%d", &regID); err != nil {
			t.Fatalf("the grid operator's regulator: %s", body)
		}
		waterAdmin := env.Login(t, "admin@water.demo")
		res, body := waterAdmin.Do("PUT", "/api/v1/filings/regulator", nil, map[string]string{"X-CSRF-Token": waterAdmin.CSRF, "Content-Type": "application/json"},
			fmt.Sprintf(`{"regulator_id":%d}`, regID))
		if res.StatusCode != 200 {
			t.Fatalf("the water operator names the regulator: %d %s", res.StatusCode, body)
		}
		grid := caller{t, env.NewClient(t), "Bearer " + token(t, gridAdmin, "analyst")}
		water := caller{t, env.NewClient(t), "Bearer " + token(t, waterAdmin, "admin")}
		reg := caller{t, env.NewClient(t), "Bearer " + token(t, env.Login(t, "admin@regulator.demo"), "regulator_analyst")}

		sharing := collections(t, grid)["sharing"]
		if sharing.ID == "" || !sharing.CanWrite || collections(t, water)["sharing"].ID != sharing.ID || collections(t, reg)["sharing"].ID != sharing.ID {
			t.Fatalf("the group's collection is not the same for its three members: %+v", sharing)
		}
		path := root + "collections/" + sharing.ID + "/objects/"
		green, amberStrict, red := "indicator--11111111-1111-4111-8111-111111111111", "indicator--22222222-2222-4222-8222-222222222222", "indicator--33333333-3333-4333-8333-333333333333"
		ct := map[string]string{"Content-Type": taxiiMedia}
		res, body = grid.do("POST", path, ct, fmt.Sprintf(`{"objects":[%s,%s,%s]}`, indicator(green, "192.0.2.10", tlpGreen),
			indicator(amberStrict, "192.0.2.11", tlpAmberStrict), indicator(red, "192.0.2.12", tlpRed)), nil)
		want(t, "the grid posts three", res, body, 202)
		if !strings.Contains(body, `"success_count":3`) {
			t.Fatalf("post: %s", body)
		}
		read := func(k caller) string {
			var e envelope
			res, body := k.do("GET", path, nil, "", &e)
			want(t, "read the group", res, body, 200)
			return strings.Join(sorted(ids(e)), " ")
		}
		for who, tc := range map[string]struct {
			k    caller
			want []string
		}{
			"the poster":       {grid, []string{green, amberStrict, red}},
			"the regulator":    {reg, []string{green, amberStrict, red}},
			"another operator": {water, []string{green}},
		} {
			if got := read(tc.k); got != strings.Join(sorted(tc.want), " ") {
				t.Errorf("%s reads %q, want %v", who, got, tc.want)
			}
		}
		res, body = water.do("GET", path+red+"/", nil, "", nil)
		want(t, "the TLP:RED object by id as another operator", res, body, 404)
		res, body = reg.do("POST", path, ct, fmt.Sprintf(`{"objects":[%s]}`, indicator("indicator--44444444-4444-4444-8444-444444444444", "192.0.2.13", tlpRed)), nil)
		want(t, "the regulator posts TLP:RED", res, body, 202)
		if !strings.Contains(body, `"failure_count":1`) || !strings.Contains(body, "no named recipients") {
			t.Fatalf("the regulator's TLP:RED post: %s", body)
		}
	})
}
