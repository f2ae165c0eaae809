package review_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// registerRouter records, in the client's product register under its first supplier, a core
// router in the catalogue's router range (16 Tbps ≥ 12 Tbps, 2023 catalogue) used on system,
// and returns its id.
func registerRouter(t *testing.T, c *apptest.Client, name string, system int64) int64 {
	t.Helper()
	_, body := c.Do("GET", "/api/v1/suppliers?limit=1", nil, nil)
	var list struct {
		Suppliers []struct {
			ID int64 `json:"id"`
		} `json:"suppliers"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Suppliers) == 0 {
		t.Fatalf("suppliers: %v %s", err, body)
	}
	res, body := c.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/products", list.Suppliers[0].ID), nil, jsonHdr(c.CSRF),
		fmt.Sprintf(`{"name":%q,"version":"V8","type":"critical_network_equipment","systems":[%d],"catalogue_category":"router","catalogue_specs":{"throughput_tbps":16,"routing_table_entries":1000000}}`, name, system))
	var p struct {
		ID        int64 `json:"id"`
		NeedsCert bool  `json:"needs_certificate"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil || res.StatusCode != http.StatusCreated || !p.NeedsCert {
		t.Fatalf("register the router: %d %s", res.StatusCode, body)
	}
	return p.ID
}

// TestCertificateGate (both engines): a purchase of a registered core router in the
// catalogue's router range with no certificate, for a system that is not CII and with no
// risk found (so no review is required): under the default policy (block, for an
// organisation that never set one) approval is refused with 409 on "approval" naming the
// catalogue's entry, CSL 2016 Art. 23 / 2025 Art. 25 and that the refusal is the
// organisation's policy derived from the seller's duty — in English through the API and in
// Chinese on the page ("应当经具备资格的机构安全认证合格或者安全检测符合要求后，方可销售或者提
// 供" is the seller's duty of CSL 2016 Art. 23). The security manager may not change the
// policy (403); the administrator must give a reason and a known setting (400 naming
// certificate_gate and reason); set to warn, with a reason, the change is audited, the
// purchase's answer says it warns and approval succeeds. The other operator's policy is its
// own (still block). A second router with the operator's own valid certificate is approved
// under block.
func TestCertificateGate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		admin := env.Login(t, "admin@grid.demo")
		water := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		h := jsonHdr(sm.CSRF)
		cii, plain := systemIDs(t, sm)

		policy := func(c *apptest.Client) string {
			t.Helper()
			res, body := c.Do("GET", "/api/v1/review/policy", nil, nil)
			var p struct {
				Gate string `json:"certificate_gate"`
			}
			if err := json.Unmarshal([]byte(body), &p); err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("policy: %d %s", res.StatusCode, body)
			}
			return p.Gate
		}
		if got := policy(sm); got != "block" {
			t.Errorf("an organisation that never set the policy has %q, want block", got)
		}

		router := registerRouter(t, sm, "NE8000-X8", cii)
		res, body := sm.Do("POST", "/api/v1/review/procurements", nil, h, fmt.Sprintf(`{"title":"办公网汇聚路由器","product_id":%d,"systems":[%d],"amount_rmb":100000,"assessment":{}}`, router, plain))
		var p struct {
			apiProcurement
			CertBlocks bool `json:"certificate_blocks"`
			CertWarns  bool `json:"certificate_warns"`
		}
		if err := json.Unmarshal([]byte(body), &p); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		if p.Required || p.Approvable || !p.CertBlocks || p.CertWarns {
			t.Errorf("the uncertified router's purchase: required=%v approvable=%v blocks=%v warns=%v, want false false true false", p.Required, p.Approvable, p.CertBlocks, p.CertWarns)
		}
		approve := fmt.Sprintf("/api/v1/review/procurements/%d/approve", p.ID)
		res, body = sm.Do("POST", approve, nil, h, `{}`)
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("approval of the uncertified router: %d %s, want 409", res.StatusCode, body)
		}
		var pr apiProblem
		if err := json.Unmarshal([]byte(body), &pr); err != nil || len(pr.Errors) != 1 || pr.Errors[0].Field != "approval" {
			t.Fatalf("the refusal does not name approval: %s", body)
		}
		for _, want := range []string{"security certificate or test certificate", "as Router of the catalogue", "CSL 2016 Art. 23, 2025 Art. 25", "this organisation's policy derived from the seller's duty"} {
			if !strings.Contains(pr.Errors[0].Reason, want) {
				t.Errorf("the API's refusal lacks %q: %s", want, pr.Errors[0].Reason)
			}
		}

		sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		res, page := sm.Do("POST", fmt.Sprintf("/review/procurements/%d/approve", p.ID), url.Values{}, nil)
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("the page's approval: %d, want 409", res.StatusCode)
		}
		refusal := htmltest.Parse(t, page).ID("refusal").Text()
		for _, want := range []string{"不予批准", "“路由器”", "方可销售或者提供", "《网络安全法》（2016）第23条、（2025）第25条", "由销售方的这一义务推出的策略"} {
			if !strings.Contains(refusal, want) {
				t.Errorf("the page's refusal lacks %q: %q", want, refusal)
			}
		}

		put := func(c *apptest.Client, body string) (*http.Response, string) {
			return c.Do("PUT", "/api/v1/review/policy", nil, jsonHdr(c.CSRF), body)
		}
		if res, body := put(sm, `{"certificate_gate":"warn","reason":"试点"}`); res.StatusCode != http.StatusForbidden {
			t.Errorf("the security manager changed the policy: %d %s", res.StatusCode, body)
		}
		res, body = put(admin, `{"certificate_gate":"allow","reason":"  "}`)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"certificate_gate"`) || !strings.Contains(body, `"reason"`) {
			t.Errorf("a bad policy: %d %s, want 400 naming certificate_gate and reason", res.StatusCode, body)
		}
		if got := policy(sm); got != "block" {
			t.Errorf("after the refused changes the policy is %q", got)
		}
		if res, body := put(admin, `{"certificate_gate":"warn","reason":"证书换发期间临时放行，见会议纪要"}`); res.StatusCode != http.StatusOK {
			t.Fatalf("the administrator's change: %d %s", res.StatusCode, body)
		}
		if got := policy(water); got != "block" {
			t.Errorf("the other operator's policy became %q", got)
		}
		_, audit := admin.Do("GET", "/api/v1/audit?entity=review_policy", nil, nil)
		if !strings.Contains(audit, "set_policy") || !strings.Contains(audit, "证书换发期间临时放行") {
			t.Errorf("the change is not audited with its reason: %.600s", audit)
		}
		_, body = sm.Do("GET", fmt.Sprintf("/api/v1/review/procurements/%d", p.ID), nil, nil)
		if err := json.Unmarshal([]byte(body), &p); err != nil || !p.Approvable || p.CertBlocks || !p.CertWarns {
			t.Errorf("under warn: approvable=%v blocks=%v warns=%v, want true false true: %s", p.Approvable, p.CertBlocks, p.CertWarns, body)
		}
		if res, body := sm.Do("POST", approve, nil, h, `{}`); res.StatusCode != http.StatusOK {
			t.Errorf("approval under warn: %d %s", res.StatusCode, body)
		}

		if res, body := put(admin, `{"certificate_gate":"block","reason":"证书已换发"}`); res.StatusCode != http.StatusOK {
			t.Fatalf("back to block: %d %s", res.StatusCode, body)
		}
		certified := registerRouter(t, sm, "NE8000-X16", cii)
		if res, body := sm.Do("PUT", fmt.Sprintf("/api/v1/products/%d/certificate", certified), nil, h,
			fmt.Sprintf(`{"number":"CCRC-2026-0001","body":"中国网络安全审查认证和市场监管大数据中心","expires":%q}`, chinaDay(365))); res.StatusCode != http.StatusOK {
			t.Fatalf("certificate: %d %s", res.StatusCode, body)
		}
		_, body = sm.Do("POST", "/api/v1/review/procurements", nil, h, fmt.Sprintf(`{"title":"汇聚路由器（已认证）","product_id":%d,"systems":[%d],"amount_rmb":100000,"assessment":{}}`, certified, plain))
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
		if res, body := sm.Do("POST", fmt.Sprintf("/api/v1/review/procurements/%d/approve", p.ID), nil, h, `{}`); res.StatusCode != http.StatusOK {
			t.Errorf("the certified router under block: %d %s", res.StatusCode, body)
		}
	})
}

// chinaDay is the China-time calendar day d days from today, YYYY-MM-DD.
func chinaDay(d int) string {
	return time.Now().In(calendar.Shanghai).AddDate(0, 0, d).Format(time.DateOnly)
}
