package appstore_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/appstore"
	"ciiguard/internal/notify"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// api calls the JSON API as c and decodes the answer into out (when not nil), failing
// the test unless the status is want.
func api(t *testing.T, c *apptest.Client, method, path, body string, want int, out any) {
	t.Helper()
	res, b := c.Do(method, path, nil, map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}, body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(b), out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// upload sends raw as the multipart field apk.
func upload(t *testing.T, c *apptest.Client, path string, raw []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("apk", "app.apk")
	_, _ = fw.Write(raw)
	_ = mw.Close()
	return c.Do("POST", path, nil, map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": mw.FormDataContentType()}, buf.String())
}

var codeRE = regexp.MustCompile(`验证码：([0-9]{6})`)

// smsCode delivers what the notifier queued and reads the last code sent to phone from
// the SMS outbox, as the operator's gateway would.
func smsCode(t *testing.T, env *apptest.Env, phone string) string {
	t.Helper()
	var n *notify.Module
	for _, m := range env.App.Modules {
		if nm, ok := m.(*notify.Module); ok {
			n = nm
		}
	}
	if _, err := n.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(n.SMSOutbox())
	if err != nil {
		t.Fatalf("SMS outbox: %v", err)
	}
	code := ""
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m notify.OutboxMessage
		if json.Unmarshal([]byte(l), &m) == nil && m.To == phone {
			if c := codeRE.FindStringSubmatch(m.Text); c != nil {
				code = c[1]
			}
		}
	}
	if code == "" {
		t.Fatalf("no code for %s in the outbox: %s", phone, b)
	}
	return code
}

// storeRecords are one app store's records made through the API: a platform, a verified
// individual developer, a published app and a complaint from the public form.
type storeRecords struct {
	Developer, App, Version, Takedown, Complaint, Blacklist, Document int64
}

func makeStore(t *testing.T, env *apptest.Env, admin *apptest.Client) storeRecords {
	t.Helper()
	var r storeRecords
	api(t, admin, "PUT", "/api/v1/appstore/platform", `{"name":"示例应用市场","online_on":"2026-01-05","cac_province":"北京市互联网信息办公室","filed_on":"2026-01-20","filing_reference":"京网信备11010126000001号","complaint_channel":"网页表单"}`, 200, nil)
	var doc struct{ ID int64 }
	api(t, admin, "POST", "/api/v1/appstore/documents", `{"kind":"rules","version":"1.0","title":"平台规则","effective_on":"2026-01-05"}`, 201, &doc)
	r.Document = doc.ID
	var dev struct{ ID int64 }
	api(t, admin, "POST", "/api/v1/appstore/developers", `{"kind":"individual","name":"王小明","resident_id":"11010519491231002X","phone":"13912345678"}`, 201, &dev)
	r.Developer = dev.ID
	api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/developers/%d/code", dev.ID), `{}`, 202, nil)
	api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/developers/%d/confirm", dev.ID), fmt.Sprintf(`{"code":%q}`, smsCode(t, env, "13912345678")), 200, nil)
	api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/developers/%d/decision", dev.ID), `{"state":"verified"}`, 200, nil)
	var app struct{ ID int64 }
	api(t, admin, "POST", "/api/v1/appstore/apps", fmt.Sprintf(`{"developer_id":%d,"name":"记账本","package":"cn.example.ledger","filing_number":"京ICP备12345678号-5A","declared_permissions":["INTERNET"]}`, dev.ID), 201, &app)
	r.App = app.ID
	cert, err := appstore.NewCertificate("王小明")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := appstore.BuildAPK(appstore.APKSpec{Package: "cn.example.ledger", VersionCode: 1, VersionName: "1.0", MinSDK: 24, TargetSDK: 34,
		Permissions: []string{"android.permission.INTERNET"}, Dex: []byte("ledger"), Cert: cert})
	if err != nil {
		t.Fatal(err)
	}
	res, b := upload(t, admin, fmt.Sprintf("/api/v1/appstore/apps/%d/versions", app.ID), raw)
	var ver struct {
		ID         int64
		AutoResult string `json:"auto_result"`
	}
	if res.StatusCode != 201 || json.Unmarshal([]byte(b), &ver) != nil {
		t.Fatalf("upload: %d %s", res.StatusCode, b)
	}
	r.Version = ver.ID
	api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/versions/%d/review", ver.ID), `{"decision":"approved","note":"无问题"}`, 200, nil)
	api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/versions/%d/publish", ver.ID), `{}`, 200, nil)
	var td struct{ ID int64 }
	api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/apps/%d/takedown", app.ID), `{"reason":"测试","legal_basis":"《网络数据安全管理条例》第四十一条","notice":"已通知"}`, 201, &td)
	r.Takedown = td.ID
	var bl struct{ ID int64 }
	api(t, admin, "POST", "/api/v1/appstore/blacklist", `{"kind":"package","value":"cn.example.counterfeit","reason":"仿冒应用"}`, 201, &bl)
	r.Blacklist = bl.ID
	api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/takedowns/%d/reinstate", td.ID), `{"reason":"复核无误"}`, 200, nil)
	var org struct {
		Org struct{ ID int64 } `json:"org"`
	}
	api(t, admin, "GET", "/api/v1/me", "", 200, &org)
	receipt := publicComplaint(t, env.NewClient(t), org.Org.ID, url.Values{"kind": {"fraud"}, "app": {"记账本"}, "subject": {"诱导充值"}, "body": {"应用内诱导充值后无法退款。"}})
	var list struct {
		Complaints []struct {
			ID      int64
			Receipt string
			AppID   *int64 `json:"app_id"`
		}
	}
	api(t, admin, "GET", "/api/v1/appstore/complaints", "", 200, &list)
	if len(list.Complaints) != 1 || list.Complaints[0].Receipt != receipt || list.Complaints[0].AppID == nil || *list.Complaints[0].AppID != app.ID {
		t.Fatalf("complaints %+v; want the one with receipt %s about app %d", list.Complaints, receipt, app.ID)
	}
	r.Complaint = list.Complaints[0].ID
	return r
}

var (
	challengeRE = regexp.MustCompile(`name="challenge" value="([^"]+)"`)
	receiptRE   = regexp.MustCompile(`id="receipt">([^<]+)<`)
)

// publicComplaint fills the public form without a session, solving its proof of work,
// and returns the receipt number shown.
func publicComplaint(t *testing.T, c *apptest.Client, org int64, form url.Values) string {
	t.Helper()
	path := fmt.Sprintf("/public/appstore/%d/complaints", org)
	res, body := c.Do("GET", path, nil, nil)
	m := challengeRE.FindStringSubmatch(body)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("public form: %d, challenge %v", res.StatusCode, m)
	}
	ch := strings.ReplaceAll(m[1], "&#43;", "+")
	form.Set("challenge", ch)
	form.Set("counter", appstore.Solve(ch))
	res, body = c.Do("POST", path, form, nil)
	r := receiptRE.FindStringSubmatch(body)
	if res.StatusCode != 200 || r == nil {
		t.Fatalf("public complaint: %d, no receipt in %s", res.StatusCode, body)
	}
	return r[1]
}

