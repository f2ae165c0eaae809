package vulns_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
)

// TestRefusedVulnFormsMarked posts bad values to each form of the vulnerabilities list and
// of a vulnerability's page, in Chinese, and checks what a screen reader is told: each
// refused control is aria-invalid and points at its reason, written by hand below from
// messages/reasons.zh-CN.json; the controls of the page's other forms are not marked; what
// was typed is kept.
func TestRefusedVulnFormsMarked(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	su := env.Login(t, "user@supplier.demo")
	for _, c := range []*apptest.Client{sm, su} {
		if res, _ := c.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch to Chinese: %d", res.StatusCode)
		}
	}
	// A vulnerability endangering national security, so that its page offers the report
	// form; and one of the supplier's, so that its page offers the share form.
	var x, adv struct{ ID int64 }
	code, body := call(t, sm, "POST", "/api/v1/vulns", map[string]any{"title": "测试漏洞", "severity": "high", "national_security": true,
		"products": []map[string]any{{"name": "测试网关", "version": "1.0"}}}, &x)
	must(t, "create", code, http.StatusCreated, body)
	code, body = call(t, su, "POST", "/api/v1/vulns", map[string]any{"title": "网关固件栈溢出", "severity": "high",
		"products": []map[string]any{{"name": "安全网关", "version": "3.2"}}}, &adv)
	must(t, "create the supplier's", code, http.StatusCreated, body)
	vp, ap := fmt.Sprintf("/vulns/%d", x.ID), fmt.Sprintf("/vulns/%d", adv.ID)

	for _, c := range []struct {
		name string
		who  *apptest.Client
		path string
		form url.Values
		// refused: control id → part of the Chinese reason; notMarked: controls of the
		// page's other forms; kept: control id → what was typed (or "checked").
		refused   map[string]string
		notMarked []string
		kept      map[string]string
	}{
		{"record", sm, "/vulns", url.Values{"title": {""}, "cve": {"CVE-1"}, "cnvd": {"CNVD-2026-00001"}, "severity": {""}, "discovered_at": {"昨天"}, "national_security": {"1"}},
			map[string]string{"c-title": "必填", "c-cve": "格式应如 CVE-2024-3400", "c-sev": "没有 CVSS 向量时必填", "c-found": "须为日期时间", "c-product": "至少列出一个受影响的产品"},
			[]string{"c-cnvd", "c-ns", "p-critical", "im-format"}, map[string]string{"c-cnvd": "CNVD-2026-00001", "c-found": "昨天", "c-ns": "checked"}},
		{"record a product in words", su, "/vulns", url.Values{"title": {"固件漏洞"}, "severity": {"high"}, "product_name": {""}, "product_model": {"SG-100"}},
			map[string]string{"c-pname": "至少列出一个受影响的产品"}, []string{"c-pmodel", "c-title"}, map[string]string{"c-pmodel": "SG-100", "c-title": "固件漏洞"}},
		{"policy", sm, "/vulns/policy", url.Values{"critical_days": {"0"}, "high_days": {"30"}, "medium_days": {"90"}, "low_days": {"180"}},
			map[string]string{"p-critical": "须为 1 到 3650 天"}, []string{"p-high", "c-title", "im-file"}, map[string]string{"p-critical": "0", "p-high": "30"}},
		{"import without a file", sm, "/vulns/imports", url.Values{"format": {"csv"}},
			map[string]string{"im-file": "必填：请选择 CSV 文件或 CSAF 安全公告"}, []string{"im-format", "c-title", "p-critical"}, nil},
		{"status", sm, vp + "/status", url.Values{"status": {"gone"}, "note": {"已由厂商确认"}},
			map[string]string{"st": "须为 open、mitigating、fixed、not_affected、accepted 之一"}, []string{"st-note", "rp-at", "ex-to"}, map[string]string{"st-note": "已由厂商确认"}},
		{"report", sm, vp + "/reports", url.Values{"kind": {"authority"}, "reported_at": {"明天上午"}, "reference": {"报-1"}, "authority": {""}},
			map[string]string{"rp-at": "须为日期时间", "rp-auth": "必填"}, []string{"rp-ref", "st", "ex-to"}, map[string]string{"rp-ref": "报-1", "rp-at": "明天上午"}},
		{"export", sm, vp + "/export", url.Values{"recipient": {""}, "recipient_country": {"中国"}, "to_provider": {"1"}},
			map[string]string{"ex-to": "必填", "ex-country": "须为两位 ISO 3166-1 国家或地区代码"}, []string{"ex-provider", "st", "rp-auth"}, map[string]string{"ex-country": "中国", "ex-provider": "checked"}},
		{"share", su, ap + "/shares", url.Values{"operator_id": {"某运营者"}},
			map[string]string{"share-op": "不是将本单位登记为其供应商的运营者"}, []string{"st", "ex-to"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, page := c.who.Do("POST", c.path, c.form, nil)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("%d, want 400", res.StatusCode)
			}
			doc := htmltest.Parse(t, page)
			for id, want := range c.refused {
				if reason, ok := doc.Refusal(id); !ok || !strings.Contains(reason, want) {
					t.Errorf("%s: refused=%v, reason %q, want one saying %q", id, ok, reason, want)
				}
			}
			for _, id := range c.notMarked {
				if !doc.ID(id).Found() {
					t.Errorf("%s: not on the page", id)
				} else if v, ok := doc.ID(id).Attr("aria-invalid"); ok {
					t.Errorf("%s, not refused, is aria-invalid=%q", id, v)
				}
			}
			for id, want := range c.kept {
				n := doc.ID(id)
				got, _ := n.Attr("value")
				if _, on := n.Attr("checked"); on && want == "checked" {
					got = "checked"
				} else if n.Found() && got == "" {
					got = n.Text() // a textarea
				}
				if got != want {
					t.Errorf("%s: %q after the refusal, want the %q typed", id, got, want)
				}
			}
		})
	}
}
