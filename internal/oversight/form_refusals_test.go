package oversight_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
)

// TestRefusedOversightFormsMarked: on every oversight page with a form, a refused field
// comes back as the page (400) with that control aria-invalid and pointing at its reason
// in Chinese, the reason written here by hand; a control of another form on the page that
// shares the name is not marked.
func TestRefusedOversightFormsMarked(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	login := func(email string) *apptest.Client {
		c := env.Login(t, email)
		c.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		return c
	}
	admin, inspector, grid := login("admin@regulator.demo"), login("inspector@regulator.demo"), login("security@grid.demo")
	shop := login("security@appstore.demo") // an operator that has named no department

	var cases struct {
		Cases []struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
		} `json:"cases"`
	}
	call(t, admin, "GET", "/api/v1/oversight/cases", nil, &cases)
	caseID := int64(0)
	for _, c := range cases.Cases {
		if c.State == "open" {
			caseID = c.ID
		}
	}
	if caseID == 0 {
		t.Fatal("the demo regulator has no open penalty case")
	}

	// filing builds the filing page's multipart form with an attachment named name.
	filing := func(text, name string, extra ...string) (string, map[string]string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fields := map[string]string{"_csrf": grid.CSRF, "kind": "annual_report", "title_zh": "年度报告", "title_en": "Annual report", "text": text}
		for i := 0; i+1 < len(extra); i += 2 {
			fields[extra[i]] = extra[i+1]
		}
		for k, v := range fields {
			_ = mw.WriteField(k, v)
		}
		if name != "" {
			fw, _ := mw.CreateFormFile("attachment", name)
			_, _ = fw.Write([]byte("%PDF-1.7\n"))
		}
		mw.Close()
		return buf.String(), map[string]string{"Content-Type": mw.FormDataContentType()}
	}

	for _, tc := range []struct {
		page    string
		send    func() (*http.Response, string)
		control string // the id of the control that must be marked
		reason  string // its Chinese reason, or part of it
		notID   string // a control of another form that must not be marked
	}{
		{"page_case.html", func() (*http.Response, string) {
			return admin.Do("POST", fmt.Sprintf("/oversight/cases/%d/decision", caseID), url.Values{"decision": {"罚款五十万元"}, "published": {"yes"}}, nil)
		}, "published", "复选框", ""},
		{"page_cases.html", func() (*http.Response, string) {
			return admin.Do("POST", "/oversight/cases", url.Values{"operator_id": {"1"}, "published": {"true"}}, nil)
		}, "published", "复选框", ""},
		{"page_filings.html text", func() (*http.Response, string) {
			body, h := filing(strings.Repeat("a", 1<<20), "")
			return grid.Do("POST", "/filings", nil, h, body)
		}, "text", "不得超过 1048576 字节", ""},
		{"page_filings.html attachment", func() (*http.Response, string) {
			body, h := filing("见附件", strings.Repeat("报", 201)+".pdf")
			return grid.Do("POST", "/filings", nil, h, body)
		}, "attachment", "文件名最多 200 个字符", ""},
		{"page_filings.html detected_at", func() (*http.Response, string) {
			body, h := filing("变电站监控中断", "", "kind", "incident_report", "detected_at", "昨天上午")
			return grid.Do("POST", "/filings", nil, h, body)
		}, "detected_at", "须为日期和时间", ""},
		{"page_filings.html no department", func() (*http.Response, string) {
			body, h := filing("年度报告全文", "", "_csrf", shop.CSRF)
			return shop.Do("POST", "/filings", nil, h, body)
		}, "regulator_id", "请先设定保护工作部门", ""},
		{"page_inbox.html kind", func() (*http.Response, string) {
			return admin.Do("GET", "/oversight?kind=weekly_report", nil, nil)
		}, "f-kind", "只能是以下之一", ""},
		{"page_inbox.html state", func() (*http.Response, string) {
			return admin.Do("GET", "/oversight?state=lost", nil, nil)
		}, "f-state", "只能是以下之一", ""},
		{"page_inbox.html operator", func() (*http.Response, string) {
			return admin.Do("GET", "/oversight?operator=grid", nil, nil)
		}, "f-operator", "须为单位编号", ""},
		{"page_inspections.html", func() (*http.Response, string) {
			return inspector.Do("POST", "/oversight/inspections", url.Values{"ref": {"示检〔2026〕1号"}}, nil)
		}, "area-logs", "请至少选择一类要检查的记录", ""},
		{"page_registry.html q", func() (*http.Response, string) {
			return admin.Do("GET", "/oversight/registry?q="+strings.Repeat("电", 101), nil, nil)
		}, "f-q", "最多 100 个字符", ""},
		{"page_registry.html sector", func() (*http.Response, string) {
			return admin.Do("GET", "/oversight/registry?sector=mining", nil, nil)
		}, "f-sector", "只能是以下之一", "sector"},
		{"page_registry.html province", func() (*http.Response, string) {
			return admin.Do("GET", "/oversight/registry?province=99", nil, nil)
		}, "f-province", "省级行政区划代码", "province"},
		{"page_registry.html identified", func() (*http.Response, string) {
			return admin.Do("GET", "/oversight/registry?identified=maybe", nil, nil)
		}, "f-identified", "须为 yes", ""},
		{"page_registry.html annual", func() (*http.Response, string) {
			return admin.Do("GET", "/oversight/registry?annual=soon", nil, nil)
		}, "f-annual", "须为 due", ""},
		{"page_registry.html annual_mode", func() (*http.Response, string) {
			return admin.Do("POST", "/oversight/registry/annual-setting", url.Values{"annual_mode": {"weekly"}}, nil)
		}, "annual_mode-day", "须选择认定周年日", ""},
	} {
		t.Run(tc.page, func(t *testing.T) {
			res, body := tc.send()
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %.300s", res.StatusCode, body)
			}
			doc := htmltest.Parse(t, body)
			reason, ok := doc.Refusal(tc.control)
			if !ok || !strings.Contains(reason, tc.reason) {
				t.Errorf("#%s: refused=%v, reason %q; want aria-invalid with %q", tc.control, ok, reason, tc.reason)
			}
			if tc.notID != "" {
				if v, ok := doc.ID(tc.notID).Attr("aria-invalid"); ok {
					t.Errorf("#%s, of another form, is aria-invalid=%q", tc.notID, v)
				}
			}
		})
	}
}
