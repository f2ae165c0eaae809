package suppliers

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/kernel/uscc"
	"ciiguard/internal/store"
)

// DemoAfter implements kernel.DemoAfter: an arrangement of the demo's maintenance from
// abroad links to the data capability's demo transfer.
func (m *Module) DemoAfter() []string { return []string{"data"} }

// SeedDemo implements kernel.DemoSeeder: the demo operator's supply chain — 25 suppliers
// (three registered abroad) and 60 products and services over its inventory, every critical
// device and security product certified (the dispatch data network's core switch for 20 more
// days only; the gateway 网闸 by the renewed certificate its supplier, the demo supplier
// organisation, shares, its own record's having lapsed), some placed on the certification
// catalogue. The demo's compliance standing stays as the other capabilities' tests know it.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	sm := d.Users[auth.SecurityManager]
	ctx = store.WithOrg(ctx, d.Operator.ID)
	ctx = audit.WithActor(ctx, audit.Actor{UserID: sm.ID, OrgID: d.Operator.ID, Label: sm.Email + " (security_manager)"})
	if err := SeedDemo(ctx, m.Service); err != nil {
		return err
	}
	if admin, ok := d.Users[auth.Admin]; ok {
		if err := demoApprovals(ctx, m.Service, audit.Actor{UserID: admin.ID, OrgID: d.Operator.ID, Label: admin.Email + " (admin)"}); err != nil {
			return err
		}
	}
	if err := m.demoSubSuppliers(ctx); err != nil {
		return err
	}
	own, err := m.ImportTemplate(ctx, TemplateInput{TitleZh: "电网运维供应商补充问卷", TitleEn: "Grid operations suppliers' supplementary questionnaire"},
		strings.NewReader(demoTemplateCSV))
	if err != nil {
		return fmt.Errorf("demo questionnaire template: %w", err)
	}
	if err := m.demoRetiredTemplate(ctx); err != nil {
		return err
	}
	if d.Supplier.ID == 0 {
		return nil
	}
	// The demo supplier organisation is one of the grid operator's suppliers: linked, it
	// sees the operator among its customers and shares its advisories with it.
	xs, err := m.Suppliers(ctx)
	if err != nil {
		return err
	}
	for _, x := range xs {
		if x.Name == demoPlatformSupplier {
			if _, err := m.LinkPlatformOrg(ctx, x.ID, d.Supplier.ID); err != nil {
				return fmt.Errorf("demo link of %s: %w", x.Name, err)
			}
			if su, ok := d.Users[auth.SupplierUser]; ok {
				sctx := store.WithOrg(audit.WithActor(ctx, audit.Actor{UserID: su.ID, OrgID: d.Supplier.ID, Label: su.Email + " (supplier_user)"}), d.Supplier.ID)
				if err := m.demoOwnQuestionnaire(ctx, sctx, x.ID, own.ID); err != nil {
					return fmt.Errorf("demo questionnaire of %s with the grid's own template: %w", x.Name, err)
				}
				if err := m.demoQuestionnaire(ctx, sctx, x.ID); err != nil {
					return fmt.Errorf("demo questionnaire of %s: %w", x.Name, err)
				}
				if err := m.demoSharedCertificate(sctx, d.Operator.ID); err != nil {
					return fmt.Errorf("demo shared certificate of %s: %w", x.Name, err)
				}
			}
		}
	}
	return nil
}

