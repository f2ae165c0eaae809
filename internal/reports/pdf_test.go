package reports_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/kernel/cjkfont"
	"ciiguard/internal/reports"
	"ciiguard/internal/store"
)

// TestPDFOfTheDemoOperator: the demo operator's annual report as PDF in both languages;
// pdftotext (an independent reader) finds the headings, the findings figures of the JSON
// (its totals, as the Chinese and English sentences state them), the JSON's SHA-256 as the
// API names it, page numbers and the table of contents. pdftoppm renders the first pages
// to testdata-free PNGs in a temp dir (REPORTS_KEEP_PNG=dir keeps them to look at).
func TestPDFOfTheDemoOperator(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext missing: scripts/install-test-deps.sh installs poppler-utils")
	}
	if _, err := (&cjkfont.Loader{}).Load(); err != nil {
		t.Skipf("no CJK font: %v", err)
	}
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	res, body := sm.Do("POST", "/api/v1/reports", nil, jsonHdr(sm.CSRF), `{"kind":"annual","year":2026}`)
	r := decode(t, res, body, http.StatusCreated)
	base := fmt.Sprintf("/api/v1/reports/%d/versions/1", r.ID)
	_, js := sm.Do("GET", base+"/report.json", nil, nil)
	var c reports.Content
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		t.Fatal(err)
	}
	tot := c.Findings.Totals
	if tot.Met+tot.Gap+tot.Overdue == 0 || c.Scope.Systems == 0 {
		t.Fatalf("the demo operator's report has no findings or systems: %+v %+v", tot, c.Scope)
	}
	// The demo grid operator runs no app store: that group says so in one line instead of
	// a table of zeros; its people records are a table.
	empty := map[string]bool{}
	for _, g := range c.Records {
		empty[g.Name] = g.Empty
	}
	if e, ok := empty["appstore"]; !ok || !e {
		t.Errorf("the appstore group of a grid operator: present %v, empty %v; want present and empty", ok, e)
	}
	if e, ok := empty["people"]; !ok || e {
		t.Errorf("the people group: present %v, empty %v; want the demo's records", ok, e)
	}
	dir := t.TempDir()
	if keep := os.Getenv("REPORTS_KEEP_PNG"); keep != "" {
		dir = keep
	}
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"zh-CN", []string{"2026年度关键信息基础设施网络安全检测和风险评估报告", "目录", "评估依据与范围", "检测评估发现（按领域）", "未整改的问题及原因", "整改计划", "日志留存与签名检查点", "签发",
			fmt.Sprintf("符合%d项，差距%d项，逾期%d项", tot.Met, tot.Gap, tot.Overdue), fmt.Sprintf("系统总数：%d", c.Scope.Systems), "第 2 页 / 共", "《关键信息基础设施安全保护条例》（2021）第十七条", "应用市场无记录。"}},
		{"en", []string{"Annual CII security test and risk assessment report 2026", "Contents", "Basis and scope", "Findings by area", "Open gaps and their reasons", "Remediation plan",
			fmt.Sprintf("%d met, %d gaps, %d overdue", tot.Met, tot.Gap, tot.Overdue), fmt.Sprintf("Systems: %d;", c.Scope.Systems), "Page 2 of", "CIIR 2021 Art. 17", "App storeNothing recorded."}},
	} {
		res, pdf := sm.Do("GET", base+"/report.pdf?lang="+tc.lang, nil, nil)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("%s PDF: %d %.200s", tc.lang, res.StatusCode, pdf)
		}
		p := filepath.Join(dir, "report-"+tc.lang+".pdf")
		if err := os.WriteFile(p, []byte(pdf), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", p, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		// No page ends with a heading: the last line above each page's footer is not a
		// section's numbered title or a group of records' title.
		titles := map[string]bool{}
		for _, g := range c.Records {
			titles[g.Title.Zh], titles[g.Title.En] = true, true
		}
		numbered := regexp.MustCompile(`^\d+\. `)
		for i, page := range strings.Split(string(out), "\f") {
			var lines []string
			for _, ln := range strings.Split(page, "\n") {
				if ln = strings.TrimSpace(ln); ln != "" {
					lines = append(lines, ln)
				}
			}
			if len(lines) < 3 {
				continue
			}
			last := lines[len(lines)-3] // the footer's two lines follow it
			if numbered.MatchString(last) || titles[last] {
				t.Errorf("%s PDF: page %d ends with the heading %q", tc.lang, i+1, last)
			}
		}
		text := strings.Join(strings.Fields(string(out)), "")
		for _, w := range append(tc.want, r.SHA256) {
			if !strings.Contains(text, strings.Join(strings.Fields(w), "")) {
				t.Errorf("%s PDF lacks %q; pdftotext read:\n%.3000s", tc.lang, w, out)
			}
		}
		if _, err := exec.LookPath("pdftoppm"); err == nil {
			if out, err := exec.Command("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "4", p, filepath.Join(dir, tc.lang)).CombinedOutput(); err != nil {
				t.Errorf("pdftoppm: %v %s", err, out)
			}
		}
	}
}
