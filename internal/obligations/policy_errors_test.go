package obligations_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
)

// goodPolicy is a policy that loads; each case below breaks one line of it. Line numbers
// in the expected messages are counted by hand in this text.
const goodPolicy = `instrument:
  id: POL
  title: {zh: 制度, en: Rules}
  issuer: {zh: 本单位, en: Us}
  versions:
    - {id: "2026", adopted: 2026-01-01}
obligations:
  - id: POL-A
    version: "2026"
    title: {zh: 甲, en: A}
    binds: [operator]
    capability: scope
    subject: system
    applies: "system.mlps_level >= 2"
    check: "system.responsible_person != ''"
    cadence: continuous
    tests:
      - {name: a, facts: {system: {mlps_level: 2, responsible_person: x}}, expect: met}
      - {name: b, facts: {system: {mlps_level: 2}}, expect: gap}
`

// TestPolicyUploadErrorsInBothLanguages uploads three broken policies through the page, in
// Chinese and in English, and reads the refusal the user sees: the line, the duty and the
// field in words of the reader's language, the parser's own text only inside a
// translate="no" block; nothing is stored. The API keeps its English problem+json.
func TestPolicyUploadErrorsInBothLanguages(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	zh := env.Login(t, "security@grid.demo")
	if res, _ := zh.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch to Chinese: %d", res.StatusCode)
	}
	en := env.Login(t, "admin@grid.demo")
	if res, _ := en.Do("POST", "/lang", url.Values{"lang": {"en"}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch to English: %d", res.StatusCode)
	}
	cases := []struct {
		name, yaml     string
		wantZh, wantEn string
		detail         string // in the translate="no" block, "" for none
		place          string // the field path shown as code, "" for none
	}{
		{
			name:   "YAML syntax: a tab indents line 16",
			yaml:   strings.Replace(goodPolicy, "    cadence: continuous\n", "\tcadence: continuous\n", 1),
			wantZh: "第 16 行：YAML 语法错误，无法读取文件（请检查缩进是否对齐、冒号后是否有空格、引号和括号是否成对）。",
			wantEn: "Line 16: YAML syntax error, the file cannot be read (check that indentation lines up, that every colon is followed by a space and that quotes and brackets are paired).",
			detail: "found character that cannot start any token",
		},
		{
			name:   "unknown field on line 16",
			yaml:   strings.Replace(goodPolicy, "    cadence: continuous\n", "    cadense: continuous\n", 1),
			wantZh: "第 16 行：未知字段“cadense”，目录格式中没有这个字段，请检查拼写。",
			wantEn: "Line 16: unknown field “cadense”: the catalog form has no such field; check the spelling.",
		},
		{
			name:   "CEL: a misspelt fact in line 15's check",
			yaml:   strings.Replace(goodPolicy, "system.responsible_person != ''", "system.responsible_persn != ''", 1),
			wantZh: "第 15 行：义务 POL-A 的检查条件（check）表达式有误，无法编译。",
			wantEn: "Line 15: the check expression of obligation POL-A is not valid and does not compile.",
			detail: "undefined field 'responsible_persn'",
		},
		{
			name:   "schema: the Chinese title of line 10 is empty",
			yaml:   strings.Replace(goodPolicy, "    title: {zh: 甲, en: A}\n", "    title: {zh: '', en: A}\n", 1),
			wantZh: "第 10 行：缺少中文文本。",
			wantEn: "Line 10: the Chinese text is missing.",
			place:  "obligations[0] POL-A: title.zh",
		},
	}
	latin := regexp.MustCompile(`[A-Za-z]{2,}`)
	allowedZh := map[string]bool{"YAML": true, "cadense": true, "POL": true, "check": true}
	for _, tc := range cases {
		for _, l := range []struct {
			c    *apptest.Client
			want string
		}{{zh, tc.wantZh}, {en, tc.wantEn}} {
			res, page := postPolicy(t, l.c, "broken.yaml", tc.yaml)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("%s: upload answered %d, want 400", tc.name, res.StatusCode)
			}
			box := htmltest.Parse(t, page).ID("policy-errors")
			if !box.Found() {
				t.Fatalf("%s: the page shows no refusal", tc.name)
			}
			items := box.All("li", nil)
			if len(items) != 1 {
				t.Fatalf("%s: %d problems listed, want 1: %q", tc.name, len(items), box.Text())
			}
			reason := items[0].All("span", nil)
			if len(reason) == 0 || reason[0].Text() != l.want {
				got := ""
				if len(reason) > 0 {
					got = reason[0].Text()
				}
				t.Errorf("%s: the page says %q, want %q", tc.name, got, l.want)
			}
			var kept []string // what the page keeps untranslated
			for _, n := range items[0].All("", func(n htmltest.Node) bool { v, ok := n.Attr("translate"); return ok && v == "no" }) {
				kept = append(kept, n.Text())
			}
			if tc.detail != "" && !strings.Contains(strings.Join(kept, "\n"), tc.detail) {
				t.Errorf("%s: the parser's detail %q is not in a translate=\"no\" block: %q", tc.name, tc.detail, kept)
			}
			if tc.place != "" && !slicesContains(kept, tc.place) {
				t.Errorf("%s: the field %q is not shown: %q", tc.name, tc.place, kept)
			}
			if tc.detail == "" && tc.place == "" && len(kept) != 0 {
				t.Errorf("%s: untranslated text shown: %q", tc.name, kept)
			}
			if l.c == zh {
				for _, w := range latin.FindAllString(reason[0].Text(), -1) {
					if !allowedZh[w] {
						t.Errorf("%s: English %q in the Chinese reason %q", tc.name, w, reason[0].Text())
					}
				}
			}
		}
		// The API answers in English with the line, as before.
		res, body := zh.Do("POST", "/api/v1/policies?name=broken.yaml", nil, map[string]string{"X-CSRF-Token": zh.CSRF, "Content-Type": "application/yaml"}, tc.yaml)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"file"`) {
			t.Errorf("%s: API answered %d %s", tc.name, res.StatusCode, body)
		}
	}
	if _, body := zh.Do("GET", "/api/v1/policies", nil, nil); strings.Contains(body, "broken.yaml") {
		t.Fatal("a refused policy was stored")
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// postPolicy uploads a policy file through the policies page's form.
func postPolicy(t *testing.T, c *apptest.Client, name, text string) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", c.CSRF)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte(text))
	mw.Close()
	return c.Do("POST", "/policies", nil, map[string]string{"Content-Type": mw.FormDataContentType()}, buf.String())
}
