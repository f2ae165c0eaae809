package obligations_test

import (
	"bytes"
	"context"
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
	"ciiguard/internal/evidence"
	"ciiguard/internal/obligations"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

type findingsAnswer struct {
	Findings []obligations.Finding `json:"findings"`
	Summary  obligations.Run       `json:"summary"`
}

// waitEvaluated waits, through the API, until the findings reflect every change made so far.
func waitEvaluated(t *testing.T, c *apptest.Client) obligations.State {
	t.Helper()
	res, body := c.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil)
	var st obligations.State
	if err := json.Unmarshal([]byte(body), &st); err != nil || res.StatusCode != 200 {
		t.Fatalf("evaluation state: %d %v %s", res.StatusCode, err, body)
	}
	if st.Pending || st.State != "idle" || st.EvaluatedAt == nil {
		t.Fatalf("after waiting, the evaluation state is %+v", st)
	}
	return st
}

// findings reads the findings once every change made so far is in them.
func findings(t *testing.T, c *apptest.Client, query string) findingsAnswer {
	t.Helper()
	waitEvaluated(t, c)
	res, body := c.Do("GET", "/api/v1/findings"+query, nil, nil)
	var a findingsAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil || res.StatusCode != 200 {
		t.Fatalf("findings%s: %d %v", query, res.StatusCode, err)
	}
	return a
}

// TestDemoPosture checks that the demo operator's first evaluation shows what a real
// operator would: duties met, gaps, late ones, and a fine exposure.
func TestDemoPosture(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		a := findings(t, c, "")
		s := a.Summary
		if s.Met == 0 || s.Gap == 0 || s.Overdue == 0 || s.NeedsAttestation == 0 || s.NotApplicable == 0 {
			t.Fatalf("demo posture lacks a status: %+v", s)
		}
		if s.FineMin <= 0 || s.FineMax < s.FineMin {
			t.Fatalf("fine exposure %d–%d", s.FineMin, s.FineMax)
		}
		// The log-retention duty is the organisation's, cites its article and has a reason in both languages.
		var log *obligations.Finding
		for i, f := range a.Findings {
			if f.ObligationID == "CSL-LOG-RETENTION" {
				log = &a.Findings[i]
			}
		}
		if log == nil || log.SubjectKind != rules.SubjectOrg || log.Reason.Zh == "" || log.Reason.En == "" {
			t.Fatalf("CSL-LOG-RETENTION finding: %+v", log)
		}
		// and says why in words, naming the fact and its value, not the CEL expression.
		if want := "Met: network logs kept for at least 184 days (six calendar months) (log retention in days = 184)"; log.Reason.En != want {
			t.Errorf("CSL-LOG-RETENTION reason %q, want %q", log.Reason.En, want)
		}
		if want := "已满足：网络日志留存不少于184天（六个自然月）（日志留存天数 = 184）"; log.Reason.Zh != want {
			t.Errorf("CSL-LOG-RETENTION reason %q, want %q", log.Reason.Zh, want)
		}
		// The vault's retention (184 days, sources sending) reaches the rules engine.
		if log.Status != rules.StatusMet {
			t.Fatalf("CSL-LOG-RETENTION with the demo vault's 184-day retention: %s (%s)", log.Status, log.Reason.En)
		}
		res, body := c.Do("GET", "/", nil, nil)
		if res.StatusCode != 200 || !strings.Contains(body, `id="exposure"`) || !strings.Contains(body, `id="overdue"`) {
			t.Fatalf("dashboard lacks the posture widget: %d", res.StatusCode)
		}
	})
}

