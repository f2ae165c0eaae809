package appstore_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestPublicComplaintNamesADeveloper on both engines: a visitor without a session names
// the developer (not an app) in the public form; the staff's complaint list links the
// complaint to that developer, and the developer's page lists its receipt in Chinese.
func TestPublicComplaintNamesADeveloper(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@grid.demo")
		r := makeStore(t, env, admin)
		var org struct {
			Org struct{ ID int64 } `json:"org"`
		}
		api(t, admin, "GET", "/api/v1/me", "", 200, &org)
		visitor := env.NewClient(t)
		if _, p := visitor.Do("GET", fmt.Sprintf("/public/appstore/%d/complaints", org.Org.ID), nil, map[string]string{"Accept-Language": "zh-CN"}); !strings.Contains(p, `name="developer"`) {
			t.Fatal("the public form has no developer field")
		}
		receipt := publicComplaint(t, visitor, org.Org.ID, url.Values{"kind": {"fraud"}, "developer": {"王小明"}, "subject": {"冒充客服"}, "body": {"该开发者冒充客服诱导转账。"}})
		var list struct {
			Complaints []struct {
				Receipt     string
				DeveloperID *int64 `json:"developer_id"`
				AppID       *int64 `json:"app_id"`
			}
		}
		api(t, admin, "GET", "/api/v1/appstore/complaints", "", 200, &list)
		found := false
		for _, c := range list.Complaints {
			if c.Receipt == receipt {
				found = true
				if c.DeveloperID == nil || *c.DeveloperID != r.Developer || c.AppID != nil {
					t.Errorf("complaint %s: developer %v app %v, want developer %d and no app", receipt, c.DeveloperID, c.AppID, r.Developer)
				}
			}
		}
		if !found {
			t.Fatalf("complaint %s not listed", receipt)
		}
		admin.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		_, p := admin.Do("GET", fmt.Sprintf("/appstore/developers/%d", r.Developer), nil, nil)
		if !strings.Contains(p, "涉及此开发者或其应用的投诉") || !strings.Contains(p, receipt) || !strings.Contains(p, "冒充客服") {
			t.Errorf("the developer's page does not list complaint %s", receipt)
		}
	})
}
