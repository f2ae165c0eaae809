package vulns_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestFormsInChinese records through the pages in Chinese: a bad identifier and a bad
// vector come back on the form with the Chinese reasons written in
// messages/reasons.zh-CN.json; a good form records the vulnerability and leads to its page,
// which lists the product's systems; the 24-hour report without its authority is refused
// naming it, then recorded; the status form closes the record. A supplier user records one
// in its own product through the free-text fields, and its page shows the MIIT clock.
func TestFormsInChinese(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		zh := map[string]string{"Accept-Language": "zh-CN"}
		sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		fw := productID(t, sm, "下一代防火墙", "6.4")
		form := url.Values{"title": {"防火墙管理口弱口令"}, "cve": {"CVE-2026-1"}, "cvss_vector": {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"},
			"product_id": {fmt.Sprint(fw)}, "national_security": {"1"}}
		res, body := sm.Do("POST", "/vulns", form, zh)
		body = html.UnescapeString(body)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "格式应如 CVE-2024-3400") || !strings.Contains(body, "不是有效的 CVSS 3.1 向量：缺少基础指标 A") {
			t.Fatalf("bad form: %d, want 400 with the Chinese reasons: %.2000s", res.StatusCode, body)
		}
		form.Set("cve", "CVE-2026-40001")
		form.Set("cvss_vector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
		res, _ = sm.Do("POST", "/vulns", form, zh)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/vulns/") {
			t.Fatalf("good form: %d to %q", res.StatusCode, loc)
		}
		_, page := sm.Do("GET", loc, nil, zh)
		if !strings.Contains(page, "调度数据网") || !strings.Contains(page, "数据中心网络") || !strings.Contains(page, "向有关主管部门报告（24小时）") {
			t.Errorf("the record's page lacks its systems or its 24-hour clock")
		}
		res, body = sm.Do("POST", loc+"/reports", url.Values{"kind": {"authority"}}, zh)
		if reason, ok := htmltest.Parse(t, body).Refusal("rp-auth"); res.StatusCode != http.StatusBadRequest || !ok || reason != "必填" {
			t.Errorf("report without its authority: %d, the authority refused=%v with %q", res.StatusCode, ok, reason)
		}
		res, _ = sm.Do("POST", loc+"/reports", url.Values{"kind": {"authority"}, "authority": {"国家能源局"}}, zh)
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("report: %d", res.StatusCode)
		}
		res, _ = sm.Do("POST", loc+"/status", url.Values{"status": {"fixed"}}, zh)
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("status: %d", res.StatusCode)
		}
		_, page = sm.Do("GET", loc, nil, zh)
		if !strings.Contains(page, `id="status">已修复`) || !strings.Contains(page, "按时完成") {
			t.Errorf("after fixing: the status or the clocks do not read 已修复 / 按时完成")
		}

		su := env.Login(t, "user@supplier.demo")
		res, _ = su.Do("POST", "/vulns", url.Values{"title": {"网关固件栈溢出"}, "severity": {"high"}, "product_name": {"安全网关"}, "product_model": {"SG-100"},
			"product_version": {"3.2"}}, zh)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("supplier's form: %d", res.StatusCode)
		}
		_, page = su.Do("GET", res.Header.Get("Location"), nil, zh)
		if !strings.Contains(page, "向工业和信息化部共享平台报送（2日）") || !strings.Contains(page, "安全网关") {
			t.Errorf("the supplier's record lacks its MIIT clock or its product")
		}
	})
}