// TestVaultChangesReevaluate removes every log source of the demo operator and adds one
// back, without asking for an evaluation: the CII log-monitoring duty, which needs a
// source sending, follows each change at once.
func TestVaultChangesReevaluate(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "security@grid.demo")
	const ob = "CIIR-MONITORING-LOG-RETENTION"
	if st, f := statusOf(t, c, ob); st != rules.StatusMet {
		t.Fatalf("%s in the demo: %s (%s)", ob, st, f.Reason.En)
	}
	res, body := c.Do("GET", "/api/v1/vault/sources", nil, nil)
	var srcs struct {
		Sources []struct {
			ID int64 `json:"id"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(body), &srcs); err != nil || res.StatusCode != 200 || len(srcs.Sources) == 0 {
		t.Fatalf("log sources: %d %v %s", res.StatusCode, err, body)
	}
	h := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}
	for _, s := range srcs.Sources {
		if res, body := c.Do("DELETE", "/api/v1/vault/sources/"+strconv.FormatInt(s.ID, 10), nil, h); res.StatusCode != http.StatusNoContent {
			t.Fatalf("delete source %d: %d %s", s.ID, res.StatusCode, body)
		}
	}
	if st, f := statusOf(t, c, ob); st != rules.StatusGap {
		t.Fatalf("%s with no log source left: %s (%s)", ob, st, f.Reason.En)
	}
	if res, body := c.Do("POST", "/api/v1/vault/sources", nil, h, `{"name":"core firewall","kind":"syslog-udp","sender":"192.0.2.10"}`); res.StatusCode != http.StatusCreated {
		t.Fatalf("add a source: %d %s", res.StatusCode, body)
	}
	if st, f := statusOf(t, c, ob); st != rules.StatusMet {
		t.Fatalf("%s after adding a source: %s (%s)", ob, st, f.Reason.En)
	}
}

// TestHistoryKeepsOneRunADay re-evaluates several times (as a day of edits does) and
// finds one trend point for today beside the demo's twelve weekly ones, and one stored row.
func TestHistoryKeepsOneRunADay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		h := map[string]string{"X-CSRF-Token": c.CSRF}
		for i := 0; i < 3; i++ {
			if res, body := c.Do("POST", "/api/v1/findings/evaluate", nil, h); res.StatusCode != 200 {
				t.Fatalf("evaluate: %d %s", res.StatusCode, body)
			}
		}
		res, body := c.Do("GET", "/api/v1/findings/history", nil, nil)
		var a struct {
			Runs []obligations.Run `json:"runs"`
		}
		if err := json.Unmarshal([]byte(body), &a); err != nil || res.StatusCode != 200 {
			t.Fatalf("history: %d %v", res.StatusCode, err)
		}
		if len(a.Runs) != 13 {
			t.Fatalf("%d trend points, want 12 demo weeks and today", len(a.Runs))
		}
		// One run a day per organisation: the demo evaluates every organisation it seeds
		// (the operators, and the suppliers' and regulators' own), each once.
		var n, orgs int
		if err := env.App.DB.Read(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT org_id) FROM finding_runs WHERE at >= $1`, time.Now().Add(-2*time.Hour)).Scan(&n, &orgs)
		}); err != nil {
			t.Fatal(err)
		}
		if n != orgs || orgs == 0 {
			t.Fatalf("%d runs stored for today by %d organisations, want one each", n, orgs)
		}
	})
}

func upload(t *testing.T, c *apptest.Client, name, content string) evidence.File {
	t.Helper()
	res, body := c.Do("POST", "/api/v1/evidence?name="+name, nil, map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "text/plain"}, content)
	var f evidence.File
	if err := json.Unmarshal([]byte(body), &f); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("upload %s: %d %s", name, res.StatusCode, body)
	}
	return f
}

func statusOf(t *testing.T, c *apptest.Client, obligation string) (rules.Status, obligations.Finding) {
	t.Helper()
	a := findings(t, c, "?obligation="+obligation)
	if len(a.Findings) != 1 {
		t.Fatalf("%s: %d findings, want 1", obligation, len(a.Findings))
	}
	return a.Findings[0].Status, a.Findings[0]
}

