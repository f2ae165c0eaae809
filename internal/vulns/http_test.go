package vulns_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestVulnAPI runs the record through the API on both engines, against hand-written
// expectations: the demo register's 下一代防火墙 6.4 is used on 调度数据网 and 数据中心网络
// (the suppliers demo table), so a vulnerability in it reaches those two systems; the CVSS
// 3.1 vector AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H scores 9.8, critical, and the default
// policy gives it 7 days; bad input is refused naming each field; an undisclosed record is
// refused to a party abroad with the citation of PVP Art. 9 (409) and handed to a party in
// China and to the foreign provider of the affected product; the MIIT report is refused for
// an operator's vulnerability in a bought product; the other operator, with the same roles,
// gets 404 for every record and the auditor 403 for writes.
func TestVulnAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		fw := productID(t, sm, "下一代防火墙", "6.4")
		plc := productID(t, sm, "可编程逻辑控制器", "S7-1500")

		bad := []struct {
			body   string
			fields map[string]string
		}{
			{`{"title":"","cve":"CVE-24-1","products":[]}`, map[string]string{"title": "is required", "cve": "must look like CVE-2024-3400", "products": "name at least one affected product",
				"severity": "is required without a CVSS vector"}},
			{fmt.Sprintf(`{"title":"x","cnvd":"CNVD-2021-1","cnnvd":"CNNVD-202113-1","cvss_vector":"CVSS:3.1/AV:N","products":[{"product_id":%d},{"product_id":999999}]}`, fw),
				map[string]string{"cnvd": "CNVD-2024-12345", "cnnvd": "month 13", "cvss_vector": "base metric AC is missing", "products[1].product_id": "not a product of your register"}},
			{fmt.Sprintf(`{"title":"x","severity":"low","cvss_vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","discovered_at":"2999-01-01","products":[{"product_id":%d}]}`, fw),
				map[string]string{"severity": "does not agree with the CVSS vector, which scores 9.8", "discovered_at": "is in the future"}},
		}
		for _, c := range bad {
			code, body := call(t, sm, "POST", "/api/v1/vulns", c.body, nil)
			if code != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400: %s", c.body, code, body)
				continue
			}
			got := fields(t, body)
			for f, want := range c.fields {
				if !contains(got[f], want) {
					t.Errorf("%s: field %s: %q, want %q (all %v)", c.body, f, got[f], want, got)
				}
			}
		}
		var none struct{ Vulnerabilities []vuln }
		code, body := call(t, sm, "GET", "/api/v1/vulns", nil, &none)
		must(t, "list", code, http.StatusOK, body)
		before := len(none.Vulnerabilities)

		var v vuln
		code, body = call(t, sm, "POST", "/api/v1/vulns", map[string]any{"title": "防火墙管理界面远程命令执行", "cve": "cve-2024-3400 ", "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			"discovered_at": "2026-11-20T09:00", "products": []map[string]any{{"product_id": fw}}}, &v)
		must(t, "create", code, http.StatusCreated, body)
		if v.CVE != "CVE-2024-3400" || v.Score != 9.8 || v.Severity != "critical" || v.CVSSVersion != "3.1" || v.Provider {
			t.Errorf("created %+v", v)
		}
		if got, want := v.systemNames(), []string{"数据中心网络", "调度数据网"}; !slices.Equal(got, want) {
			t.Errorf("affected systems %v, want %v", got, want)
		}
		due := time.Date(2026, 11, 27, 9, 0, 0, 0, calendar.Shanghai)
		if st, at := v.clock("fix"); at == "" || !mustTime(t, at).Equal(due) || st == "" {
			t.Errorf("fix clock %s %s, want due %v", st, at, due)
		}
		if st, _ := v.clock("miit_report"); st != "" {
			t.Errorf("an operator's vulnerability in a bought product has a MIIT clock (%s)", st)
		}
		var all struct{ Vulnerabilities []vuln }
		call(t, sm, "GET", "/api/v1/vulns", nil, &all)
		if len(all.Vulnerabilities) != before+1 {
			t.Errorf("%d vulnerabilities after one more, had %d", len(all.Vulnerabilities), before)
		}

		// the policy moves the deadline: critical 3 days
		code, body = call(t, sm, "PUT", "/api/v1/vulns/policy", `{"critical_days":3,"high_days":2,"medium_days":90,"low_days":180}`, nil)
		must(t, "bad policy", code, http.StatusBadRequest, body)
		if f := fields(t, body); !contains(f["critical_days"], "longer than high_days") {
			t.Errorf("policy refusal %v", f)
		}
		code, body = call(t, sm, "PUT", "/api/v1/vulns/policy", `{"critical_days":3,"high_days":20,"medium_days":90,"low_days":180}`, nil)
		must(t, "policy", code, http.StatusOK, body)
		var again vuln
		call(t, sm, "GET", fmt.Sprintf("/api/v1/vulns/%d", v.ID), nil, &again)
		if _, at := again.clock("fix"); !mustTime(t, at).Equal(time.Date(2026, 11, 23, 9, 0, 0, 0, calendar.Shanghai)) {
			t.Errorf("fix due after the policy: %s", at)
		}

		// export: refused abroad with the citation, given in China
		path := fmt.Sprintf("/api/v1/vulns/%d/export", v.ID)
		code, body = call(t, sm, "POST", path, `{"recipient":"Example Security LLC","recipient_country":"US"}`, nil)
		must(t, "export abroad", code, http.StatusConflict, body)
		if f := fields(t, body)["recipient_country"]; !contains(f, "not publicly disclosed") || !contains(f, "Network Products 2021, Art. 9") {
			t.Errorf("refusal reason %q", f)
		}
		code, body = call(t, sm, "POST", path, `{"recipient":"京华信息安全技术有限公司","recipient_country":"CN"}`, nil)
		must(t, "export in China", code, http.StatusOK, body)
		code, body = call(t, sm, "POST", path, `{"recipient":"Example Security LLC","recipient_country":"US","to_provider":true}`, nil)
		must(t, "a provider that is not the supplier", code, http.StatusBadRequest, body)
		code, body = call(t, sm, "POST", path, `{"recipient":"x","recipient_country":"usa"}`, nil)
		must(t, "bad country", code, http.StatusBadRequest, body)

		// the PLC's foreign supplier may receive an undisclosed vulnerability in its product
		var pv vuln
		code, body = call(t, sm, "POST", "/api/v1/vulns", map[string]any{"title": "PLC 固件认证绕过", "severity": "high", "national_security": true,
			"products": []map[string]any{{"product_id": plc}}}, &pv)
		must(t, "create PLC", code, http.StatusCreated, body)
		ppath := fmt.Sprintf("/api/v1/vulns/%d/export", pv.ID)
		code, body = call(t, sm, "POST", ppath, `{"recipient":"莱茵工业控制有限公司","recipient_country":"DE","to_provider":true}`, nil)
		must(t, "export to the provider", code, http.StatusOK, body)
		code, body = call(t, sm, "POST", ppath, `{"recipient":"莱茵工业控制有限公司","recipient_country":"DE"}`, nil)
		must(t, "export abroad without saying it is the provider", code, http.StatusConflict, body)

		// reports: MIIT refused for a bought product; the 24-hour report runs and is recorded
		code, body = call(t, sm, "POST", fmt.Sprintf("/api/v1/vulns/%d/reports", pv.ID), `{"kind":"miit"}`, nil)
		must(t, "MIIT report of a bought product", code, http.StatusConflict, body)
		if st, _ := pv.clock("authority_report"); st != "running" {
			t.Errorf("24-hour clock %q, want running", st)
		}
		code, body = call(t, sm, "POST", fmt.Sprintf("/api/v1/vulns/%d/reports", pv.ID), `{"kind":"authority"}`, nil)
		must(t, "authority report without the authority", code, http.StatusBadRequest, body)
		var rep vuln
		code, body = call(t, sm, "POST", fmt.Sprintf("/api/v1/vulns/%d/reports", pv.ID), `{"kind":"authority","authority":"国家能源局","reference":"NEA-2026-118"}`, &rep)
		must(t, "authority report", code, http.StatusOK, body)
		if st, _ := rep.clock("authority_report"); st != "met" {
			t.Errorf("24-hour clock after the report %q, want met", st)
		}

		// status
		code, body = call(t, sm, "POST", fmt.Sprintf("/api/v1/vulns/%d/status", v.ID), `{"status":"accepted"}`, nil)
		must(t, "accept without a note", code, http.StatusBadRequest, body)
		var fixed vuln
		code, body = call(t, sm, "POST", fmt.Sprintf("/api/v1/vulns/%d/status", v.ID), `{"status":"fixed"}`, &fixed)
		must(t, "fixed", code, http.StatusOK, body)
		if st, _ := fixed.clock("fix"); st != "late" {
			t.Errorf("fix clock of a vulnerability fixed after its deadline %q, want late", st)
		}

		// the other operator: 404 everywhere; the auditor: 403 for writes
		water := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		for _, r := range []struct{ method, path, body string }{
			{"GET", fmt.Sprintf("/api/v1/vulns/%d", v.ID), ""},
			{"POST", fmt.Sprintf("/api/v1/vulns/%d/status", v.ID), `{"status":"open"}`},
			{"POST", fmt.Sprintf("/api/v1/vulns/%d/reports", pv.ID), `{"kind":"authority","authority":"x"}`},
			{"POST", path, `{"recipient":"x","recipient_country":"CN"}`},
			{"GET", fmt.Sprintf("/vulns/%d", v.ID), ""},
		} {
			var b any
			if r.body != "" {
				b = r.body
			}
			if code, body := call(t, water, r.method, r.path, b, nil); code != http.StatusNotFound {
				t.Errorf("other operator %s %s: %d, want 404: %s", r.method, r.path, code, body)
			}
		}
		code, body = call(t, water, "POST", "/api/v1/vulns", map[string]any{"title": "x", "severity": "low", "products": []map[string]any{{"product_id": fw}}}, nil)
		if f := fields(t, body)["products[0].product_id"]; code != http.StatusBadRequest || !contains(f, "not a product of your register") {
			t.Errorf("other operator naming our product: %d %s", code, body)
		}
		aud := env.Login(t, "auditor@grid.demo")
		code, body = call(t, aud, "POST", fmt.Sprintf("/api/v1/vulns/%d/status", v.ID), `{"status":"open"}`, nil)
		must(t, "auditor write", code, http.StatusForbidden, body)
		code, body = call(t, aud, "GET", fmt.Sprintf("/api/v1/vulns/%d", v.ID), nil, nil)
		must(t, "auditor read", code, http.StatusOK, body)
	})
}

