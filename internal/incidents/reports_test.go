package incidents

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/kernel/cjkfont"
)

// reportIncident is a 较大 ransomware incident on a CII system, every field of the record set.
func reportIncident() *Incident {
	det, start := cstAt("2026-12-01 09:00"), cstAt("2026-12-01 08:40")
	return &Incident{ID: 7, Title: "勒索软件", Type: "malware", Subtype: "ransomware", DetectedAt: det, StartedAt: &start, Place: "二号机房",
		Systems: []SystemRef{{ID: 1, Name: "调度自动化系统", CII: true}}, Impact: Impact{PILeaked: 1_200_000, PISensitive: true, CIIMainDownMin: 20},
		Ransom: &Ransom{Amount: "30 BTC", Method: "暗网钓鱼页面", Date: "2026-12-01"}, Measures: "断网隔离", Route: RouteCII.Code,
		Computed: RelativelyMajor, Criterion: "relatively_major:pi_leaked:1000000", Status: StatusOpen}
}

// TestFirstReportDraft: a first report drafted from the record carries IRM 2025 Art. 7's first
// two items in both languages — the unit and facility; time, place, type, grade with its
// criterion, impact, measures and the ransomware items — and marks the other six to follow.
func TestFirstReportDraft(t *testing.T) {
	c := Draft(KindFirst, "示例电网公司", "Example Grid Co.", reportIncident(), DefaultThresholds(2*time.Hour, 6*time.Hour))
	wantZh := map[string][]string{
		"unit":  {"示例电网公司", "调度自动化系统（关键信息基础设施）"},
		"event": {"2026-12-01 09:00", "2026-12-01 08:40", "二号机房", "恶意程序事件", "勒索软件事件", "较大", "个人信息泄露 ≥ 1,000,000人", "1,200,000人的个人信息泄露（含敏感个人信息）", "主要功能中断20分钟", "30 BTC", "暗网钓鱼页面", "断网隔离"},
	}
	wantEn := map[string][]string{
		"unit":  {"Example Grid Co.", "调度自动化系统 (CII)"},
		"event": {"Detected 2026-12-01 09:00 (China time)", "Malicious program", "Ransomware", "relatively major", "personal information of ≥ 1,000,000 people leaked", "1,200,000 people", "sensitive", "20m0s", "30 BTC", "断网隔离"},
	}
	for lang, want := range map[string]map[string][]string{"zh": wantZh, "en": wantEn} {
		for key, parts := range want {
			text := c.Text(map[string]string{"zh": "zh-CN", "en": "en"}[lang], key)
			for _, p := range parts {
				if !strings.Contains(text, p) {
					t.Errorf("%s %s lacks %q:\n%s", lang, key, p, text)
				}
			}
		}
	}
	// Art. 7 para. 1 items 3–8, left to follow.
	if got := strings.Join(c.ToFollow, ","); got != "trend,cause,tracing,next,scene,other" {
		t.Errorf("to follow: %s", got)
	}
	if miss := c.Missing(KindFirst); len(miss) != 0 {
		t.Errorf("a drafted first report misses %v", miss)
	}
	c.Zh["event"] = ""
	if miss := c.Missing(KindFirst); len(miss) != 1 || miss[0] != "event" {
		t.Errorf("without item 2: missing %v, want [event]", miss)
	}
}

// TestReportItems: the items of each report kind against the text of IRM 2025 Arts. 7 and 8
// as the brief renders them.
func TestReportItems(t *testing.T) {
	keys := func(kind string) string {
		var k []string
		for _, it := range ItemsOf(kind) {
			k = append(k, it.Key)
		}
		return strings.Join(k, ",")
	}
	// Art. 7: unit and facility; time, place, type, grade, impact, measures and effect; likely
	// development; initial cause; tracing leads; next steps and help requested; scene; other.
	if got := keys(KindFirst); got != "unit,event,trend,cause,tracing,next,scene,other" {
		t.Errorf("first report items: %s", got)
	}
	// Art. 8: cause, response, harm, accountability, remediation, lessons (after the unit).
	if got := keys(KindSummary); got != "unit,cause,response,harm,accountability,remediation,lessons" {
		t.Errorf("summary items: %s", got)
	}
	for _, it := range ItemsOf(KindSummary) {
		if !it.Required {
			t.Errorf("summary item %s is optional; Art. 8 asks for every one", it.Key)
		}
	}
	c := Draft(KindSummary, "示例", "Example", reportIncident(), DefaultThresholds(2*time.Hour, 6*time.Hour))
	if miss := strings.Join(c.Missing(KindSummary), ","); miss != "cause,accountability,remediation,lessons" {
		t.Errorf("a drafted summary misses %s, want the four the record cannot know", miss)
	}
	if err := validContent(KindSummary, Content{ToFollow: []string{"cause"}}); err == nil {
		t.Error("a summary left an item to follow")
	}
	if err := validContent(KindFirst, Content{ToFollow: []string{"event"}}); err == nil {
		t.Error("a first report left item 2 to follow")
	}
}