// TestAnotherOrganisationsAppStoreIsNotFound makes one app store's records through the API
// (the developer's phone confirmed by the code read from the SMS outbox, the complaint
// sent through the public form) and asks for each of them, by every route that names a
// record, as the other operator's administrator, who holds every appstore permission in
// its own organisation: every answer is 404, pages and API alike, on both engines.
func TestAnotherOrganisationsAppStoreIsNotFound(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		grid := env.Login(t, "admin@grid.demo")
		r := makeStore(t, env, grid)
		water := env.Login(t, "admin@water.demo")
		api(t, water, "PUT", "/api/v1/appstore/platform", `{"name":"水务应用市场","online_on":"2026-01-05"}`, 200, nil)
		apk, err := appstore.BuildAPK(appstore.APKSpec{Package: "cn.example.ledger", VersionCode: 2, VersionName: "2.0", Dex: []byte("other")})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]int64{"developers": r.Developer, "apps": r.App, "versions": r.Version, "takedowns": r.Takedown, "complaints": r.Complaint, "blacklist": r.Blacklist, "documents": r.Document}
		checked := 0
		for _, rt := range env.App.Web.Routes() {
			if !strings.Contains(rt.Path, "appstore/") || !strings.Contains(rt.Path, "{id}") {
				continue
			}
			var id int64
			for k, v := range ids {
				if strings.Contains(rt.Path, "/"+k+"/{id}") {
					id = v
				}
			}
			if id == 0 {
				t.Fatalf("%s %s: no record of that kind made", rt.Method, rt.Path)
			}
			path := strings.Replace(rt.Path, "{id}", fmt.Sprint(id), 1)
			var res *http.Response
			var body string
			switch {
			case rt.Method == "GET":
				res, body = water.Do("GET", path, nil, nil)
			case rt.API && strings.HasSuffix(rt.Path, "/versions"):
				res, body = upload(t, water, path, apk)
			case rt.API:
				res, body = water.Do(rt.Method, path, nil, map[string]string{"X-CSRF-Token": water.CSRF, "Content-Type": "application/json"}, validBody(rt.Path))
			default:
				res, body = water.Do(rt.Method, path, url.Values{"code": {"123456"}, "state": {"verified"}, "filing_number": {"京ICP备12345678号-5A"}, "reason": {"x"},
					"legal_basis": {"x"}, "notice": {"x"}, "decision": {"rejected"}, "note": {"x"}, "reply": {"x"}}, nil)
			}
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s as the other organisation: %d, want 404 (%.200s)", rt.Method, path, res.StatusCode, body)
			}
			checked++
		}
		if checked < 20 {
			t.Errorf("only %d routes with a record id checked", checked)
		}
		// The grid's complaint form does not take the water store's complaints and the
		// water's list does not show the grid's.
		var list struct{ Complaints []any }
		api(t, water, "GET", "/api/v1/appstore/complaints", "", 200, &list)
		if len(list.Complaints) != 0 {
			t.Errorf("the other organisation sees %d complaints", len(list.Complaints))
		}
	})
}

// validBody is a body each API route accepts, so that only the record's owner decides.
func validBody(path string) string {
	for suffix, body := range map[string]string{
		"/confirm": `{"code":"123456"}`, "/decision": `{"state":"verified"}`, "/filing": `{"filing_number":"京ICP备12345678号-5A"}`,
		"/takedown": `{"reason":"x","legal_basis":"x","notice":"x"}`, "/reinstate": `{"reason":"x"}`, "/review": `{"decision":"rejected","note":"x"}`,
		"complaints/{id}": `{"reply":"x"}`,
	} {
		if strings.HasSuffix(path, suffix) {
			return body
		}
	}
	return `{}`
}