// demoQuestionnaire: the grid sent its security questionnaire to the demo supplier, which
// answered (no list of sub-suppliers yet); the grid accepted the answers, so that one
// finding is open, to be followed up within 20 days.
func (m *Module) demoQuestionnaire(ctx, sctx context.Context, supplierID int64) error {
	today := chinaDay(m.Now())
	q, err := m.SendQuestionnaire(ctx, supplierID, SendInput{DueOn: today.AddDate(0, 0, 14).Format("2006-01-02")})
	if err != nil {
		return err
	}
	in, err := m.Inbox(sctx)
	if err != nil || len(in) == 0 {
		return fmt.Errorf("the supplier's inbox: %d received, %v", len(in), err)
	}
	var as []Answer
	for _, qu := range q.Questions {
		a := Answer{Key: qu.Key, Answer: qu.Expect}
		switch qu.Key {
		case "certification":
			a.Evidence = "工业防火墙 3.6：安全认证证书 CCRC-2025-ISP-0417（演示）"
		case "sub_suppliers":
			a.Answer, a.Note = AnswerNo, "下级供应商清单正在整理，预计下月提供"
		case "notes":
			a.Note = "防火墙固件在本单位天津工厂生产，运维由北京团队负责。"
		}
		as = append(as, a)
	}
	if _, err := m.AnswerQuestionnaire(sctx, in[0].ID, as); err != nil {
		return err
	}
	_, _, err = m.DecideQuestionnaire(ctx, q.ID, ReviewDecision{Decision: "accept", Notes: "回答完整；下级供应商清单限期提供",
		FollowUp: today.AddDate(0, 0, 20).Format("2006-01-02")})
	return err
}

// demoTemplateCSV is the grid's own questionnaire, as its security team would prepare it in
// a spreadsheet: five questions, one in Chinese only.
const demoTemplateCSV = `key,question_zh,question_en,kind,options_zh,options_en,expect,weight,basis_zh,basis_en
remote_mfa,远程运维是否全部经运维堡垒机并启用多因素认证？,Does all remote maintenance go through our bastion host with multi-factor authentication?,yes_no,,,yes,3,《网络安全等级保护基本要求》（GB/T 22239-2019）三级 安全计算环境,GB/T 22239-2019 level 3: secure computing environment
staff_screening,驻场运维人员是否经过背景审查并签署保密承诺？,Are your on-site maintenance staff background-checked and bound by a confidentiality undertaking?,yes_no,,,yes,2,《关键信息基础设施安全保护条例》（2021）第二十条,CII Security Protection Regulation 2021 Art. 20
media_control,是否禁止在本单位生产系统上使用未经检测的移动存储介质？,,yes_no,,,yes,1,,
patch_window,补丁是否只在本单位批准的变更窗口内安装？,Do you install patches only in change windows we approve?,yes_no,,,yes,1,,
notify_hours,发现涉及本单位的网络安全事件后，多少小时内通知本单位？,Within how many hours of discovering an incident that concerns us do you tell us?,number,,,<=1,2,本单位运维合同第7条,Clause 7 of our operations contract
mlps_level,贵单位运维管理系统的等级保护备案级别？,At which MLPS level is your maintenance management system filed?,choice,二级|三级|四级,Level 2|Level 3|Level 4,三级|四级,1,,
pentest_on,最近一次针对运维通道的渗透测试日期？,When was the maintenance channel last penetration-tested?,date,,,365天内,1,,
duty_contact,7×24 小时值班联系人及电话,Round-the-clock duty contact and phone,text,,,,,,
`

// demoRetiredTemplate: the grid's first own questionnaire, replaced by the supplementary one
// and retired.
func (m *Module) demoRetiredTemplate(ctx context.Context) error {
	old, err := m.ImportTemplate(ctx, TemplateInput{TitleZh: "运维供应商问卷（2025版）", TitleEn: "Operations suppliers' questionnaire (2025)"},
		strings.NewReader("key,question_zh,question_en,kind,expect\nremote_access,远程运维是否经本单位审批？,Is remote maintenance approved by us?,yes_no,yes\n"))
	if err != nil {
		return fmt.Errorf("demo retired template: %w", err)
	}
	_, err = m.RetireTemplate(ctx, old.ID, RetireInput{Reason: "已由电网运维供应商补充问卷取代"})
	return err
}

