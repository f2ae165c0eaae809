package incidents_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestFileReportInTheInbox on both engines: a CII operator files an incident's first report
// with its protection-work department inside ciiguard (CIIR 2021 Art. 18: report to the
// protection-work department and the police). Refused first, each naming its field and
// filing nothing: an operator that named no department ("channel"), a filing without the
// department ticked ("to"). Filed: the sending time is the filing time, the clock stops on
// time, the regulator's inbox holds the report with the detection time and the grade, its
// answer shows on the operator's page, and a second sending is a 409 that files nothing.
func TestFileReportInTheInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		sys := ciiSystem(t, sm)
		det := time.Now().Add(-10 * time.Minute)
		res, body := sm.Do("POST", "/api/v1/incidents", nil, h, fmt.Sprintf(`{"title":"客户信息泄露（平台报送）","type":"data","subtype":"leak","detected_at":%q,"systems":[%d],"impact":{"pi_leaked":1200000},"reporter":"值班员"}`, chinaMinute(det), sys))
		var in apiIncident
		if err := json.Unmarshal([]byte(body), &in); err != nil || res.StatusCode != http.StatusCreated || in.Grade != "relatively_major" {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		_, body = sm.Do("POST", fmt.Sprintf("/api/v1/incidents/%d/reports", in.ID), nil, h, `{"kind":"first"}`)
		var rep struct{ ID int64 }
		if err := json.Unmarshal([]byte(body), &rep); err != nil || rep.ID == 0 {
			t.Fatalf("draft: %s", body)
		}
		send := fmt.Sprintf("/api/v1/incidents/%d/reports/%d/send", in.ID, rep.ID)
		page := fmt.Sprintf("/incidents/%d/reports/%d", in.ID, rep.ID)

		// A new operator that names no department: only the outside channel.
		water := newOperator(t, env)
		wh := jsonHdr(water.CSRF)
		if _, b := water.Do("GET", "/api/v1/filings/regulator", nil, nil); !strings.Contains(b, `"regulator": null`) && !strings.Contains(b, `"regulator":null`) {
			t.Fatalf("a new operator names a department: %s", b)
		}
		_, body = water.Do("POST", "/api/v1/incidents", nil, wh, fmt.Sprintf(`{"title":"门户网站篡改","type":"attack","subtype":"defacement","detected_at":%q,"impact":{"portal_down_min":150},"reporter":"值班员"}`, chinaMinute(det)))
		var win apiIncident
		if err := json.Unmarshal([]byte(body), &win); err != nil || win.ID == 0 {
			t.Fatalf("the other operator's incident: %s", body)
		}
		_, body = water.Do("POST", fmt.Sprintf("/api/v1/incidents/%d/reports", win.ID), nil, wh, `{"kind":"first"}`)
		var wrep struct{ ID int64 }
		if err := json.Unmarshal([]byte(body), &wrep); err != nil || wrep.ID == 0 {
			t.Fatalf("the other operator's draft: %s", body)
		}
		water.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		if _, p := water.Do("GET", fmt.Sprintf("/incidents/%d/reports/%d", win.ID, wrep.ID), nil, nil); strings.Contains(p, `id="channel-platform"`) || !strings.Contains(p, `id="channel-outside"`) {
			t.Error("the page offers filing in ciiguard to an operator that named no department")
		}
		if res, b := water.Do("POST", fmt.Sprintf("/api/v1/incidents/%d/reports/%d/send", win.ID, wrep.ID), nil, wh, `{"to":["protection_dept"],"channel":"platform"}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(b, `"field":"channel"`) {
			t.Errorf("filing without a department: %d %s, want 400 naming channel", res.StatusCode, b)
		}
		sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		an := env.Login(t, "analyst@regulator.demo")
		inbox := func() []struct {
			ID         int64      `json:"id"`
			Kind       string     `json:"kind"`
			TitleZH    string     `json:"title_zh"`
			Ref        string     `json:"ref"`
			Payload    string     `json:"payload"`
			DetectedAt *time.Time `json:"detected_at"`
		} {
			_, b := an.Do("GET", "/api/v1/oversight/inbox", nil, nil)
			var out struct {
				Items []struct {
					ID         int64      `json:"id"`
					Kind       string     `json:"kind"`
					TitleZH    string     `json:"title_zh"`
					Ref        string     `json:"ref"`
					Payload    string     `json:"payload"`
					DetectedAt *time.Time `json:"detected_at"`
				} `json:"items"`
			}
			if err := json.Unmarshal([]byte(b), &out); err != nil {
				t.Fatalf("inbox: %v: %s", err, b)
			}
			var mine = out.Items[:0]
			for _, it := range out.Items {
				if it.Ref == fmt.Sprintf("incident-report:%d", rep.ID) {
					mine = append(mine, it)
				}
			}
			return mine
		}
		if res, b := sm.Do("POST", send, nil, h, `{"to":["police"],"channel":"platform"}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(b, `"field":"to"`) {
			t.Errorf("filing without the department ticked: %d %s, want 400 naming to", res.StatusCode, b)
		}
		if n := len(inbox()); n != 0 {
			t.Fatalf("refused sendings filed %d items", n)
		}
		if _, p := sm.Do("GET", page, nil, nil); !strings.Contains(p, `id="channel-platform"`) || !strings.Contains(p, "通过 ciiguard 报送") {
			t.Error("the page does not offer filing in ciiguard once the department is named")
		}
		before := time.Now().Truncate(time.Second)
		res, body = sm.Do("POST", page+"/send", url.Values{"channel": {"platform"}, "to": {"protection_dept", "police"}}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("file on the page: %d %s", res.StatusCode, body)
		}
		_, body = sm.Do("GET", "/api/v1"+page, nil, nil)
		var sent struct {
			Channel string    `json:"channel"`
			SentAt  time.Time `json:"sent_at"`
			OnTime  bool      `json:"on_time"`
			SentTo  []string  `json:"sent_to"`
		}
		if err := json.Unmarshal([]byte(body), &sent); err != nil {
			t.Fatalf("report: %v: %s", err, body)
		}
		if sent.Channel != "platform" || !sent.OnTime || sent.SentAt.Before(before) || sent.SentAt.After(time.Now()) || strings.Join(sent.SentTo, ",") != "protection_dept,police" {
			t.Errorf("the sending: %+v, want platform, on time, sent when filed (after %s), to both", sent, before)
		}
		items := inbox()
		if len(items) != 1 {
			t.Fatalf("the regulator's inbox holds %d filings of the report, want 1", len(items))
		}
		it := items[0]
		var payload struct {
			Kind       string    `json:"kind"`
			Grade      string    `json:"grade"`
			DetectedAt time.Time `json:"detected_at"`
			Content    struct {
				Zh map[string]string `json:"zh"`
			} `json:"content"`
		}
		if err := json.Unmarshal([]byte(it.Payload), &payload); err != nil {
			t.Fatalf("payload: %v: %s", err, it.Payload)
		}
		wantDet := det.Truncate(time.Minute)
		if it.Kind != "incident_report" || !strings.Contains(it.TitleZH, "客户信息泄露（平台报送）") || payload.Kind != "first" || payload.Grade != "relatively_major" ||
			!payload.DetectedAt.Equal(wantDet) || it.DetectedAt == nil || !it.DetectedAt.Equal(wantDet) || len(payload.Content.Zh) == 0 {
			t.Errorf("the filing: kind %s title %q payload %+v detected %v, want the first report of a 较大 incident detected at %s", it.Kind, it.TitleZH, payload, it.DetectedAt, wantDet)
		}
		if _, p := sm.Do("GET", page, nil, nil); !strings.Contains(p, "已通过 ciiguard 报送保护工作部门") || !strings.Contains(p, `id="filing-state">已报送，待签收<`) {
			t.Error("the operator's page does not show the filing and its state")
		}
		if res, b := an.Do("POST", fmt.Sprintf("/api/v1/oversight/inbox/%d/answers", it.ID), nil, jsonHdr(an.CSRF), `{"action":"acknowledged","note":"已收到"}`); res.StatusCode >= 300 {
			t.Fatalf("acknowledge: %d %s", res.StatusCode, b)
		}
		if _, p := sm.Do("GET", page, nil, nil); !strings.Contains(p, `id="filing-state">已签收<`) {
			t.Error("the operator's page does not show the department's acknowledgement")
		}
		if res, _ := sm.Do("POST", send, nil, h, `{"to":["protection_dept"],"channel":"platform"}`); res.StatusCode != http.StatusConflict {
			t.Errorf("sending again: %d, want 409", res.StatusCode)
		}
		if n := len(inbox()); n != 1 {
			t.Errorf("after a second sending the inbox holds %d filings, want 1", n)
		}
		if res, _ := water.Do("POST", send, nil, wh, `{"to":["protection_dept"],"channel":"platform"}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("another organisation: %d, want 404", res.StatusCode)
		}
	})
}

// newOperator creates an operator organisation with a security manager and no
// protection-work department named, and returns the manager's client.
func newOperator(t *testing.T, env *apptest.Env) *apptest.Client {
	t.Helper()
	ctx := context.Background()
	o, err := env.App.Auth.CreateOrg(ctx, auth.Org{Kind: auth.Operator, NameZH: "示例水务公司（测试）", NameEN: "Example Water Co. (test)"})
	if err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("security%d@water-co.test", o.ID)
	if _, err := env.App.Auth.CreateUser(ctx, auth.NewUser{OrgID: o.ID, Email: email, Name: "测试", Role: auth.SecurityManager, PasswordHash: apptest.DemoPasswordHash()}); err != nil {
		t.Fatal(err)
	}
	return env.Login(t, email)
}
