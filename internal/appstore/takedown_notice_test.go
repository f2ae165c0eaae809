package appstore_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/notify"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestTakedownNoticeReachesTheDeveloper on both engines: taking an app down sends the
// notice to the developer's phone as an SMS (read back from the SMS outbox, as the
// operator's gateway would) with the app, the reason, the legal basis and the notice text;
// the take-down records it, masked, and the app's page says so in Chinese. An organisation
// developer without a phone gets no SMS, and the page says the platform must deliver it.
func TestTakedownNoticeReachesTheDeveloper(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@grid.demo")
		r := makeStore(t, env, admin) // an individual developer, phone 13912345678; the app taken down once and reinstated
		var n *notify.Module
		for _, m := range env.App.Modules {
			if nm, ok := m.(*notify.Module); ok {
				n = nm
			}
		}
		var k struct {
			ID          int64  `json:"id"`
			NoticeState string `json:"notice_state"`
			NoticeTo    string `json:"notice_to"`
		}
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/apps/%d/takedown", r.App), `{"reason":"经核实违规收集通讯录","legal_basis":"《网络数据安全管理条例》第四十一条","notice":"请于15日内整改后申请恢复上架。","malicious":false}`, 201, &k)
		if k.NoticeState != "sent" || k.NoticeTo != "139****5678" {
			t.Errorf("the take-down's notice: %q to %q, want sent to 139****5678", k.NoticeState, k.NoticeTo)
		}
		if _, err := n.Deliver(t.Context()); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(n.SMSOutbox())
		if err != nil {
			t.Fatalf("the SMS outbox: %v", err)
		}
		var got string
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var m notify.OutboxMessage
			if json.Unmarshal([]byte(l), &m) == nil && m.To == "13912345678" && strings.Contains(m.Text, "下架") {
				got = m.Text
			}
		}
		for _, want := range []string{"记账本", "cn.example.ledger", "经核实违规收集通讯录", "《网络数据安全管理条例》第四十一条", "请于15日内整改后申请恢复上架。"} {
			if !strings.Contains(got, want) {
				t.Errorf("the SMS to the developer lacks %q: %q", want, got)
			}
		}
		admin.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		if _, p := admin.Do("GET", fmt.Sprintf("/appstore/apps/%d", r.App), nil, nil); !strings.Contains(p, "已以短信通知开发者（139****5678）") {
			t.Error("the app's page does not say the developer was told")
		}

		// An organisation developer with no phone.
		res, body := admin.Do("POST", "/api/v1/evidence?name=licence.txt", nil, map[string]string{"X-CSRF-Token": admin.CSRF, "Content-Type": "text/plain"}, "营业执照（测试）")
		var lic struct{ SHA256 string }
		if err := json.Unmarshal([]byte(body), &lic); err != nil || res.StatusCode != 201 {
			t.Fatalf("upload the licence: %d %s", res.StatusCode, body)
		}
		var dev struct{ ID int64 }
		api(t, admin, "POST", "/api/v1/appstore/developers", `{"kind":"organisation","name":"示例软件有限公司","uscc":"914403001922038216","licence_sha256":"`+lic.SHA256+`"}`, 201, &dev)
		var app struct{ ID int64 }
		api(t, admin, "POST", "/api/v1/appstore/apps", fmt.Sprintf(`{"developer_id":%d,"name":"天气","package":"cn.example.weather","filing_number":"京ICP备12345678号-6A"}`, dev.ID), 201, &app)
		k.NoticeState, k.NoticeTo = "", ""
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/apps/%d/takedown", app.ID), `{"reason":"备案信息不实","legal_basis":"《网络数据安全管理条例》第四十一条","notice":"请补正备案信息。"}`, 201, &k)
		if k.NoticeState != "no_phone" || k.NoticeTo != "" {
			t.Errorf("a developer without a phone: %q to %q, want no_phone", k.NoticeState, k.NoticeTo)
		}
		if _, p := admin.Do("GET", fmt.Sprintf("/appstore/apps/%d", app.ID), nil, nil); !strings.Contains(p, "开发者未登记手机号，未发送通知：请平台自行送达") {
			t.Error("the app's page does not say the notice was not sent")
		}
	})
}
