package reports_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/kernel/cjkfont"
	"ciiguard/internal/reports"
	"ciiguard/internal/rules"
)

// TestPDFKeepsEveryCharacter: an assessor's long Chinese sections (one with a Latin word and
// spaces inside, one with explicit line breaks), a long organisation name and a long task
// title in the remediation table wrap over several lines and come back whole from
// pdftotext once white space is taken out. fpdf's own line breaker (MultiCell) drops the
// Chinese character at each break; the report's breaks keep them. This passed when it was
// written: the report breaks lines itself (doc.wrap), not with MultiCell.
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
	summary := "本年度共开展两轮网络安全检测和风险评估，覆盖调度自动化系统、电力市场交易系统和用电信息采集系统等全部已认定的关键信息基础设施，发现高危漏洞十二个、中危漏洞三十五个，其中通过 VPN 网关暴露的远程代码执行漏洞已于十月完成修补，其余问题均已制定整改计划并明确责任人和完成期限。"
	method := "采用人工渗透测试与自动化漏洞扫描相结合的方法。\n第一阶段：资产梳理与基线核查，核对全部系统的等级保护定级备案情况和网络边界配置。\n第二阶段：针对关键业务流程开展专项测试，重点检查身份鉴别、访问控制、安全审计和数据备份恢复措施的落实情况。"
	task := "完成调度自动化系统前置服务器操作系统升级并关闭不必要的远程管理端口，同步更新安全基线核查清单和应急预案"
	org := "国家电网某省电力有限公司调度控制中心信息通信分公司网络安全运行维护保障部门"
	c := reports.Content{
		Kind: reports.KindAnnual, Year: 2026, From: "2026-01-01", To: "2026-12-31", Version: 1,
		GeneratedAt:  time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC),
		Organisation: reports.Organisation{NameZh: org, NameEn: "Example Grid Co."},
		Basis:        []rules.Text{{Zh: "《关键信息基础设施安全保护条例》（2021）第十七条", En: "CIIR 2021 Art. 17"}},
		Remediation:  reports.Remediation{Available: true, Tasks: []reports.TaskRow{{ID: 1, Title: task, Owner: "张三", Due: "2027-03-31", Status: "open"}}},
		Sections: []reports.Section{
			{Key: "summary", Title: rules.Text{Zh: "总体情况", En: "Summary"}, Zh: summary},
			{Key: "method", Title: rules.Text{Zh: "检测评估方法", En: "Method"}, Zh: method},
		},
	}
	b, err := reports.PDF(font, "zh-CN", c, reports.Stamp{JSONSHA256: strings.Repeat("ab", 32)})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	// pdftotext reads the task's row cell by cell line by line: the task title's first line,
	// then the row's other cells, then the title's other lines. Taking the other cells out
	// leaves the title as one run.
	text = strings.Replace(text, "张三2027-03-31open—", "", 1)
	for _, w := range []string{summary, method, task, org} {
		if w := strings.Join(strings.Fields(w), ""); !strings.Contains(text, w) {
			t.Errorf("the PDF lacks\n%s\npdftotext read:\n%s", w, out)
		}
	}
}
