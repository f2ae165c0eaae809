package logs_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestRemovalAndPurgeNeedConfirmation: the sources and retention pages say what removing a
// source and purging do, in Chinese, before doing it; a post without the confirmation
// changes nothing; with it, the source goes.
func TestRemovalAndPurgeNeedConfirmation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		c.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		res, body := api(c, "POST", "/api/v1/vault/sources", `{"name":"待移除日志源","kind":"http"}`)
		var out struct {
			Source struct {
				ID int64 `json:"id"`
			} `json:"source"`
		}
		err := json.Unmarshal([]byte(body), &out)
		src := out.Source
		if err != nil || res.StatusCode != http.StatusCreated || src.ID == 0 {
			t.Fatalf("create source: %d %s", res.StatusCode, body)
		}
		_, page := c.Do("GET", "/vault/sources", nil, nil)
		if !strings.Contains(page, "移除「待移除日志源」将立即吊销其 API 令牌") {
			t.Error("the sources page does not say what removing the source does")
		}
		_, page = c.Do("GET", "/vault/retention", nil, nil)
		if !strings.Contains(page, "立即清理将永久删除所有早于") {
			t.Error("the retention page does not say what purging does")
		}
		path := "/vault/sources/" + strconv.FormatInt(src.ID, 10) + "/delete"
		if res, _ := c.Do("POST", path, url.Values{}, nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("removal without confirmation: %d, want 400", res.StatusCode)
		}
		if res, _ := c.Do("POST", "/vault/purge", url.Values{}, nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("purge without confirmation: %d, want 400", res.StatusCode)
		}
		if _, body := api(c, "GET", "/api/v1/vault/sources", ""); !strings.Contains(body, "待移除日志源") {
			t.Fatal("the source is gone after an unconfirmed removal")
		}
		if res, _ := c.Do("POST", path, url.Values{"confirm": {"yes"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirmed removal: %d", res.StatusCode)
		}
		if _, body := api(c, "GET", "/api/v1/vault/sources", ""); strings.Contains(body, "待移除日志源") {
			t.Error("the source is still there after the confirmed removal")
		}
	})
}
