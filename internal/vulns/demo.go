package vulns

import (
	"context"
	"fmt"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// demoVuln is one demo vulnerability of the grid operator: the product (name and version of
// the suppliers demo register), how long ago it was found, and what happened since.
type demoVuln struct {
	in              NewVuln
	product, ver    string
	ago             time.Duration
	status          string
	authorityReport time.Duration // after discovery; 0: none
}

var demoVulns = []demoVuln{
	{in: NewVuln{Title: "调度自动化平台软件远程代码执行漏洞", CNVD: "CNVD-2026-70011", CVSSVector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", NationalSecurity: true,
		Nature: "反序列化", Harm: "未经认证的远程攻击者可在调度主站执行任意代码", Scope: "D5000 全部在运版本"},
		product: "调度自动化平台软件", ver: "D5000", ago: 20 * 24 * time.Hour, status: "open", authorityReport: 9 * time.Hour},
	{in: NewVuln{Title: "关系型数据库权限提升漏洞", CVE: "CVE-2026-30011", CVSSVector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", Disclosed: true,
		Nature: "权限提升", Harm: "低权限数据库账号可获得管理员权限", Scope: "8.6 及以下版本"},
		product: "关系型数据库", ver: "8.6", ago: 10 * 24 * time.Hour, status: "mitigating"},
	{in: NewVuln{Title: "可编程逻辑控制器固件认证绕过漏洞", CVSSVector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
		Nature: "认证绕过", Harm: "可远程改写控制逻辑", Scope: "S7-1500 固件 3.0 以下版本"},
		product: "可编程逻辑控制器", ver: "S7-1500", ago: 3 * 24 * time.Hour, status: "open"},
	{in: NewVuln{Title: "应用防火墙规则绕过漏洞", CVE: "CVE-2026-28870", CNNVD: "CNNVD-202610-1877", CVSSVector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N", Disclosed: true,
		Nature: "输入验证", Harm: "特制请求可绕过防护规则", Scope: "4.1 及以下版本"},
		product: "Web应用防火墙", ver: "4.1", ago: 40 * 24 * time.Hour, status: "fixed"},
}

// DemoAfter implements kernel.DemoAfter: the demo's vulnerabilities are in the suppliers'
// demo products.
func (m *Module) DemoAfter() []string { return []string{"suppliers"} }

// SeedDemo implements kernel.DemoSeeder: four vulnerabilities in the grid operator's
// products — the dispatch platform's, critical and endangering national security, reported
// to the authority within 24 hours but 20 days open, past its 7-day fix deadline; the
// database's being mitigated; the PLC's, undisclosed, three days old; the WAF's fixed — and
// one in a product of the demo supplier, found six hours ago, its two-day report to MIIT's
// platform running; and the supplier's advisory for its industrial firewall, shared with the
// grid operator.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	sm, ok := d.Users[auth.SecurityManager]
	if !ok {
		return nil
	}
	now := m.Now()
	octx := store.WithOrg(audit.WithActor(ctx, audit.Actor{UserID: sm.ID, OrgID: d.Operator.ID, Label: sm.Email + " (security_manager)"}), d.Operator.ID)
	refs, err := m.productRefs(octx)
	if err != nil {
		return fmt.Errorf("vulns demo: %w", err)
	}
	for _, dv := range demoVulns {
		in := dv.in
		for _, r := range sortedRefs(refs) {
			if r.Name == dv.product && r.Version == dv.ver {
				in.Products = []ProductSpec{{ProductID: r.ID}}
			}
		}
		if in.Products == nil {
			return fmt.Errorf("vulns demo: no product %s %s in the register", dv.product, dv.ver)
		}
		found := now.Add(-dv.ago)
		in.DiscoveredAt = found.UTC().Format(time.RFC3339)
		v, err := m.Create(octx, in)
		if err != nil {
			return fmt.Errorf("vulns demo %s: %w", in.Title, err)
		}
		if dv.authorityReport > 0 {
			if _, err := m.RecordReport(octx, v.ID, NewReport{Kind: ReportAuthority, Authority: "国家能源局", Reference: "NEA-VR-2026-0147",
				ReportedAt: found.Add(dv.authorityReport).UTC().Format(time.RFC3339)}); err != nil {
				return fmt.Errorf("vulns demo report: %w", err)
			}
		}
		if dv.status != "open" {
			if _, err := m.SetStatus(octx, v.ID, dv.status, "厂商补丁已于维护窗口安装"); err != nil {
				return fmt.Errorf("vulns demo status: %w", err)
			}
		}
	}
	su, ok := d.Users[auth.SupplierUser]
	if !ok || d.Supplier.ID == 0 {
		return nil
	}
	sctx := store.WithOrg(audit.WithActor(ctx, audit.Actor{UserID: su.ID, OrgID: d.Supplier.ID, Label: su.Email + " (supplier_user)"}), d.Supplier.ID)
	if _, err := m.Create(sctx, NewVuln{Title: "工业交换机管理接口命令注入漏洞", CVSSVector: "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H",
		Nature: "命令注入", Harm: "管理员账号被盗用时可执行系统命令", Scope: "ISW-3000 系列",
		DiscoveredAt: now.Add(-6 * time.Hour).UTC().Format(time.RFC3339),
		Products:     []ProductSpec{{Name: "工业以太网交换机", Model: "ISW-3000", Version: "2.1"}}}); err != nil {
		return fmt.Errorf("vulns demo supplier: %w", err)
	}
	return m.seedDemoShared(sctx, d, now)
}

// seedDemoShared adds the demo supplier's advisory for its industrial firewall — found 12
// days ago, reported to MIIT's platform within a day, fixed by a firmware release — and
// shares it with the grid operator, which names the supplier in its register and uses the
// firewall on two systems.
func (m *Module) seedDemoShared(sctx context.Context, d kernel.Demo, now time.Time) error {
	found := now.Add(-12 * 24 * time.Hour)
	v, err := m.Create(sctx, NewVuln{Title: "工业防火墙网页管理界面身份认证绕过漏洞", CVE: "CVE-2026-41873", CVSSVector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
		Disclosed: true, Nature: "身份认证绕过", Harm: "未经认证的攻击者可修改防火墙策略，放行任意流量", Scope: "工业防火墙 3.6 及以下版本（3.6.2 已修复）",
		Description:  "请尽快升级至 3.6.2 版本固件；升级前限制管理界面仅从运维网段访问。",
		DiscoveredAt: found.UTC().Format(time.RFC3339),
		Products:     []ProductSpec{{Name: "工业防火墙", Model: "IFW-3600", Version: "3.6"}}})
	if err != nil {
		return fmt.Errorf("vulns demo advisory: %w", err)
	}
	if _, err := m.RecordReport(sctx, v.ID, NewReport{Kind: ReportMIIT, Reference: "NVDB-2026-118734", ReportedAt: found.Add(20 * time.Hour).UTC().Format(time.RFC3339)}); err != nil {
		return fmt.Errorf("vulns demo advisory report: %w", err)
	}
	if _, err := m.SetStatus(sctx, v.ID, "fixed", "已发布 3.6.2 版本固件"); err != nil {
		return fmt.Errorf("vulns demo advisory status: %w", err)
	}
	if _, err := m.ShareWith(sctx, v.ID, d.Operator.ID); err != nil {
		return fmt.Errorf("vulns demo advisory share: %w", err)
	}
	return nil
}