// TestSupplierVulnClock: a supplier organisation's vulnerability is in its own product, so
// the two-day report to MIIT's platform runs (PVP 2021 Art. 7), due two days after
// discovery in Beijing time; the report is refused naming each item of Art. 7's content
// that is missing, and recorded once they are there.
func TestSupplierVulnClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		su := env.Login(t, "user@supplier.demo")
		var v vuln
		code, body := call(t, su, "POST", "/api/v1/vulns", map[string]any{"title": "交换机 SNMP 缓冲区溢出", "cvss_vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
			"discovered_at": "2026-12-01T10:15", "products": []map[string]any{{"name": "汇聚交换机", "model": "S7700"}}}, &v)
		must(t, "create", code, http.StatusCreated, body)
		if !v.Provider || v.Severity != "critical" || v.Score != 9.3 {
			t.Errorf("supplier's vulnerability %+v", v)
		}
		_, due := v.clock("miit_report")
		if due == "" || !mustTime(t, due).Equal(time.Date(2026, 12, 3, 10, 15, 0, 0, calendar.Shanghai)) {
			t.Errorf("MIIT due %q, want 2026-12-03 10:15 Beijing", due)
		}
		code, body = call(t, su, "POST", fmt.Sprintf("/api/v1/vulns/%d/reports", v.ID), `{"kind":"miit"}`, nil)
		must(t, "incomplete report", code, http.StatusBadRequest, body)
		f := fields(t, body)
		for _, k := range []string{"products[0].version", "nature", "harm", "scope"} {
			if !contains(f[k], "PVP 2021 Art. 7") {
				t.Errorf("missing %s not named: %v", k, f)
			}
		}
		code, body = call(t, su, "POST", "/api/v1/vulns", map[string]any{"title": "交换机 SNMP 缓冲区溢出", "severity": "high", "nature": "缓冲区溢出", "harm": "远程执行代码",
			"scope": "S7700 全系列", "products": []map[string]any{{"name": "汇聚交换机", "model": "S7700", "version": "V200R010"}}}, &v)
		must(t, "create complete", code, http.StatusCreated, body)
		var r vuln
		code, body = call(t, su, "POST", fmt.Sprintf("/api/v1/vulns/%d/reports", v.ID), `{"kind":"miit","reference":"NVDB-2026-0001"}`, &r)
		must(t, "report", code, http.StatusOK, body)
		if st, _ := r.clock("miit_report"); st != "met" {
			t.Errorf("MIIT clock after the report %q", st)
		}
		code, body = call(t, su, "POST", fmt.Sprintf("/api/v1/vulns/%d/reports", v.ID), `{"kind":"miit"}`, nil)
		must(t, "second report", code, http.StatusConflict, body)
		sm := env.Login(t, "security@grid.demo")
		code, body = call(t, sm, "GET", fmt.Sprintf("/api/v1/vulns/%d", v.ID), nil, nil)
		must(t, "operator reads the supplier's record", code, http.StatusNotFound, body)
	})
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return tm
}