// TestPDFChinese renders a first report as PDF in both languages and reads it back with
// pdftotext: the Chinese text comes out as Chinese (the font is embedded), every item heading
// is there, and the items left to follow say so.
func TestPDFChinese(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext missing: scripts/install-test-deps.sh installs poppler-utils")
	}
	font, err := (&cjkfont.Loader{}).Load()
	if err != nil {
		t.Skipf("no CJK font (scripts/install-test-deps.sh installs fonts-wqy-microhei): %v", err)
	}
	in := reportIncident()
	c := Draft(KindFirst, "示例电网公司", "Example Grid Co.", in, DefaultThresholds(2*time.Hour, 6*time.Hour))
	sent, due := cstAt("2026-12-01 09:48"), cstAt("2026-12-01 10:00")
	rep := Report{Kind: KindFirst, Number: 1, Version: 2, Content: c, SentAt: &sent, DueAt: &due, SentTo: []Authority{ProtectionDept, Police}}
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"zh-CN", []string{"网络安全事件首报", "示例电网公司", "事件级别：较大", "发现时间：2026-12-01 09:00", "报送时限：2026-12-01 10:00", "保护工作部门、公安机关",
			"1. 单位名称及受影响的设施", "3. 事态发展趋势", "8. 其他应当报告的情况", "待续报", "1,200,000人的个人信息泄露", "30 BTC"}},
		{"en", []string{"Cybersecurity incident first report", "Example Grid Co.", "Grade: relatively major", "Due: 2026-12-01 10:00", "1. Organisation and affected facility", "To follow", "调度自动化系统"}},
	} {
		b, err := PDF(font, tc.lang, map[string]string{"zh-CN": "示例电网公司", "en": "Example Grid Co."}[tc.lang], in, rep)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("/FontFile2")) {
			t.Fatalf("%s: not a PDF with an embedded TrueType font", tc.lang)
		}
		p := filepath.Join(t.TempDir(), "r.pdf")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", p, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		text := strings.Join(strings.Fields(string(out)), "")
		for _, w := range tc.want {
			if !strings.Contains(text, strings.Join(strings.Fields(w), "")) {
				t.Errorf("%s PDF lacks %q; pdftotext read:\n%s", tc.lang, w, out)
			}
		}
	}
}

// TestPDFKeepsEveryCharacter: long Chinese items, an organisation name and a title that wrap
// over several lines come back whole from pdftotext once white space is taken out. fpdf's
// MultiCell, which the report used first, dropped the Chinese character at each break it
// made (it treats the break as a space).
func TestPDFKeepsEveryCharacter(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext missing in CI: scripts/install-test-deps.sh installs poppler-utils")
		}
		t.Skip("pdftotext missing: scripts/install-test-deps.sh installs poppler-utils")
	}
	font, err := (&cjkfont.Loader{}).Load()
	if err != nil {
		t.Skipf("no CJK font (scripts/install-test-deps.sh installs fonts-wqy-microhei): %v", err)
	}
	// Hand-written items, each several A4 lines long at 10 pt, with punctuation, digits and
	// Latin words between the Chinese, and an explicit line break in one of them.
	org := "国家电网某省电力有限公司调度控制中心信息通信分公司网络安全运行维护保障部门第二联合工作组"
	items := map[string]string{
		"unit":  org + "；受影响设施：调度自动化系统（关键信息基础设施）、电力市场交易系统、用电信息采集系统、配电自动化主站系统、营销业务应用系统",
		"event": "2026年12月1日08时40分，二号机房的调度自动化系统前置服务器出现异常加密行为，攻击者利用VPN网关的未修补漏洞CVE-2026-12345进入内网，横向移动至SCADA历史数据库服务器并部署勒索软件，导致主要功能中断二十分钟，约一百二十万人的个人信息疑似泄露。\n值班人员随即断网隔离受影响主机，启动应急预案并通知保护工作部门。",
		"trend": "攻击者仍在尝试通过钓鱼邮件重新进入内网，安全团队已封堵相关域名和地址，预计二十四小时内可完全恢复业务，但不排除数据被公开出售的可能性，需要持续监测暗网市场的相关信息。",
	}
	c := Content{Zh: items, En: map[string]string{}}
	rep := Report{Kind: KindFirst, Number: 1, Version: 1, Content: c}
	b, err := PDF(font, "zh-CN", org, reportIncident(), rep)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	if n := strings.Count(string(out), "\n"); n < 15 {
		t.Fatalf("the items did not wrap (only %d lines): the test proves nothing", n)
	}
	for _, w := range []string{"报告单位：" + org, items["unit"], items["event"], items["trend"]} {
		if w := strings.Join(strings.Fields(w), ""); !strings.Contains(text, w) {
			t.Errorf("the PDF lacks\n%s\npdftotext read:\n%s", w, out)
		}
	}
}