// demoOwnQuestionnaire: before its default questionnaire, the grid sent the demo supplier
// its own one; the supplier answered every question as it should (no removable media on
// site, so that one does not apply) and the grid accepted the answers, with no finding.
func (m *Module) demoOwnQuestionnaire(ctx, sctx context.Context, supplierID, templateID int64) error {
	today := chinaDay(m.Now())
	q, err := m.SendQuestionnaire(ctx, supplierID, SendInput{DueOn: today.AddDate(0, 0, 7).Format("2006-01-02"), TemplateID: templateID})
	if err != nil {
		return err
	}
	in, err := m.Inbox(sctx)
	if err != nil || len(in) == 0 {
		return fmt.Errorf("the supplier's inbox: %d received, %v", len(in), err)
	}
	as := []Answer{{Key: "remote_mfa", Answer: AnswerYes, Evidence: "堡垒机访问策略截图（演示）"}, {Key: "staff_screening", Answer: AnswerYes},
		{Key: "media_control", Answer: AnswerNA, Note: "驻场人员不携带移动存储介质，现场无可用接口"}, {Key: "patch_window", Answer: AnswerYes},
		{Key: "notify_hours", Answer: "0.5", Note: "值班工程师确认后30分钟内电话通知"}, {Key: "mlps_level", Answer: "2"},
		{Key: "pentest_on", Answer: today.AddDate(0, -4, 0).Format(time.DateOnly), Evidence: "渗透测试报告 PT-2026-031（演示）"},
		{Key: "duty_contact", Note: "北京运维中心 010-5555 0100（演示）"}}
	if _, err := m.AnswerQuestionnaire(sctx, in[0].ID, as); err != nil {
		return err
	}
	_, _, err = m.DecideQuestionnaire(ctx, q.ID, ReviewDecision{Decision: "accept", Notes: "补充问卷回答完整"})
	return err
}

// demoSharedCertificate: the demo supplier renewed the certificate of its gateway 网闸 2.8
// twenty days ago and shared it with the grid, whose own record of it has lapsed: the shared
// one keeps the gateway certified.
func (m *Module) demoSharedCertificate(sctx context.Context, operator int64) error {
	today := chinaDay(m.Now())
	c, err := m.CreateCredential(sctx, CredentialInput{Kind: CredCertificate, Product: "网闸", Version: "2.8",
		Number: fmt.Sprintf("CCRC-%d-ISP-0888", today.AddDate(0, 0, -20).Year()), Body: "中国网络安全审查认证和市场监管大数据中心",
		Scope: "网络和终端隔离产品安全认证（演示）", Dated: today.AddDate(0, 0, -20).Format("2006-01-02"), Expires: today.AddDate(3, 0, -21).Format("2006-01-02")})
	if err != nil {
		return err
	}
	_, err = m.ShareCredential(sctx, c.ID, operator)
	return err
}

// demoCategories places some demo products on the catalogue: the core router reaches the
// router range, the office WAN router is every figure below it, the aggregation switch gives
// one figure only (counted, cautiously), and security products by their category.
var demoCategories = map[string]struct {
	category string
	specs    map[string]float64
}{
	"核心路由器":    {"router", map[string]float64{"throughput_tbps": 25.6, "routing_table_entries": 4000000}},
	"广域网路由器":   {"router", map[string]float64{"throughput_tbps": 1.2, "routing_table_entries": 300000}},
	"汇聚交换机":    {"switch", map[string]float64{"throughput_tbps": 2.4}},
	"Web应用防火墙": {"web_application_firewall", nil},
	"入侵检测系统":   {"ids", nil},
	"工业防火墙":    {"firewall", nil},
	"网闸":       {"network_terminal_isolation", nil},
}

// demoPlatformSupplier is the demo supplier that is also the demo supplier organisation
// (示例安全设备有限公司, its firewalls and gateways in the grid operator's register).
const demoPlatformSupplier = "示例安全设备有限公司"

// demoSupplier is one demo supplier: a Chinese one gets a unified social credit code made
// from its number, a foreign one its registration number.
type demoSupplier struct {
	name, country, foreignReg, ownership string
}

