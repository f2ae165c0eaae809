package obligations_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// zh switches a signed-in client's pages to Chinese.
func zh(t *testing.T, c *apptest.Client) {
	t.Helper()
	if res, _ := c.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}, "next": {"/"}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch to Chinese: %d", res.StatusCode)
	}
}

// createSystem adds a system through the API and returns its id.
func createSystem(t *testing.T, c *apptest.Client, body string) int64 {
	t.Helper()
	res, out := c.Do("POST", "/api/v1/scope/systems", nil, map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}, body)
	var s struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("create system: %d %v %s", res.StatusCode, err, out)
	}
	return s.ID
}

// TestSystemPage reads a system's page as a cybersecurity manager would, in Chinese: its
// findings (status, duty, due date, fine), its MLPS and CII history, and the attestation
// with its evidence, named and linked; another organisation's user gets a 404.
func TestSystemPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		zh(t, c)
		// Graded 60 days ago (Beijing time) and never filed: MLPS 2007 Art. 15 gives 30 days
		// from grading to file, so the filing is overdue since graded + 30 days.
		bj := time.FixedZone("CST", 8*3600)
		graded := time.Now().In(bj).AddDate(0, 0, -60)
		wantDue := graded.AddDate(0, 0, 30).Format("2006-01-02")
		id := createSystem(t, c, fmt.Sprintf(`{"name":"阿里测试系统","owner":"信息部","responsible_person":"王五","sector":"energy","mlps_level":3,"graded_on":%q,"go_live":%q,"cii_status":"none"}`,
			graded.Format("2006-01-02"), graded.Format("2006-01-02")))
		path := fmt.Sprintf("/scope/systems/%d", id)
		// A regrading and an identification notice make two history entries.
		h := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}
		if res, body := c.Do("PATCH", "/api/v1/scope/systems/"+fmt.Sprint(id), nil, h, `{"mlps_level":2}`); res.StatusCode != 200 {
			t.Fatalf("regrade: %d %s", res.StatusCode, body)
		}
		notice := time.Now().In(bj).AddDate(0, 0, -3).Format("2006-01-02")
		if res, body := c.Do("POST", path+"/identify", url.Values{"on": {notice}, "doc": {"能源认〔2026〕7号"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("identify: %d %s", res.StatusCode, body)
		}
		// An attestation for this system with an evidence file (once the system's findings
		// exist: one attests a duty the system is subject to).
		waitEvaluated(t, c)
		f := upload(t, c, "test-body.txt", "accreditation of the testing body")
		if res, body := c.Do("POST", "/api/v1/attestations", nil, h, fmt.Sprintf(`{"obligation_id":"MLPS07-QUALIFIED-TEST-BODY","subject_kind":"system","subject_id":"%d","statement":"测评机构资质已核验","evidence":[%q]}`, id, f.SHA256)); res.StatusCode != http.StatusCreated {
			t.Fatalf("attest: %d %s", res.StatusCode, body)
		}
		waitEvaluated(t, c)

		res, body := c.Do("GET", path, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("system page: %d", res.StatusCode)
		}
		doc := htmltest.Parse(t, body)
		if got := doc.Title(); got != "阿里测试系统 · ciiguard" {
			t.Errorf("title %q, want the system's name", got)
		}
		// Findings: the filing duty is overdue with its due date and a fine, linked to the duty.
		sec := doc.ID("system-findings")
		var filing []string
		for _, row := range sec.Rows() {
			if len(row) == 5 && strings.Contains(row[1], "备案") && strings.Contains(row[1], "30") {
				filing = row
			}
		}
		if filing == nil {
			t.Fatalf("no filing row in the findings section: %v", sec.Rows())
		}
		if filing[0] != "已逾期" || filing[3] != wantDue || !strings.Contains(filing[4], "万元") {
			t.Errorf("filing row %q, want 已逾期, due %s and a fine in 万元", filing, wantDue)
		}
		if !hasLink(sec.Links(), "/obligations/MLPS07-FILING-30-DAYS") || !hasLink(sec.Links(), fmt.Sprintf("/findings?system=%d&status=all", id)) {
			t.Errorf("findings section links %v", sec.Links())
		}
		for _, row := range sec.Rows() {
			if row[0] == "不适用" {
				t.Errorf("a duty that does not apply is listed: %q", row)
			}
		}
		// History, newest first: grading 3 -> 2 after the creation; identification.
		text := doc.Root().Text()
		for _, want := range []string{"等级保护定级备案记录", "安全保护等级: 第三级 → 第二级", "安全保护等级: （无） → 第三级", "关键信息基础设施认定记录", "非关键信息基础设施 → 已认定", "能源认〔2026〕7号"} {
			if !strings.Contains(text, want) {
				t.Errorf("page does not say %q", want)
			}
		}
		if i, j := strings.Index(text, "第三级 → 第二级"), strings.Index(text, "（无） → 第三级"); i < 0 || j < i {
			t.Errorf("the MLPS history is not newest first")
		}
		// The attestation and its evidence.
		at := doc.ID("system-attestations")
		if rows := at.Rows(); len(rows) != 1 || !strings.Contains(rows[0][1], "测评机构资质已核验") {
			t.Errorf("attestations %q", rows)
		}
		if !hasLink(at.Links(), "/evidence/"+f.SHA256) {
			t.Errorf("no link to the evidence: %v", at.Links())
		}

		// The same page for another operator's cybersecurity manager: no such record.
		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		if res, _ := other.Do("GET", path, nil, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("another organisation's manager reads the page: %d, want 404", res.StatusCode)
		}
	})
}