// TestAttestation attests an attestation duty with evidence and sees it met; an attestation
// that has expired leaves the duty open again; bad attestations are refused by field.
func TestAttestation(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "security@grid.demo")
	const ob = "CIIR-SECURITY-POLICIES"
	if st, _ := statusOf(t, c, ob); st != rules.StatusNeedsAttestation {
		t.Fatalf("%s before attesting: %s", ob, st)
	}
	f := upload(t, c, "security-policies-2026.txt", "Cybersecurity management policies, issued 2026-03-01")
	h := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}
	bad := []struct{ body, field string }{
		{`{"obligation_id":"CSL-LOG-RETENTION","statement":"x","evidence":["` + f.SHA256 + `"]}`, "obligation_id"},
		{`{"obligation_id":"` + ob + `","statement":"","evidence":["` + f.SHA256 + `"]}`, "statement"},
		{`{"obligation_id":"` + ob + `","statement":"ok","evidence":["` + strings.Repeat("a", 64) + `"]}`, "evidence"},
		{`{"obligation_id":"` + ob + `","statement":"ok","evidence":[]}`, "evidence"},
		{`{"obligation_id":"NO-SUCH","statement":"ok","evidence":["` + f.SHA256 + `"]}`, "obligation_id"},
	}
	for _, b := range bad {
		res, body := c.Do("POST", "/api/v1/attestations", nil, h, b.body)
		if res.StatusCode != 400 || !strings.Contains(body, `"field":"`+b.field+`"`) {
			t.Errorf("attestation %s: %d %s, want 400 naming %s", b.body, res.StatusCode, body, b.field)
		}
	}
	old := time.Now().AddDate(-2, 0, 0).UTC().Format(time.RFC3339)
	oldEnd := time.Now().AddDate(-1, 0, 0).UTC().Format(time.RFC3339)
	res, body := c.Do("POST", "/api/v1/attestations", nil, h, `{"obligation_id":"`+ob+`","statement":"Plan in force","evidence":["`+f.SHA256+`"],"valid_from":"`+old+`","valid_until":"`+oldEnd+`"}`)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("expired attestation: %d %s", res.StatusCode, body)
	}
	// Four eyes: the attestation counts once another person approved it.
	reviewer := env.Login(t, "admin@grid.demo")
	approve := func(body string) {
		t.Helper()
		var a struct{ ID int64 }
		_ = json.Unmarshal([]byte(body), &a)
		if res, out := reviewer.Do("POST", fmt.Sprintf("/api/v1/attestation-reviews/%d", a.ID), nil,
			map[string]string{"X-CSRF-Token": reviewer.CSRF, "Content-Type": "application/json"}, `{"decision":"approved"}`); res.StatusCode != http.StatusOK {
			t.Fatalf("approve attestation %d: %d %s", a.ID, res.StatusCode, out)
		}
	}
	approve(body)
	if st, fd := statusOf(t, c, ob); st == rules.StatusMet || !strings.Contains(fd.Reason.En, "expired") {
		t.Fatalf("with only an expired attestation: %s (%s)", st, fd.Reason.En)
	}
	res, body = c.Do("POST", "/api/v1/attestations", nil, h, `{"obligation_id":"`+ob+`","statement":"Plan in force, reviewed 2026","evidence":["`+f.SHA256+`"]}`)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("attest: %d %s", res.StatusCode, body)
	}
	if st, _ := statusOf(t, c, ob); st == rules.StatusMet {
		t.Fatalf("met before anyone reviewed the attestation")
	}
	approve(body)
	st, fd := statusOf(t, c, ob)
	if st != rules.StatusMet || len(fd.Evidence) != 1 || fd.Evidence[0] != f.SHA256 {
		t.Fatalf("after attesting: %s evidence %v", st, fd.Evidence)
	}
	// An auditor may read but not attest.
	aud := env.Login(t, "auditor@grid.demo")
	if res, _ := aud.Do("POST", "/api/v1/attestations", nil, map[string]string{"X-CSRF-Token": aud.CSRF}, `{}`); res.StatusCode != http.StatusForbidden {
		t.Fatalf("auditor attesting: %d", res.StatusCode)
	}
}