var demoSuppliers = []demoSupplier{
	{name: "华北网络设备股份有限公司", country: "CN", ownership: "上市公司，第一大股东为省属国有资本投资公司（持股32%）"},
	{name: "京华信息安全技术有限公司", country: "CN", ownership: "民营企业，创始人控股"},
	{name: "东方电力自动化有限公司", country: "CN", ownership: "中央企业全资子公司"},
	{name: "长城数据通信有限公司", country: "CN"},
	{name: "远景云计算服务有限公司", country: "CN", ownership: "民营企业"},
	{name: "燕山软件开发有限公司", country: "CN"},
	{name: "北辰系统集成有限公司", country: "CN"},
	{name: "恒信密码技术有限公司", country: "CN", ownership: "国有控股"},
	{name: "中原运维服务有限公司", country: "CN"},
	{name: "海岳数据库软件有限公司", country: "CN"},
	{name: "星河终端设备有限公司", country: "CN"},
	{name: "天衡安全检测技术有限公司", country: "CN"},
	{name: "瀚海存储技术有限公司", country: "CN"},
	{name: demoPlatformSupplier, country: "CN", ownership: "民营企业；在本平台开设了供应商账号，向本单位共享安全公告"},
	{name: "联创办公软件有限公司", country: "CN"},
	{name: "清源电力软件有限公司", country: "CN"},
	{name: "金桥网络工程有限公司", country: "CN"},
	{name: "华夏视频通信有限公司", country: "CN"},
	{name: "晨光外包开发有限公司", country: "CN"},
	{name: "神州身份认证技术有限公司", country: "CN"},
	{name: "万通物联网科技有限公司", country: "CN"},
	{name: "明德人力资源软件有限公司", country: "CN"},
	{name: "富士山电力系统株式会社", country: "JP", foreignReg: "7010401022916", ownership: "境外上市公司；变电站监控软件原厂，从境外远程提供技术支持"},
	{name: "莱茵工业控制有限公司", country: "DE", foreignReg: "86891", ownership: "境外私营企业"},
	{name: "海峡数据服务有限公司", country: "HK", foreignReg: "2938471", ownership: "香港注册，境内无分支机构"},
}

// demoProduct is one demo product: its supplier (index into demoSuppliers), kind, systems by
// name and, for the kinds that need it, the certificate's remaining days (negative: lapsed).
type demoProduct struct {
	supplier      int
	name, version string
	typ           string
	systems       []string
	certDays      int
	donated       bool
}

