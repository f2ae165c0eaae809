package oversight_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestEscalateMajorIncident on both engines: the demo operator files the first report of a
// major incident (PI of 10,000,000 people: 重大) in ciiguard; the department's inbox shows
// its escalation clock, due 30 minutes after the filing; the analyst records the escalation
// on the item's page in Chinese, which then reads "30分钟内按时上报", and the operator's
// report page shows the department's answer. Escalating again is a 409; a relatively major
// report offers no escalation and refuses one naming "action".
func TestEscalateMajorIncident(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		op := env.Login(t, "security@grid.demo")
		file := func(title string, people int) (incident, report int64) {
			t.Helper()
			det := time.Now().Add(-5 * time.Minute).In(calendar.Shanghai).Format("2006-01-02T15:04")
			var in struct{ ID int64 }
			if code, body := call(t, op, "POST", "/api/v1/incidents", map[string]any{"title": title, "type": "data", "subtype": "leak", "detected_at": det,
				"impact": map[string]any{"pi_leaked": people}, "reporter": "值班员"}, &in); code != http.StatusCreated {
				t.Fatalf("incident: %d %s", code, body)
			}
			var rep struct{ ID int64 }
			call(t, op, "POST", fmt.Sprintf("/api/v1/incidents/%d/reports", in.ID), map[string]any{"kind": "first"}, &rep)
			if code, body := call(t, op, "POST", fmt.Sprintf("/api/v1/incidents/%d/reports/%d/send", in.ID, rep.ID),
				map[string]any{"to": []string{"protection_dept"}, "channel": "platform"}, nil); code != http.StatusOK {
				t.Fatalf("file: %d %s", code, body)
			}
			return in.ID, rep.ID
		}
		an := env.Login(t, "analyst@regulator.demo")
		inboxItem := func(report int64) (id int64, escalation map[string]any) {
			t.Helper()
			var out struct {
				Items []struct {
					ID         int64          `json:"id"`
					Ref        string         `json:"ref"`
					Escalation map[string]any `json:"escalation"`
				} `json:"items"`
			}
			call(t, an, "GET", "/api/v1/oversight/inbox", nil, &out)
			for _, it := range out.Items {
				if it.Ref == fmt.Sprintf("incident-report:%d", report) {
					return it.ID, it.Escalation
				}
			}
			t.Fatalf("report %d is not in the inbox", report)
			return 0, nil
		}
		inc, rep := file("调度系统数据泄露（重大）", 10_000_000)
		item, esc := inboxItem(rep)
		if esc == nil || esc["grade"] != "major" || esc["verdict"] != "pending" {
			t.Fatalf("the major report's escalation clock: %v, want major, pending", esc)
		}
		var full struct {
			SubmittedAt time.Time `json:"submitted_at"`
			Escalation  struct {
				Due time.Time `json:"due"`
			} `json:"escalation"`
		}
		call(t, an, "GET", fmt.Sprintf("/api/v1/oversight/inbox/%d", item), nil, &full)
		if got := full.Escalation.Due.Sub(full.SubmittedAt); got != 30*time.Minute {
			t.Errorf("escalation due %s after the filing, want 30m", got)
		}
		an.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		page := fmt.Sprintf("/oversight/inbox/%d", item)
		if _, p := an.Do("GET", page, nil, nil); !strings.Contains(p, `<option value="escalated">已上报国家网信部门和国务院公安部门</option>`) || !strings.Contains(p, "待上报") {
			t.Fatal("the item's page offers no escalation or shows no pending clock")
		}
		if res, _ := an.Do("POST", page+"/answer", url.Values{"action": {"escalated"}, "note": {"已电话并书面报告国家网信办、公安部网络安全保卫局"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("escalate on the page: %d", res.StatusCode)
		}
		if _, p := an.Do("GET", page, nil, nil); !strings.Contains(p, `id="escalation" data-verdict="on_time"`) || !strings.Contains(p, "30分钟内按时上报") || strings.Contains(p, `<option value="escalated">`) {
			t.Error("after escalating, the page does not read 30分钟内按时上报, or still offers escalation")
		}
		if code, _ := call(t, an, "POST", fmt.Sprintf("/api/v1/oversight/inbox/%d/answers", item), map[string]any{"action": "escalated", "note": "再次"}, nil); code != http.StatusConflict {
			t.Errorf("escalating twice: %d, want 409", code)
		}
		op.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		if _, p := op.Do("GET", fmt.Sprintf("/incidents/%d/reports/%d", inc, rep), nil, nil); !strings.Contains(p, `id="filing-state">已上报国家网信部门和国务院公安部门<`) {
			t.Error("the operator's report page does not show the escalation")
		}

		_, rep2 := file("客户信息泄露（较大）", 1_200_000)
		item2, esc2 := inboxItem(rep2)
		if esc2 != nil {
			t.Errorf("a relatively major report has an escalation clock: %v", esc2)
		}
		if _, p := an.Do("GET", fmt.Sprintf("/oversight/inbox/%d", item2), nil, nil); strings.Contains(p, `value="escalated"`) {
			t.Error("a relatively major report's page offers escalation")
		}
		if code, body := call(t, an, "POST", fmt.Sprintf("/api/v1/oversight/inbox/%d/answers", item2), map[string]any{"action": "escalated", "note": "x"}, nil); code != http.StatusBadRequest || !strings.Contains(body, `"field":"action"`) {
			t.Errorf("escalating a relatively major report: %d %s, want 400 naming action", code, body)
		}
	})
}