// TestAttestThroughTheForm attests with a file uploaded in the same form, as a person does.
func TestAttestThroughTheForm(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "admin@grid.demo")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", c.CSRF)
	_ = mw.WriteField("subject_kind", "org")
	_ = mw.WriteField("statement", "网络安全管理制度已发布实施")
	fw, _ := mw.CreateFormFile("file", "制度.pdf")
	_, _ = fw.Write([]byte("%PDF-1.4 security policies"))
	mw.Close()
	res, body := c.Do("POST", "/obligations/CIIR-SECURITY-POLICIES/attest", nil, map[string]string{"Content-Type": mw.FormDataContentType()}, buf.String())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("attest form: %d %s", res.StatusCode, body)
	}
	if st, _ := statusOf(t, c, "CIIR-SECURITY-POLICIES"); st == rules.StatusMet {
		t.Fatalf("met after the form, before anyone reviewed it")
	}
	// Until it is reviewed the duty's page says so beside the attestation, and the API too.
	if _, page := c.Do("GET", "/obligations/CIIR-SECURITY-POLICIES", nil, nil); !strings.Contains(page, "Awaiting review") {
		t.Fatalf("the duty's page does not mark the attestation as awaiting review")
	}
	var atts struct {
		Attestations []struct {
			ObligationID string `json:"obligation_id"`
			Counts       *bool  `json:"counts"`
		}
	}
	if _, out := c.Do("GET", "/api/v1/attestations?obligation=CIIR-SECURITY-POLICIES", nil, nil); json.Unmarshal([]byte(out), &atts) != nil ||
		len(atts.Attestations) != 1 || atts.Attestations[0].Counts == nil || *atts.Attestations[0].Counts {
		t.Fatalf("the API does not say the attestation does not count yet: %s", out)
	}
	// Another person reviews it on the review page, where the evidence is listed.
	rv := env.Login(t, "security@grid.demo")
	if res, page := rv.Do("GET", "/evidence/reviews", nil, nil); res.StatusCode != 200 || !strings.Contains(page, "制度.pdf") {
		t.Fatalf("review page: %d, evidence file listed: %v", res.StatusCode, strings.Contains(page, "制度.pdf"))
	}
	// The demo seeds reviews of its own (a closed task's attestation): pick this form's one.
	var list struct {
		Reviews []struct {
			AttestationID int64  `json:"attestation_id"`
			ObligationID  string `json:"obligation_id"`
		}
	}
	_, out := rv.Do("GET", "/api/v1/attestation-reviews", nil, nil)
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("reviews: %v %s", err, out)
	}
	var mine []int64
	for _, r := range list.Reviews {
		if r.ObligationID == "CIIR-SECURITY-POLICIES" {
			mine = append(mine, r.AttestationID)
		}
	}
	if len(mine) != 1 {
		t.Fatalf("pending reviews of CIIR-SECURITY-POLICIES: %v in %s", mine, out)
	}
	if res, out := rv.Do("POST", fmt.Sprintf("/evidence/reviews/%d", mine[0]), url.Values{"decision": {"approved"}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve by form: %d %s", res.StatusCode, out)
	}
	if st, _ := statusOf(t, c, "CIIR-SECURITY-POLICIES"); st != rules.StatusMet {
		t.Fatalf("after the review: %s", st)
	}
	res, body = c.Do("GET", "/obligations/CIIR-SECURITY-POLICIES", nil, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "网络安全管理制度已发布实施") {
		t.Fatalf("detail page does not show the attestation: %d", res.StatusCode)
	}
	if strings.Contains(body, "Awaiting review") {
		t.Fatalf("the approved attestation is still marked as awaiting review")
	}
}

const policyYAML = `instrument:
  id: GRID-POL
  title: {zh: 示例电网内部网络安全制度, en: Example Grid internal security policy}
  issuer: {zh: 示例电网有限公司, en: "Example Grid Co., Ltd."}
  versions:
    - {id: "2026", adopted: 2026-01-01, in_force: 2026-02-01}
obligations:
  - id: GRID-POL-L4-RESPONSIBLE
    version: "2026"
    article: "3"
    title: {zh: 四级系统须有责任人, en: Level-4 systems name a responsible person}
    summary: {zh: 本单位所有四级系统都须指定责任人。, en: Every level-4 system of ours names a responsible person.}
    binds: [operator]
    capability: scope
    subject: system
    applies: "system.mlps_level == 4"
    check: "system.responsible_person != ''"
    cadence: continuous
    source: brief
    tests:
      - name: named
        facts: {system: {mlps_level: 4, responsible_person: 王五}}
        expect: met
      - name: unnamed
        facts: {system: {mlps_level: 4}}
        expect: gap
`