var demoProducts = []demoProduct{
	{0, "核心路由器", "NE8000-X8", "critical_network_equipment", []string{"调度数据网"}, 400, false},
	{0, "汇聚交换机", "S7700", "critical_network_equipment", []string{"数据中心网络", "办公网"}, 300, false},
	{0, "数据中心核心交换机", "CE12800", "critical_network_equipment", []string{"数据中心网络"}, 520, false},
	{0, "调度数据网核心交换机", "S9300", "critical_network_equipment", []string{"调度数据网"}, 20, false},
	{1, "下一代防火墙", "6.4", "security_product", []string{"调度数据网", "数据中心网络"}, 200, false},
	{1, "入侵检测系统", "5.0", "security_product", []string{"数据中心网络"}, 150, false},
	{1, "网络安全态势感知探针", "3.2", "security_product", []string{"网络安全态势感知平台"}, 610, false},
	{1, "Web应用防火墙", "4.1", "security_product", []string{"门户网站", "电力营销业务应用系统"}, 90, false},
	{2, "调度自动化平台软件", "D5000", "software", []string{"调度自动化系统（D5000）"}, 0, false},
	{2, "电力监控前置机", "3.0", "critical_network_equipment", []string{"电力监控系统（SCADA）"}, 700, false},
	{2, "纵向加密认证装置", "2.5", "security_product", []string{"调度数据网", "电力监控系统（SCADA）"}, 450, false},
	{2, "配电自动化主站软件", "4.2", "software", []string{"配电自动化系统"}, 0, false},
	{3, "光传输设备", "OSN 7500", "critical_network_equipment", []string{"调度数据网"}, 380, false},
	{3, "广域网路由器", "AR6300", "critical_network_equipment", []string{"办公网"}, 260, false},
	{4, "政务云主机服务", "", "cloud", []string{"网上国网 App 后台", "充电设施运营平台"}, 0, false},
	{4, "对象存储服务", "", "cloud", []string{"企业级数据中台"}, 0, false},
	{5, "营销业务应用定制开发", "2.3", "outsourced_development", []string{"电力营销业务应用系统"}, 0, false},
	{5, "移动作业应用开发", "1.8", "outsourced_development", []string{"移动作业平台"}, 0, false},
	{6, "机房网络集成服务", "", "maintenance", []string{"数据中心网络"}, 0, false},
	{6, "负载均衡设备", "5.5", "critical_network_equipment", []string{"网上国网 App 后台"}, 330, false},
	{7, "服务器密码机", "3.0", "security_product", []string{"统一身份认证平台"}, 540, false},
	{7, "签名验签服务器", "2.1", "security_product", []string{"电力市场交易系统"}, 480, false},
	{8, "信息系统运行维护服务", "", "maintenance", []string{"协同办公系统（OA）", "电子邮件系统", "档案管理系统"}, 0, false},
	{8, "桌面终端运维服务", "", "maintenance", []string{"办公网"}, 0, false},
	{9, "关系型数据库", "8.6", "software", []string{"电力营销业务应用系统", "财务管控系统"}, 0, false},
	{9, "时序数据库", "2.0", "software", []string{"用电信息采集系统"}, 0, false},
	{10, "采集终端", "3.1", "other", []string{"用电信息采集系统"}, 0, false},
	{10, "移动作业终端", "2.0", "other", []string{"移动作业平台"}, 0, false},
	{11, "渗透测试服务", "", "maintenance", []string{"门户网站"}, 0, false},
	{11, "等级测评服务", "", "maintenance", nil, 0, false},
	{12, "集中式存储", "5000", "critical_network_equipment", []string{"企业级数据中台", "ERP 系统（SAP）"}, 410, false},
	{12, "备份一体机", "2.0", "other", []string{"调度自动化系统（D5000）", "电力监控系统（SCADA）"}, 0, false},
	{13, "工业防火墙", "3.6", "security_product", []string{"变电站综合自动化监控系统", "配电自动化系统"}, 220, false},
	{13, "网闸", "2.8", "security_product", []string{"电力监控系统（SCADA）"}, -10, false}, // renewed: the supplier shares the new certificate
	{13, "虚拟专用网网关", "4.0", "security_product", []string{"移动作业平台"}, 180, false},
	{14, "协同办公软件", "9.0", "software", []string{"协同办公系统（OA）"}, 0, false},
	{14, "邮件系统软件", "6.2", "software", []string{"电子邮件系统"}, 0, false},
	{15, "电能量计量主站软件", "3.3", "software", []string{"电能量计量系统"}, 0, false},
	{15, "电力市场交易软件", "2.0", "software", []string{"电力市场交易系统"}, 0, false},
	{15, "生产管理系统软件", "4.0", "software", []string{"生产管理系统（PMS）"}, 0, false},
	{16, "综合布线工程", "", "other", []string{"办公网"}, 0, false},
	{16, "网络优化服务", "", "maintenance", []string{"调度数据网"}, 0, false},
	{17, "视频会议终端", "8.0", "other", []string{"视频会议系统"}, 0, false},
	{17, "视频会议平台软件", "5.1", "software", []string{"视频会议系统"}, 0, false},
	{18, "数据中台定制开发", "1.2", "outsourced_development", []string{"企业级数据中台"}, 0, false},
	{18, "充电平台定制开发", "2.0", "outsourced_development", []string{"充电设施运营平台"}, 0, false},
	{19, "统一身份认证软件", "5.0", "software", []string{"统一身份认证平台"}, 0, false},
	{19, "动态口令令牌", "2.0", "security_product", []string{"统一身份认证平台"}, 290, false},
	{20, "输电线路监测装置", "1.5", "other", []string{"输电线路在线监测系统"}, 0, false},
	{20, "物联网接入网关", "2.2", "critical_network_equipment", []string{"输电线路在线监测系统"}, 160, false},
	{21, "人力资源管理软件", "7.0", "software", []string{"人力资源管理系统"}, 0, false},
	{21, "培训管理软件", "3.0", "software", []string{"培训管理系统"}, 0, true},
	{22, "变电站监控软件", "6.1", "software", []string{"变电站综合自动化监控系统"}, 0, false},
	{22, "远程技术支持服务", "", "maintenance", []string{"变电站综合自动化监控系统"}, 0, false},
	{23, "可编程逻辑控制器", "S7-1500", "other", []string{"变电站综合自动化监控系统"}, 0, false},
	{23, "工业以太网交换机", "4.0", "critical_network_equipment", []string{"变电站综合自动化监控系统"}, 250, false},
	{24, "数据分析外包服务", "", "outsourced_development", []string{"电网资源业务中台"}, 0, false},
	{24, "气象数据服务", "", "cloud", []string{"气象信息系统"}, 0, false},
	{3, "卫星通信终端", "2.0", "critical_network_equipment", []string{"应急指挥系统"}, 340, false},
	{1, "终端安全管理系统", "7.2", "security_product", []string{"办公网"}, 120, false},
}

