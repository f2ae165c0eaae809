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

// TestTakeDownVersionOnThePage on both engines: the administrator takes the version on
// sale down with the form beside it on the app's page in Chinese; the take-downs list it as
// 版本 1.0 with its legal basis, the version shows its removal and offers no second
// take-down, and the API answers a second one with 409 naming version.
func TestTakeDownVersionOnThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@grid.demo")
		r := makeStore(t, env, admin)
		admin.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		page := fmt.Sprintf("/appstore/apps/%d", r.App)
		if _, p := admin.Do("GET", page, nil, nil); !strings.Contains(p, fmt.Sprintf(`action="/appstore/versions/%d/takedown"`, r.Version)) || !strings.Contains(p, "下架此版本") {
			t.Fatal("the app page offers no take-down of the version on sale")
		}
		form := url.Values{"reason": {"该版本私自收集通讯录"}, "legal_basis": {"《网络数据安全管理条例》第四十一条"}, "notice": {"请整改后重新提交"}}
		if res, _ := admin.Do("POST", fmt.Sprintf("/appstore/versions/%d/takedown", r.Version), form, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("take the version down on the page: %d, want 303", res.StatusCode)
		}
		_, p := admin.Do("GET", page, nil, nil)
		if !strings.Contains(p, `<strong class="takedown-version">版本 1.0</strong>`) || !strings.Contains(p, "该版本私自收集通讯录") || strings.Contains(p, fmt.Sprintf(`action="/appstore/versions/%d/takedown"`, r.Version)) {
			t.Errorf("after the take-down the page does not list it as 版本 1.0, or still offers it")
		}
		res, body := admin.Do("POST", fmt.Sprintf("/api/v1/appstore/versions/%d/takedown", r.Version), nil, map[string]string{"X-CSRF-Token": admin.CSRF, "Content-Type": "application/json"},
			`{"reason":"x","legal_basis":"x","notice":"x"}`)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, `"field":"version"`) {
			t.Errorf("a second take-down: %d %s, want 409 naming version", res.StatusCode, body)
		}
	})
}
