package obligations_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/web"
)

// fortyList is a CEL list literal of the numbers 1 to 40.
func fortyList() string {
	var b strings.Builder
	b.WriteString("[")
	for i := 1; i <= 40; i++ {
		if i > 1 {
			b.WriteString(",")
		}
		b.WriteString("1") // the values do not matter, only the count
	}
	b.WriteString("]")
	return b.String()
}

// costlyPolicy is the attack of issue 8.5: an operator's check of four nested .all() over 40
// elements, 40⁴ iterations, far past the engine's cost limit. Its own test cases pass at load
// (they take the cheap branch for a supplier or a regulator), so only evaluating it against
// the organisation's facts — an operator's — finds the cost.
func costlyPolicy() string {
	l := fortyList()
	check := "org.kind != 'operator' ? org.kind == 'supplier' : " + l + ".all(a, " + l + ".all(b, " + l + ".all(c, " + l + ".all(d, a + b + c + d > 0))))"
	return `instrument:
  id: COSTLY
  title: {zh: 昂贵的制度, en: A costly policy}
  issuer: {zh: 示例, en: Example}
  versions:
    - {id: "2026", adopted: 2026-01-01, in_force: 2026-02-01}
obligations:
  - id: COSTLY-ALL
    version: "2026"
    article: "1"
    title: {zh: 四重嵌套, en: Four nested all}
    summary: {zh: 四重嵌套。, en: Four nested all.}
    binds: [operator]
    capability: scope
    subject: org
    check: "` + check + `"
    cadence: continuous
    source: brief
    tests:
      - name: supplier
        facts: {org: {kind: supplier}}
        expect: met
      - name: regulator
        facts: {org: {kind: regulator}}
        expect: gap
`
}

// TestCostlyPolicyRefused uploads the policy of issue 8.5 through the API: it is refused with
// 400 naming the file, the obligation and the cost limit, nothing is stored or audited, and
// the organisation's findings and pages keep working. Before the fix the upload answered 500,
// the policy was stored and every later evaluation of the organisation failed.
func TestCostlyPolicyRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		h := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/yaml"}
		res, body := c.Do("POST", "/api/v1/policies?name=costly.yaml", nil, h, costlyPolicy())
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"file"`) ||
			!strings.Contains(body, "COSTLY-ALL") || !strings.Contains(body, "cost limit") || !strings.Contains(body, "100000") {
			t.Fatalf("costly policy: %d %s, want 400 naming the file, COSTLY-ALL and the cost limit 100000", res.StatusCode, body)
		}
		if _, body := c.Do("GET", "/api/v1/policies", nil, nil); strings.Contains(body, "costly.yaml") {
			t.Fatal("the refused policy was stored")
		}
		admin := env.Login(t, "admin@grid.demo")
		if res, body := admin.Do("GET", "/api/v1/audit", nil, nil); res.StatusCode != 200 || strings.Contains(body, "costly.yaml") {
			t.Fatal("the refused policy was audited")
		}
		// Through the upload form in Chinese, the reason is Chinese (the API answers in English).
		setLang(t, c, web.LangZH)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("_csrf", c.CSRF)
		fw, _ := mw.CreateFormFile("file", "costly.yaml")
		_, _ = fw.Write([]byte(costlyPolicy()))
		mw.Close()
		res, body = c.Do("POST", "/policies", nil, map[string]string{"Content-Type": mw.FormDataContentType()}, buf.String())
		if res.StatusCode != 400 || !strings.Contains(body, "超出计算成本上限（100000）") || !strings.Contains(body, "COSTLY-ALL") {
			t.Fatalf("costly policy through the Chinese form: %d", res.StatusCode)
		}
		if res, body := c.Do("POST", "/api/v1/findings/evaluate", nil, h); res.StatusCode != 200 {
			t.Fatalf("evaluate after the refusal: %d %s", res.StatusCode, body)
		}
		for _, p := range []string{"/findings", "/", "/obligations"} {
			if res, _ := c.Do("GET", p, nil, nil); res.StatusCode != 200 {
				t.Fatalf("GET %s after the refusal: %d", p, res.StatusCode)
			}
		}
	})
}

// divPolicy's check divides by (mlps_level - 5): it evaluates for every demo system at upload
// and fails at run time (division by zero) for a system graded at level 5 added later.
const divPolicy = `instrument:
  id: DIV
  title: {zh: 除法制度, en: A dividing policy}
  issuer: {zh: 示例, en: Example}
  versions:
    - {id: "2026", adopted: 2026-01-01, in_force: 2026-02-01}