// SeedDemo records the demo supply chain for the context's organisation, dated from s.Now.
func SeedDemo(ctx context.Context, s *Service) error {
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return fmt.Errorf("read the inventory: %w", err)
	}
	byName := map[string]int64{}
	for _, x := range systems {
		byName[x.Name] = x.ID
	}
	ids := make([]int64, len(demoSuppliers))
	for i, ds := range demoSuppliers {
		in := SupplierInput{Name: ds.name, Country: ds.country, ForeignReg: ds.foreignReg, Ownership: ds.ownership,
			Contacts: fmt.Sprintf("客户经理 电话 010-6%07d", 1000+i*37)}
		if ds.country == "CN" {
			in.USCC = uscc.Complete(fmt.Sprintf("91110108MA%06d", 10+i))
		}
		x, err := s.CreateSupplier(ctx, in)
		if err != nil {
			return fmt.Errorf("demo supplier %s: %w", ds.name, err)
		}
		ids[i] = x.ID
	}
	today := s.Now().In(calendar.Shanghai)
	for _, dp := range demoProducts {
		in := ProductInput{Name: dp.name, Version: dp.version, Type: dp.typ, Donated: dp.donated}
		if c, ok := demoCategories[dp.name]; ok {
			in.Category, in.Specs = c.category, c.specs
		}
		for _, n := range dp.systems {
			if id, ok := byName[n]; ok {
				in.Systems = append(in.Systems, id)
			}
		}
		p, err := s.CreateProduct(ctx, ids[dp.supplier], in)
		if err != nil {
			return fmt.Errorf("demo product %s: %w", dp.name, err)
		}
		if !TypeOf(dp.typ).NeedsCert {
			continue
		}
		exp := today.AddDate(0, 0, dp.certDays)
		if _, err := s.SetCertificate(ctx, p.ID, CertificateInput{Number: fmt.Sprintf("CCRC-%d-%04d", exp.Year()-3, p.ID),
			Body: "中国网络安全审查认证和市场监管大数据中心", Scope: "网络关键设备和网络安全专用产品安全认证", Expires: exp.Format("2006-01-02")}); err != nil {
			return fmt.Errorf("demo certificate of %s: %w", dp.name, err)
		}
	}
	return seedDemoRecords(ctx, s, ids, byName, today)
}

