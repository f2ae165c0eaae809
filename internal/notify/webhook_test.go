package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/notify/notifytest"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// received is one request a robot endpoint got.
type received struct {
	path, query string
	header      http.Header
	body        []byte
}

// robots answers like the group robots: WeCom and DingTalk with errcode 0, Feishu with
// code 0, the generic receiver with 204.
func robots(t *testing.T) (*httptest.Server, func() map[string]received) {
	var mu sync.Mutex
	got := map[string]received{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got[strings.Split(r.URL.Path, "/")[1]] = received{r.URL.Path, r.URL.RawQuery, r.Header.Clone(), b}
		mu.Unlock()
		switch {
		case strings.HasPrefix(r.URL.Path, "/feishu"):
			_, _ = w.Write([]byte(`{"code":0,"msg":"success","data":{}}`))
		case strings.HasPrefix(r.URL.Path, "/generic"):
			w.WriteHeader(http.StatusNoContent)
		default:
			_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() map[string]received {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]received{}
		for k, v := range got {
			out[k] = v
		}
		return out
	}
}

func sameJSON(t *testing.T, name string, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: body is not JSON: %q", name, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: expected JSON does not parse: %v", name, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s body:\n got %s\nwant %s", name, got, want)
	}
}

// Each webhook format receives the documented JSON of its robot, signed where the robot
// defines signing (DingTalk 加签 in the query, Feishu 签名校验 in the body, the generic one
// in a header); the signatures below were computed by hand (Python hmac) for the test's
// clock, 2026-12-01 02:00 UTC = 1796090400 s.
func TestWebhookFormats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		smtpSrv := notifytest.Start(t)
		mods, n := withMail(smtpSrv, func() time.Time { return at10 })
		env, _ := start(t, d, mods, n, smtpSrv)
		hooks, got := robots(t)
		admin := env.Login(t, "admin@grid.demo")
		h := map[string]string{"X-CSRF-Token": admin.CSRF, "Content-Type": "application/json"}
		for _, w := range []struct{ name, format, path, secret string }{
			{"企业微信群", "wecom", "/wecom/cgi-bin/webhook/send?key=wecom-key-123", ""},
			{"钉钉群", "dingtalk", "/dingtalk/robot/send?access_token=ding-token-456", "SECtest-dingtalk-secret"},
			{"飞书群", "feishu", "/feishu/open-apis/bot/v2/hook/feishu-hook-789", "feishu-secret"},
			{"SOC", "generic", "/generic/hook", "generic-secret"},
		} {
			body, _ := json.Marshal(map[string]any{"name": w.name, "format": w.format, "url": hooks.URL + w.path, "secret": w.secret, "reminders": true, "alerts": true})
			if res, out := admin.Do("POST", "/api/v1/notifications/webhooks", nil, h, string(body)); res.StatusCode != http.StatusCreated {
				t.Fatalf("add %s: %d %s", w.format, res.StatusCode, out)
			}
		}
		li, _ := env.App.Auth.UserByEmail(context.Background(), "security@grid.demo")
		notice := kernel.Notice{
			Kind: "incidents.clock", Subject: "incident:7", Point: "report-1h",
			Title: rules.Text{Zh: "事件 7：1 小时内须报告", En: "Incident 7: report within 1 hour"},
			Body:  rules.Text{Zh: "请立即向保护工作部门报告。", En: "Report now."},
			Roles: []auth.Role{auth.SecurityManager}, Due: time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC), Link: "/incidents/7",
		}
		if k, err := n.Notify(context.Background(), li.OrgID, notice); err != nil || k != 5 {
			t.Fatalf("Notify: %d, %v; want 4 webhooks + 1 e-mail", k, err)
		}
		if sent, err := n.Deliver(context.Background()); err != nil || sent != 5 {
			t.Fatalf("Deliver: %d, %v", sent, err)
		}
		text := "事件 7：1 小时内须报告\n请立即向保护工作部门报告。\n\n截止日期：2026-12-02（北京时间当日 24:00 前）\n查看：https://ciiguard.grid.demo/incidents/7"
		r := got()
		sameJSON(t, "wecom", r["wecom"].body, `{"msgtype":"text","text":{"content":"`+jsonEsc(text)+`"}}`)
		if r["wecom"].query != "key=wecom-key-123" {
			t.Errorf("wecom query %q", r["wecom"].query)
		}
		sameJSON(t, "dingtalk", r["dingtalk"].body, `{"msgtype":"text","text":{"content":"`+jsonEsc(text)+`"}}`)
		if q := r["dingtalk"].query; q != "access_token=ding-token-456&sign=pzDLp569T8ooLDJkbzx7asDwp4mOg5ZWlsHJYEO2vm8%3D&timestamp=1796090400000" {
			t.Errorf("dingtalk query %q", q)
		}
		sameJSON(t, "feishu", r["feishu"].body, `{"timestamp":"1796090400","sign":"4gxXRK4bpMwgfLy0vmRwSUzasavcIDW+WQ2mFQydkPQ=","msg_type":"text","content":{"text":"`+jsonEsc(text)+`"}}`)
		g := r["generic"]
		sameJSON(t, "generic", g.body, `{"kind":"incidents.clock","subject":"incident:7","point":"report-1h","title":"事件 7：1 小时内须报告",
"text":"请立即向保护工作部门报告。\n\n截止日期：2026-12-02（北京时间当日 24:00 前）\n查看：https://ciiguard.grid.demo/incidents/7","due":"2026-12-02","link":"https://ciiguard.grid.demo/incidents/7"}`)
		mac := hmac.New(sha256.New, []byte("generic-secret"))
		mac.Write([]byte("1796090400." + string(g.body)))
		if g.header.Get("X-Ciiguard-Timestamp") != "1796090400" || g.header.Get("X-Ciiguard-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			t.Errorf("generic signature headers: %v", g.header)
		}
	})
}