func hasLink(ls []htmltest.Link, href string) bool {
	for _, l := range ls {
		if l.Href == href {
			return true
		}
	}
	return false
}

// TestObligationPageNamesSystems: the duty's page names each system (never "系统 #14")
// and the attestation's subject picker lists the names in pinyin order with nothing
// chosen for the user.
func TestObligationPageNamesSystems(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "security@grid.demo")
	zh(t, c)
	graded := time.Now().AddDate(0, 0, -10).Format("2006-01-02")
	// Created in an order that is not the pinyin order: 重庆 (chóng), 阿里 (ā), 北京 (běi).
	for _, n := range []string{"重庆测试系统", "阿里测试系统", "北京测试系统"} {
		createSystem(t, c, fmt.Sprintf(`{"name":%q,"owner":"信息部","responsible_person":"王五","sector":"energy","mlps_level":3,"graded_on":%q,"cii_status":"none"}`, n, graded))
	}
	waitEvaluated(t, c)
	res, body := c.Do("GET", "/obligations/MLPS07-QUALIFIED-TEST-BODY", nil, nil)
	if res.StatusCode != 200 {
		t.Fatalf("obligation page: %d", res.StatusCode)
	}
	if strings.Contains(body, "系统 #") {
		t.Error("the page names a system by number")
	}
	doc := htmltest.Parse(t, body)
	sel := doc.ID("subject_id")
	opts := sel.All("option", nil)
	if len(opts) < 4 {
		t.Fatalf("%d options", len(opts))
	}
	if v, _ := opts[0].Attr("value"); v != "" {
		t.Errorf("the first option is %q, want the empty prompt", v)
	}
	if _, dis := opts[0].Attr("disabled"); !dis {
		t.Error("the prompt can be chosen")
	}
	var ours []string
	for i, o := range opts {
		if _, sel := o.Attr("selected"); sel && i > 0 {
			t.Errorf("option %q is chosen in advance", o.Text())
		}
		if strings.HasSuffix(o.Text(), "测试系统") {
			ours = append(ours, o.Text())
		}
	}
	if want := []string{"阿里测试系统", "北京测试系统", "重庆测试系统"}; strings.Join(ours, ",") != strings.Join(want, ",") {
		t.Errorf("options in the order %v, want %v", ours, want)
	}
}

// TestRefusedAttestationKeepsInput: an attestation refused for a bad date shows the duty's
// page again with the reason at the date, the statement and the system as they were
// entered, and no evidence file stored.
func TestRefusedAttestationKeepsInput(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "security@grid.demo")
	zh(t, c)
	graded := time.Now().AddDate(0, 0, -10).Format("2006-01-02")
	id := createSystem(t, c, fmt.Sprintf(`{"name":"声明表单系统","owner":"信息部","responsible_person":"王五","sector":"energy","mlps_level":3,"graded_on":%q,"cii_status":"none"}`, graded))
	waitEvaluated(t, c)
	_, before := c.Do("GET", "/api/v1/evidence", nil, nil)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", c.CSRF)
	_ = mw.WriteField("subject_kind", "system")
	_ = mw.WriteField("subject_id", strconv.FormatInt(id, 10))
	_ = mw.WriteField("statement", "测评机构资质已核验")
	_ = mw.WriteField("valid_until", "2027-02-30")
	fw, _ := mw.CreateFormFile("file", "资质.pdf")
	_, _ = fw.Write([]byte("%PDF-1.4 accreditation"))
	mw.Close()
	res, body := c.Do("POST", "/obligations/MLPS07-QUALIFIED-TEST-BODY/attest", nil, map[string]string{"Content-Type": mw.FormDataContentType()}, buf.String())
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad date: %d", res.StatusCode)
	}
	doc := htmltest.Parse(t, body)
	if got := doc.ID("statement").Text(); got != "测评机构资质已核验" {
		t.Errorf("the statement is %q after the refusal", got)
	}
	if v, _ := doc.ID("valid_until").Attr("aria-invalid"); v != "true" {
		t.Error("the refused date is not marked")
	}
	var chosen []string
	for _, o := range doc.ID("subject_id").All("option", nil) {
		if _, sel := o.Attr("selected"); sel {
			chosen = append(chosen, o.Text())
		}
	}
	if len(chosen) != 1 || chosen[0] != "声明表单系统" {
		t.Errorf("the system chosen is %q after the refusal", chosen)
	}
	if _, after := c.Do("GET", "/api/v1/evidence", nil, nil); after != before {
		t.Error("a refused attestation stored its evidence file")
	}
}
