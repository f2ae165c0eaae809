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

// TestChangeDeveloperOnThePage on both engines: the reviewer changes a verified
// developer's name on the developer page in Chinese and sees them back at 待核验 with the
// reason in Chinese; the API refuses a mistyped identity number with 400 naming
// resident_id and leaves the record as it was.
func TestChangeDeveloperOnThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@grid.demo")
		r := makeStore(t, env, admin)
		page := fmt.Sprintf("/appstore/developers/%d", r.Developer)
		admin.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		if _, p := admin.Do("GET", page, nil, nil); !strings.Contains(p, `id="change-form"`) || !strings.Contains(p, "变更身份信息") {
			t.Fatal("the developer page offers no change of identity")
		}
		if res, _ := admin.Do("POST", page, url.Values{"name": {"王小明（更名）"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("change on the page: %d, want 303", res.StatusCode)
		}
		_, p := admin.Do("GET", page, nil, nil)
		if !strings.Contains(p, `id="developer-state" class="status-gap">待核验`) || !strings.Contains(p, "身份信息已变更，须重新核验") || !strings.Contains(p, "王小明（更名）") {
			t.Errorf("after the change the page does not say 待核验 with its reason in Chinese")
		}
		res, body := admin.Do("PUT", "/api/v1"+page, nil, map[string]string{"X-CSRF-Token": admin.CSRF, "Content-Type": "application/json"}, `{"resident_id":"110105194912310021"}`)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"resident_id"`) {
			t.Errorf("a mistyped identity number: %d %s, want 400 naming resident_id", res.StatusCode, body)
		}
		var dev struct {
			Name     string
			IDMasked string `json:"id_number_masked"`
		}
		api(t, admin, "GET", "/api/v1"+page, "", 200, &dev)
		if dev.Name != "王小明（更名）" || dev.IDMasked != "110105********002X" {
			t.Errorf("after the refused change: %+v", dev)
		}
	})
}