// seedDemoRecords gives every demo supplier an agreement in force with every duty and a
// performance review in the last year, every outsourced or donated product a passed pre-use
// assessment, and records the substation monitoring system's maintenance from Japan — begun
// three months ago and never reported, as the inventory's flag for that system says.
func seedDemoRecords(ctx context.Context, s *Service, ids []int64, systems map[string]int64, today time.Time) error {
	all := make([]string, len(Duties))
	for i, d := range Duties {
		all[i] = d.Code
	}
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	for i, id := range ids {
		if _, err := s.AddAgreement(ctx, id, AgreementInput{Title: "网络安全和保密协议", SignedOn: day(-400 - 11*i), ExpiresOn: day(700 - 9*i), Duties: all}); err != nil {
			return fmt.Errorf("demo agreement %d: %w", i, err)
		}
		if _, err := s.AddReview(ctx, id, ReviewInput{ReviewedOn: day(-30 - 7*i), Result: ReviewSatisfactory, Notes: "年度履约检查，未发现问题"}); err != nil {
			return fmt.Errorf("demo review %d: %w", i, err)
		}
	}
	prods, err := s.ListProducts(ctx, 0)
	if err != nil {
		return err
	}
	for _, p := range prods {
		if !p.NeedsPreUse() {
			continue
		}
		if _, err := s.AddAssessment(ctx, p.ID, AssessmentInput{AssessedOn: day(-200), Result: AssessPassed, Findings: "代码审计和渗透测试未发现高危问题"}); err != nil {
			return fmt.Errorf("demo assessment of %s: %w", p.Name, err)
		}
	}
	sys, ok := systems["变电站综合自动化监控系统"]
	if !ok {
		return nil // an inventory without the demo's systems
	}
	jp := ids[22] // 富士山电力系统株式会社
	if _, err := s.AddMaintenance(ctx, jp, MaintenanceInput{SystemID: sys, FromCountry: "JP", StartsOn: day(-90),
		Description: "原厂工程师从境外通过远程接入诊断监控软件故障、升级补丁"}); err != nil {
		return fmt.Errorf("demo maintenance: %w", err)
	}
	return seedDemoLateReport(ctx, s, ids, sys, day)
}

// seedDemoLateReport records the German control-system maker's firmware maintenance of the
// substation monitoring system from Germany: begun two months ago and reported to the
// department and the police only eight days after it began, so the demo shows a report made
// late, a finding of its own beside the unreported one from Japan.
func seedDemoLateReport(ctx context.Context, s *Service, ids []int64, sys int64, day func(int) string) error {
	de := supplierNamed(ids, "莱茵工业控制有限公司")
	if de == 0 {
		return nil
	}
	m, err := s.AddMaintenance(ctx, de, MaintenanceInput{SystemID: sys, FromCountry: "DE", StartsOn: day(-60),
		Description: "原厂工程师从德国远程升级可编程控制器固件"})
	if err != nil {
		return fmt.Errorf("demo maintenance from Germany: %w", err)
	}
	keeper, ok := s.ev.(interface {
		Store(ctx context.Context, name string, r io.Reader) (string, error)
	})
	if !ok {
		return nil // evidence that cannot keep the demo's receipt: the arrangement stays unreported
	}
	// The receipt's uploader is shown as a person's upload shows it: the address alone.
	uploader := audit.ActorFrom(ctx)
	uploader.Label, _, _ = strings.Cut(uploader.Label, " (")
	sha, err := keeper.Store(audit.WithActor(ctx, uploader), "境外远程维护报告回执（示例）", strings.NewReader("关于变电站综合自动化监控系统境外远程维护的报告（回执）"))
	if err != nil {
		return fmt.Errorf("demo report receipt: %w", err)
	}
	if _, err := s.ReportMaintenance(ctx, m.ID, ReportInput{ReportedOn: day(-52), Evidence: sha}); err != nil {
		return fmt.Errorf("demo late report: %w", err)
	}
	return seedDemoDataAccess(ctx, s, de, sys, sha, day)
}