func jsonEsc(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// Webhook keys and secrets never come back: not in the API, not on the page, not in the
// audit trail. Another organisation's webhook is 404, and bad input names its field.
func TestWebhookSecretsTenancyAndInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@grid.demo")
		h := map[string]string{"X-CSRF-Token": admin.CSRF, "Content-Type": "application/json"}
		res, out := admin.Do("POST", "/api/v1/notifications/webhooks", nil, h,
			`{"name":"钉钉群","format":"dingtalk","url":"https://oapi.dingtalk.com/robot/send?access_token=tok-SECRETPART","secret":"SECverysecret"}`)
		var hook struct {
			ID  int64  `json:"id"`
			URL string `json:"url"`
		}
		if err := json.Unmarshal([]byte(out), &hook); err != nil || res.StatusCode != http.StatusCreated || hook.URL != "https://oapi.dingtalk.com/…" {
			t.Fatalf("add: %d %s", res.StatusCode, out)
		}
		_, list := admin.Do("GET", "/api/v1/notifications/webhooks", nil, nil)
		_, page := admin.Do("GET", "/notifications", nil, nil)
		var trail int
		if err := env.App.DB.Read(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'notify_webhook'`).Scan(&trail)
		}); err != nil || trail != 1 {
			t.Fatalf("audit rows for the webhook: %d, %v", trail, err)
		}
		var leaked int
		_ = env.App.DB.Read(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'notify_webhook' AND (detail LIKE '%SECRETPART%' OR detail LIKE '%verysecret%')`).Scan(&leaked)
		})
		for where, s := range map[string]string{"list": list, "page": page, "add answer": out} {
			if strings.Contains(s, "SECRETPART") || strings.Contains(s, "verysecret") {
				t.Errorf("the %s shows the webhook's token or secret", where)
			}
		}
		if leaked != 0 {
			t.Error("the audit trail holds the webhook's token or secret")
		}
		other := env.Login(t, app.OtherOperatorEmail(auth.Admin))
		if res, _ := other.Do("DELETE", "/api/v1/notifications/webhooks/"+itoa(hook.ID), nil, map[string]string{"X-CSRF-Token": other.CSRF}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("another organisation deleting the webhook: %d, want 404", res.StatusCode)
		}
		if res, _ := other.Do("POST", "/notifications/webhooks/"+itoa(hook.ID)+"/delete", map[string][]string{"confirm": {"on"}}, nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("another organisation deleting the webhook by form: %d, want 404", res.StatusCode)
		}
		if _, l := other.Do("GET", "/api/v1/notifications/webhooks", nil, nil); strings.Contains(l, "钉钉群") {
			t.Fatal("another organisation lists the webhook")
		}
		for _, c := range []struct{ body, field string }{
			{`{"name":"x","format":"slack","url":"https://example.cn/h"}`, "format"},
			{`{"name":"x","format":"generic","url":"http://example.cn/h"}`, "url"},
			{`{"name":"x","format":"generic","url":"ftp://example.cn/h"}`, "url"},
			{`{"name":"","format":"generic","url":"https://example.cn/h"}`, "name"},
			{`{"name":"x","format":"wecom","url":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k","secret":"s"}`, "secret"},
		} {
			res, out := admin.Do("POST", "/api/v1/notifications/webhooks", nil, h, c.body)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(out, `"field":"`+c.field+`"`) {
				t.Errorf("%s: %d %s, want 400 naming %s", c.body, res.StatusCode, out, c.field)
			}
		}
		if res, _ := admin.Do("DELETE", "/api/v1/notifications/webhooks/"+itoa(hook.ID), nil, map[string]string{"X-CSRF-Token": admin.CSRF}); res.StatusCode != http.StatusNoContent {
			t.Fatalf("delete own webhook: %d", res.StatusCode)
		}
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
