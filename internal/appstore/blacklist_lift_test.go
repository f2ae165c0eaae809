package appstore_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestLiftFromBlacklist on both engines: a verified developer blacklisted for a malicious
// app is suspended; lifting the entry needs a reason (400 naming it, nothing changed),
// another organisation gets 404, and once lifted the entry stays on the list as 已解除 with
// its reason, the developer is back to 待核验 (pending: verified again before publishing),
// and lifting it twice is a 409.
func TestLiftFromBlacklist(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@grid.demo")
		r := makeStore(t, env, admin)
		var e struct{ ID int64 }
		api(t, admin, "POST", "/api/v1/appstore/blacklist", fmt.Sprintf(`{"kind":"developer","value":"%d","reason":"发布仿冒银行应用"}`, r.Developer), 201, &e)
		state := func() string {
			var dev struct{ State string }
			api(t, admin, "GET", fmt.Sprintf("/api/v1/appstore/developers/%d", r.Developer), "", 200, &dev)
			return dev.State
		}
		if s := state(); s != "suspended" {
			t.Fatalf("a blacklisted developer is %s, want suspended", s)
		}
		lift := fmt.Sprintf("/api/v1/appstore/blacklist/%d/lift", e.ID)
		res, body := admin.Do("POST", lift, nil, map[string]string{"X-CSRF-Token": admin.CSRF, "Content-Type": "application/json"}, `{"reason":"  "}`)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"reason"`) {
			t.Errorf("lift without a reason: %d %s, want 400 naming reason", res.StatusCode, body)
		}
		water := env.Login(t, "admin@water.demo")
		if res, _ := water.Do("POST", lift, nil, map[string]string{"X-CSRF-Token": water.CSRF, "Content-Type": "application/json"}, `{"reason":"x"}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("another organisation lifting: %d, want 404", res.StatusCode)
		}
		if s := state(); s != "suspended" {
			t.Fatalf("refused lifts changed the developer to %s", s)
		}
		admin.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		if res, _ := admin.Do("POST", fmt.Sprintf("/appstore/blacklist/%d/lift", e.ID), url.Values{"reason": {"经复核系误报，开发者已提交说明"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("lift on the page: %d, want 303", res.StatusCode)
		}
		if s := state(); s != "pending" {
			t.Errorf("after the lift the developer is %s, want pending (verified again)", s)
		}
		if _, p := admin.Do("GET", "/appstore", nil, nil); !strings.Contains(p, "已解除") || !strings.Contains(p, "经复核系误报，开发者已提交说明") || strings.Contains(p, fmt.Sprintf(`action="/appstore/blacklist/%d/lift"`, e.ID)) {
			t.Error("the platform page does not show the entry lifted with its reason, or still offers to lift it")
		}
		api(t, admin, "POST", lift, `{"reason":"再次"}`, 409, nil)
	})
}