// seedDemoDataAccess records the German vendor's remote diagnostics of the substation
// monitoring system, reported ten days before it began: its engineers reach the personal
// information of the staff on duty, so the arrangement links to the data capability's demo
// transfer to that vendor, whose assessment covers it.
func seedDemoDataAccess(ctx context.Context, s *Service, de, sys int64, receipt string, day func(int) string) error {
	routes, err := s.routes(ctx)
	if err != nil {
		return err
	}
	var transfer int64
	for _, x := range routes {
		if x.Recipient == "莱茵工业控制有限公司" {
			transfer = x.ID
		}
	}
	if transfer == 0 {
		return nil // no data capability, or its demo has no transfer to the vendor
	}
	m, err := s.AddMaintenance(ctx, de, MaintenanceInput{SystemID: sys, FromCountry: "DE", StartsOn: day(-20),
		Description:   "原厂工程师从德国远程诊断保护装置告警，可查看值班人员信息",
		DataLinkInput: DataLinkInput{DataAccess: []string{"pi"}, TransferID: transfer}})
	if err != nil {
		return fmt.Errorf("demo maintenance reaching personal information: %w", err)
	}
	if _, err := s.ReportMaintenance(ctx, m.ID, ReportInput{ReportedOn: day(-30), Evidence: receipt}); err != nil {
		return fmt.Errorf("demo advance report: %w", err)
	}
	return nil
}

// supplierNamed is the id of the demo supplier of that name, 0 when the demo has none.
func supplierNamed(ids []int64, name string) int64 {
	for i, ds := range demoSuppliers {
		if ds.name == name && i < len(ids) {
			return ids[i]
		}
	}
	return 0
}

// demoSubSuppliers: the first demo supplier, a domestic network equipment maker, depends on
// a German optics maker and a domestic operating-system vendor.
func (m *Module) demoSubSuppliers(ctx context.Context) error {
	xs, err := m.Suppliers(ctx)
	if err != nil {
		return err
	}
	for _, x := range xs {
		if x.Name != demoSuppliers[0].name {
			continue
		}
		for _, in := range []SubSupplierInput{{Name: "Example Optics GmbH", Country: "DE", Supplies: "核心交换机的光模块"},
			{Name: "华夏操作系统有限公司", Country: "CN", Supplies: "设备操作系统"}} {
			if _, err := m.AddSubSupplier(ctx, x.ID, in); err != nil {
				return fmt.Errorf("demo sub-supplier %s: %w", in.Name, err)
			}
		}
	}
	return nil
}

// demoApprovals has the administrator approve every pre-use assessment the security manager
// recorded (four eyes), then records a reassessment of the outsourced data-analysis service's
// new release with one unresolved high finding, awaiting approval: the product stays cleared
// by its approved assessment while the new one waits.
func demoApprovals(ctx context.Context, s *Service, admin audit.Actor) error {
	as, err := s.Assessments(ctx, 0) // every product's
	if err != nil {
		return err
	}
	actx := audit.WithActor(ctx, admin)
	for _, a := range as {
		if a.AwaitsApproval() {
			if _, err := s.ApproveAssessment(actx, a.ID, ApprovalInput{}); err != nil {
				return fmt.Errorf("demo approval of assessment %d: %w", a.ID, err)
			}
		}
	}
	prods, err := s.ListProducts(ctx, 0)
	if err != nil {
		return err
	}
	for _, p := range prods {
		if p.Name != "数据分析外包服务" {
			continue
		}
		day := chinaDay(s.Now()).AddDate(0, 0, -2).Format("2006-01-02")
		if _, err := s.AddAssessment(ctx, p.ID, AssessmentInput{AssessedOn: day, Result: AssessPassed, HighFindings: 1,
			Findings: "新版本代码审计发现1个高危问题（接口未鉴权），已提出整改要求；其余问题已修复"}); err != nil {
			return fmt.Errorf("demo reassessment of %s: %w", p.Name, err)
		}
	}
	return nil
}