func TestOwnPolicies(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "security@grid.demo")
	h := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/yaml"}
	broken := strings.Replace(policyYAML, `check: "system.responsible_person != ''"`, `check: "system.no_such_field"`, 1)
	res, body := c.Do("POST", "/api/v1/policies?name=bad.yaml", nil, h, broken)
	if res.StatusCode != 400 || !strings.Contains(body, `"field":"file"`) || !strings.Contains(body, "no_such_field") {
		t.Fatalf("broken policy: %d %s", res.StatusCode, body)
	}
	if _, body := c.Do("GET", "/api/v1/policies", nil, nil); strings.Contains(body, "bad.yaml") {
		t.Fatal("a refused policy was stored")
	}
	res, body = c.Do("POST", "/api/v1/policies?name=grid.yaml", nil, h, policyYAML)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("policy upload: %d %s", res.StatusCode, body)
	}
	a := findings(t, c, "")
	n := 0
	for _, f := range a.Findings {
		if strings.HasSuffix(f.ObligationID, "GRID-POL-L4-RESPONSIBLE") && f.Status != rules.StatusNotApplicable {
			n++
		}
	}
	if n == 0 {
		t.Fatalf("the organisation's own policy produced no findings for its level-4 systems")
	}
	// Another organisation does not see it: the second operator's administrator, who may
	// read and write policies in its own organisation.
	other := env.Login(t, app.OtherOperatorEmail(auth.Admin))
	otherH := map[string]string{"X-CSRF-Token": other.CSRF}
	if _, body := other.Do("GET", "/api/v1/obligations?q=GRID-POL", nil, nil); strings.Contains(body, "GRID-POL-L4") {
		t.Fatal("another operator sees the organisation's policy in the catalog")
	}
	if _, body := other.Do("GET", "/api/v1/policies", nil, nil); strings.Contains(body, "grid.yaml") {
		t.Fatal("another operator lists the organisation's policy")
	}
	var p obligations.Policy
	if err := json.Unmarshal([]byte(body), &p); err != nil || p.ID == 0 {
		t.Fatalf("uploaded policy: %v %s", err, body)
	}
	// The same obligation ids a second time are refused whole, and evaluation still works.
	res, body = c.Do("POST", "/api/v1/policies?name=again.yaml", nil, h, policyYAML)
	if res.StatusCode != 400 || !strings.Contains(body, `"field":"file"`) || !strings.Contains(body, "GRID-POL") {
		t.Fatalf("second upload of the same ids: %d %s", res.StatusCode, body)
	}
	if _, body := c.Do("GET", "/api/v1/policies", nil, nil); strings.Contains(body, "again.yaml") {
		t.Fatal("a refused policy was stored")
	}
	if res, body := c.Do("POST", "/api/v1/findings/evaluate", nil, h); res.StatusCode != 200 {
		t.Fatalf("evaluate after a refused duplicate: %d %s", res.StatusCode, body)
	}
	// Removing it takes its duties out of the findings; another organisation cannot remove it.
	del := "/api/v1/policies/" + strconv.FormatInt(p.ID, 10)
	if res, _ := other.Do("DELETE", del, nil, otherH); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another operator's administrator removing the policy: %d, want 404", res.StatusCode)
	}
	if res, body := c.Do("DELETE", del, nil, h); res.StatusCode != http.StatusNoContent {
		t.Fatalf("remove policy: %d %s", res.StatusCode, body)
	}
	for _, f := range findings(t, c, "").Findings {
		if strings.HasSuffix(f.ObligationID, "GRID-POL-L4-RESPONSIBLE") {
			t.Fatal("the removed policy's duty is still in the findings")
		}
	}
	if res, _ := c.Do("DELETE", del, nil, h); res.StatusCode != http.StatusNotFound {
		t.Fatalf("removing it twice: %d", res.StatusCode)
	}
}

func TestOSCALExports(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "security@grid.demo")
	for path, root := range map[string]string{"/api/v1/oscal/catalog": "catalog", "/api/v1/oscal/profile": "profile", "/api/v1/oscal/assessment-results": "assessment-results"} {
		res, body := c.Do("GET", path, nil, nil)
		var doc map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &doc); err != nil || res.StatusCode != 200 || doc[root] == nil {
			t.Errorf("%s: %d, root %q missing (%v)", path, res.StatusCode, root, err)
		}
	}
}

func TestCatalogBrowserBothLanguages(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "user@supplier.demo")
	res, body := c.Do("GET", "/obligations?instrument=CSL", nil, map[string]string{"Accept-Language": "en"})
	if res.StatusCode != 200 || !strings.Contains(body, "CSL-LOG-RETENTION") || strings.Contains(body, "CIIR-ANNUAL") {
		t.Fatalf("catalog filtered by CSL: %d", res.StatusCode)
	}
	res, body = c.Do("GET", "/obligations/CSL-LOG-RETENTION", nil, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "23(3)") {
		t.Fatalf("detail shows the 2025 article: %d", res.StatusCode)
	}
	if !strings.Contains(body, "network logs kept for at least 184 days") || !strings.Contains(body, "network operators") {
		t.Fatalf("detail page does not say in words whom the duty binds and what it requires")
	}
	if res, _ := c.Do("GET", "/api/v1/findings", nil, nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a supplier reading findings: %d", res.StatusCode)
	}
}