obligations:
  - id: DIV-LEVEL
    version: "2026"
    article: "1"
    title: {zh: 除法, en: Division}
    summary: {zh: 除法。, en: Division.}
    binds: [operator]
    capability: scope
    subject: system
    check: "10 / (system.mlps_level - 5) >= 0"
    cadence: continuous
    source: brief
    tests:
      - name: level 3
        facts: {system: {mlps_level: 3}}
        expect: met
      - name: level 1
        facts: {system: {mlps_level: 1}}
        expect: gap
`

// TestBadRuleYieldsErrorFinding: a rule that fails at run time for one subject gives that
// rule an error finding for that subject, in both languages, and every other finding is
// still evaluated; the findings API and pages keep answering.
func TestBadRuleYieldsErrorFinding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		h := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/yaml"}
		res, body := c.Do("POST", "/api/v1/policies?name=div.yaml", nil, h, divPolicy)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("dividing policy with no level-5 system: %d %s", res.StatusCode, body)
		}
		hj := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}
		res, body = c.Do("POST", "/api/v1/scope/systems", nil, hj, `{"name":"五级调度系统","owner":"调度中心","sector":"energy","mlps_level":5}`)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("add a level-5 system: %d %s", res.StatusCode, body)
		}
		waitEvaluated(t, c)
		a := findings(t, c, "")
		var bad, others int
		for _, f := range a.Findings {
			if strings.HasSuffix(f.ObligationID, "DIV-LEVEL") && f.Status == rules.StatusError {
				bad++
				if !strings.Contains(f.Reason.En, "could not evaluate") || !strings.Contains(f.Reason.Zh, "无法计算") || !strings.Contains(f.Reason.En, "division by zero") {
					t.Errorf("error finding's reason: %+v", f.Reason)
				}
			} else if f.Status == rules.StatusError {
				t.Errorf("%s %s: error finding from another rule: %s", f.ObligationID, f.SubjectID, f.Reason.En)
			} else {
				others++
			}
		}
		if bad != 1 {
			t.Fatalf("%d error findings for DIV-LEVEL, want 1 (the level-5 system)", bad)
		}
		if a.Summary.Error != 1 || a.Summary.Met == 0 || a.Summary.Gap == 0 {
			t.Fatalf("summary %+v, want one error and the rest evaluated", a.Summary)
		}
		// The new system's other duties were evaluated too.
		setLang(t, c, web.LangEN)
		if res, body := c.Do("GET", "/findings?status=error", nil, nil); res.StatusCode != 200 || !strings.Contains(body, "could not evaluate") || !strings.Contains(body, "Evaluation error") {
			t.Fatalf("findings page with an error finding: %d", res.StatusCode)
		}
		setLang(t, c, web.LangZH)
		if res, body := c.Do("GET", "/findings?status=error", nil, nil); res.StatusCode != 200 || !strings.Contains(body, "无法计算") || !strings.Contains(body, "计算出错") {
			t.Fatalf("zh findings page with an error finding: %d", res.StatusCode)
		}
		if others == 0 {
			t.Fatal("no other finding")
		}
	})
}

// setLang switches the signed-in user's language the way the language menu does.
func setLang(t *testing.T, c *apptest.Client, lang string) {
	t.Helper()
	if res, _ := c.Do("POST", "/lang", url.Values{"lang": {lang}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch to %s: %d", lang, res.StatusCode)
	}
}
