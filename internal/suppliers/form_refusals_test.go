package suppliers_test

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

// TestRefusedSupplierFormsMarked posts one bad value (or a few) to each form of the
// suppliers list, a supplier's page and a product's page, in Chinese, and checks what a
// screen reader is told: each refused control is aria-invalid and points at its reason, as
// written by hand below from the reasons' Chinese catalogue; the controls of the page's
// other forms, some with the same field names, are not marked; what was typed is kept.
func TestRefusedSupplierFormsMarked(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	h := jsonHdr(sm.CSRF)
	if res, _ := sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch to Chinese: %d", res.StatusCode)
	}

	// A foreign supplier with a donated network device in use: the product page then
	// shows both the certificate and the pre-use assessment forms.
	var sup struct{ ID int64 }
	res, body := sm.Do("POST", "/api/v1/suppliers", nil, h, `{"name":"莱茵测试设备有限公司","country":"DE","foreign_registration":"HRB 7"}`)
	decode(t, res, body, 201, &sup)
	sys := systemOf(t, sm, "identified")
	var prod apiProduct
	res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/products", sup.ID), nil, h, fmt.Sprintf(`{"name":"受赠交换机","type":"critical_network_equipment","donated":true,"systems":[%d]}`, sys))
	decode(t, res, body, 201, &prod)
	var mt struct{ ID int64 }
	res, body = sm.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/maintenance", sup.ID), nil, h, fmt.Sprintf(`{"system_id":%d,"from_country":"DE","starts_on":"%s"}`, sys, chinaDate(-5)))
	decode(t, res, body, 201, &mt)

	s := fmt.Sprintf("/suppliers/%d", sup.ID)
	p := fmt.Sprintf("%s/products/%d", s, prod.ID)
	for _, c := range []struct {
		name, path string
		form       url.Values
		refused    map[string]string // control id: part of the Chinese reason
		notMarked  []string          // controls of the page's other forms
		kept       map[string]string // control id: the value typed
	}{
		{"import without a file", "/suppliers/import", url.Values{}, map[string]string{"file": "必填：请选择 CSV 文件"}, nil, nil},
		{"new supplier", "/suppliers", url.Values{"name": {""}, "country": {"CN"}, "uscc": {"123"}},
			map[string]string{"name": "必填", "uscc": "应为18位"}, []string{"country"}, nil},
		{"edit", s, url.Values{"name": {"莱茵测试设备有限公司"}, "country": {"DE"}, "uscc": {"91110108MA01ABCD5T"}, "foreign_registration": {"HRB 7"}},
			map[string]string{"uscc": "仅适用于境内注册的供应商"}, []string{"name", "p-name", "sub-name"}, map[string]string{"uscc": "91110108MA01ABCD5T"}},
		{"platform link", s + "/platform-org", url.Values{"org_id": {"甲"}},
			map[string]string{"platform-org-id": "不是本平台上的供应商机构"}, nil, nil},
		{"product", s + "/products", url.Values{"name": {""}, "version": {"V1"}, "type": {"software"}, "systems": {"999999"}},
			map[string]string{"p-name": "必填", "p-systems": "不是本单位系统清单中的系统"}, []string{"name", "sub-name", "p-version"}, map[string]string{"p-version": "V1"}},
		{"agreement", s + "/agreements", url.Values{"title": {"保密协议"}, "signed_on": {chinaDate(0)}, "duties": {"bribery"}, "evidence_sha256": {"abc"}},
			map[string]string{"a-duties": "不是可约定的义务", "a-evidence": "不是SHA-256"}, []string{"a-title", "r-evidence", "m-starts"}, map[string]string{"a-evidence": "abc"}},
		{"review", s + "/reviews", url.Values{"reviewed_on": {chinaDate(1)}, "result": {"issues"}, "notes": {""}},
			map[string]string{"r-on": "晚于", "r-notes": "必填"}, []string{"r-evidence", "a-evidence"}, nil},
		{"maintenance", s + "/maintenance", url.Values{"system_id": {fmt.Sprint(sys)}, "from_country": {"CN"}, "description": {"远程诊断"}, "starts_on": {"2026-13-01"}},
			map[string]string{"m-country": "是中国境内", "m-starts": "不是日期"}, []string{"m-system", fmt.Sprintf("report-on-%d", mt.ID)}, map[string]string{"m-desc": "远程诊断"}},
		{"maintenance report", fmt.Sprintf("%s/maintenance/%d/report", s, mt.ID), url.Values{"reported_on": {"昨天"}, "evidence_sha256": {""}},
			map[string]string{fmt.Sprintf("report-on-%d", mt.ID): "不是日期", fmt.Sprintf("report-evidence-%d", mt.ID): "必填：报告或其回执"}, []string{"m-starts", "a-evidence", "r-evidence"}, nil},
		{"maintenance data", fmt.Sprintf("%s/maintenance/%d/data", s, mt.ID), url.Values{"data_access": {"core", "bogus"}, "transfer_id": {"999999"}},
			map[string]string{fmt.Sprintf("data-access-%d", mt.ID): "不是个人信息或重要数据的类别", fmt.Sprintf("data-transfer-%d", mt.ID): "不是本单位的数据出境活动"},
			[]string{"m-transfer", "m-data-access", fmt.Sprintf("report-on-%d", mt.ID)}, nil},
		{"maintenance with data access", s + "/maintenance", url.Values{"system_id": {fmt.Sprint(sys)}, "from_country": {"DE"}, "starts_on": {chinaDate(0)}, "transfer_id": {"999999"}},
			map[string]string{"m-transfer": "数据出境活动"}, []string{fmt.Sprintf("data-transfer-%d", mt.ID)}, nil},
		{"certificate", p + "/certificate", url.Values{"number": {"CCC-1"}, "body": {"认证机构"}, "expires": {"明年"}},
			map[string]string{"expires": "不是日期"}, []string{"as-on", "as-evidence"}, map[string]string{"number": "CCC-1"}},
		{"assessment", p + "/assessments", url.Values{"assessed_on": {chinaDate(2)}, "result": {"passed"}, "findings": {"未见高危问题"}, "evidence_sha256": {"abc"}},
			map[string]string{"as-on": "晚于", "as-evidence": "不是SHA-256"}, []string{"expires", "number"}, map[string]string{"as-evidence": "abc", "as-findings": "未见高危问题"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, page := sm.Do("POST", c.path, c.form, nil)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("%d, want 400", res.StatusCode)
			}
			doc := htmltest.Parse(t, page)
			for id, want := range c.refused {
				if reason, ok := refusal(doc, id); !ok || !strings.Contains(reason, want) {
					t.Errorf("%s: refused=%v, reason %q, want one saying %q", id, ok, reason, want)
				}
			}
			for _, id := range c.notMarked {
				if !doc.ID(id).Found() {
					t.Errorf("%s: not on the page", id)
				} else if v, ok := doc.ID(id).Attr("aria-invalid"); ok {
					t.Errorf("%s, of a form not sent, is aria-invalid=%q", id, v)
				}
			}
			for id, want := range c.kept {
				n := doc.ID(id)
				got, _ := n.Attr("value")
				if n.Found() && got == "" {
					got = n.Text() // a textarea
				}
				if got != want {
					t.Errorf("%s: %q after the refusal, want the %q typed", id, got, want)
				}
			}
		})
	}
}

// refusal is htmltest's Refusal for one control, and for a fieldset of checkboxes the
// refusal every box of it announces (ok only when all of them are marked alike).
func refusal(doc htmltest.Doc, id string) (string, bool) {
	boxes := doc.ID(id).All("input", nil)
	if len(boxes) == 0 {
		return doc.Refusal(id)
	}
	reason := ""
	for i, b := range boxes {
		inv, _ := b.Attr("aria-invalid")
		by, _ := b.Attr("aria-describedby")
		r := doc.ID(by).Text()
		if inv != "true" || by == "" || (i > 0 && r != reason) {
			return "", false
		}
		reason = r
	}
	return reason, true
}
