package scope

import (
	"context"
	"fmt"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// DemoUSCC is the demo operator's unified social credit code: registration authority 9
// (market regulation), type 1 (company), Beijing (110000), organisation code MA01GRD8
// plus both check characters, computed rather than typed so it is valid by construction.
var DemoUSCC = CompleteUSCC("91110000MA01GRD8")

// demoSystem is one row of the demo inventory. Ages are counted back from the day the
// demo is seeded, so that what is overdue stays overdue however old the installation is.
type demoSystem struct {
	name, nameEN, owner, person string
	level                       int64
	gradedDaysAgo               int  // 0: not graded
	filed                       bool // filed 20 days after grading
	testMonthsAgo               int  // 0: never tested
	pi, important               bool
	dr, plan                    bool
	purpose, data               string
	status                      string // "", candidate, identified
	majorChangeMonthsAgo        int
	abroad                      bool // maintained from abroad, not reported
}

var demoSystems = []demoSystem{
	{name: "调度自动化系统（D5000）", nameEN: "Dispatch automation system (D5000)", owner: "调度控制中心", person: "孙志刚", level: 4, gradedDaysAgo: 1500, filed: true, testMonthsAgo: 3, dr: true, plan: true, important: true,
		purpose: "省级电网实时调度、发电计划与自动发电控制", data: "电网实时运行数据、发电计划、调度指令", status: CIIIdentified},
	{name: "电力监控系统（SCADA）", nameEN: "SCADA power monitoring system", owner: "调度控制中心", person: "孙志刚", level: 4, gradedDaysAgo: 1450, filed: true, testMonthsAgo: 8, dr: true, plan: true, important: true,
		purpose: "厂站遥测遥信采集与遥控", data: "遥测遥信数据、控制指令", status: CIIIdentified},
	{name: "变电站综合自动化监控系统", nameEN: "Substation monitoring system", owner: "运维检修部", person: "周海涛", level: 3, gradedDaysAgo: 1300, filed: true, testMonthsAgo: 6, dr: true, plan: true, important: true,
		purpose: "220kV 及以上变电站集中监控", data: "变电站运行数据、告警信息", status: CIIIdentified, majorChangeMonthsAgo: 2, abroad: true},
	{name: "用电信息采集系统", nameEN: "Electricity consumption data collection system", owner: "营销部", person: "马丽", level: 3, gradedDaysAgo: 1200, filed: true, testMonthsAgo: 5, pi: true, dr: true, plan: true,
		purpose: "智能电能表数据采集与费控", data: "860 万户用电数据、户号与地址", status: CIICandidate},
	{name: "电力营销业务应用系统", nameEN: "Electricity marketing system", owner: "营销部", person: "马丽", level: 3, gradedDaysAgo: 1200, filed: true, testMonthsAgo: 4, pi: true, dr: true, plan: true,
		purpose: "业扩报装、电费核算与收费", data: "客户身份信息、联系方式、电费账单", status: CIICandidate},
	{name: "95598 客户服务系统", nameEN: "95598 customer service system", owner: "客户服务中心", person: "高峰", level: 3, gradedDaysAgo: 1100, filed: true, testMonthsAgo: 7, pi: true, dr: true, plan: true,
		purpose: "供电服务热线、工单与投诉处理", data: "来电记录、通话录音、客户诉求"},
	{name: "网上国网 App 后台", nameEN: "Online grid app backend", owner: "数字化部", person: "林晓", level: 3, gradedDaysAgo: 900, filed: true, testMonthsAgo: 14, pi: true, dr: true, plan: true,
		purpose: "移动端缴费、办电与信息查询", data: "注册用户身份信息、支付记录"},
	{name: "配电自动化系统", nameEN: "Distribution automation system", owner: "运维检修部", person: "周海涛", level: 3, gradedDaysAgo: 1000, filed: true, testMonthsAgo: 6, dr: true, plan: true,
		purpose: "配电网故障定位、隔离与恢复供电", data: "配电网运行数据"},
	{name: "电能量计量系统", nameEN: "Energy metering system", owner: "调度控制中心", person: "吴斌", level: 3, gradedDaysAgo: 1400, filed: true, testMonthsAgo: 9, dr: true, plan: true,
		purpose: "关口电能量采集与结算", data: "关口计量数据"},
	{name: "调度数据网", nameEN: "Dispatch data network", owner: "信息通信分公司", person: "郑凯", level: 3, gradedDaysAgo: 1500, filed: true, testMonthsAgo: 5, dr: true, plan: true,
		purpose: "承载调度业务的专用数据网络", data: "网络配置与业务流量"},
	{name: "电力市场交易系统", nameEN: "Power market trading system", owner: "电力交易中心", person: "韩雪", level: 3, gradedDaysAgo: 800, filed: true, testMonthsAgo: 14, important: true, dr: true, plan: true,
		purpose: "中长期与现货交易申报、出清与结算", data: "市场主体报价、交易结果"},
	{name: "ERP 系统（SAP）", nameEN: "ERP system (SAP)", owner: "财务部", person: "钱永红", level: 3, gradedDaysAgo: 1600, filed: true, testMonthsAgo: 10, dr: true, plan: true,
		purpose: "财务、物资与项目一体化管理", data: "财务凭证、合同、供应商信息"},
	{name: "数据中心网络", nameEN: "Data centre network", owner: "信息通信分公司", person: "郑凯", level: 3, gradedDaysAgo: 1300, filed: true, testMonthsAgo: 6, dr: true, plan: true,
		purpose: "主备数据中心网络与安全区边界", data: "网络设备配置"},
	{name: "企业级数据中台", nameEN: "Enterprise data platform", owner: "数字化部", person: "林晓", level: 3, gradedDaysAgo: 200, filed: false, testMonthsAgo: 0, pi: true, important: true, dr: true,
		purpose: "跨专业数据汇聚、治理与共享", data: "营销、生产、财务汇聚数据"},
	{name: "电网资源业务中台", nameEN: "Grid resource platform", owner: "数字化部", person: "林晓", level: 3, gradedDaysAgo: 600, filed: true, testMonthsAgo: 8, dr: true, plan: true,
		purpose: "电网设备台账与拓扑统一服务", data: "设备台账、电网拓扑"},
	{name: "输电线路在线监测系统", nameEN: "Transmission line monitoring system", owner: "运维检修部", person: "周海涛", level: 2, gradedDaysAgo: 700, filed: true, testMonthsAgo: 20, plan: true,
		purpose: "覆冰、舞动与山火监测告警", data: "监测图像与传感器数据"},
	{name: "门户网站", nameEN: "Corporate website", owner: "办公室", person: "陈刚", level: 2, gradedDaysAgo: 1500, filed: true, testMonthsAgo: 18, plan: true,
		purpose: "对外信息发布与停电公告", data: "公开信息"},
	{name: "协同办公系统（OA）", nameEN: "Office automation (OA)", owner: "办公室", person: "陈刚", level: 2, gradedDaysAgo: 1500, filed: true, testMonthsAgo: 16, pi: true, dr: true, plan: true,
		purpose: "公文流转、会议与日程", data: "内部公文、员工通讯录"},
	{name: "电子邮件系统", nameEN: "E-mail system", owner: "信息通信分公司", person: "郑凯", level: 2, gradedDaysAgo: 1500, filed: true, testMonthsAgo: 16, pi: true, dr: true, plan: true,
		purpose: "企业邮箱", data: "邮件往来"},
	{name: "财务管控系统", nameEN: "Financial control system", owner: "财务部", person: "钱永红", level: 3, gradedDaysAgo: 1200, filed: true, testMonthsAgo: 7, dr: true, plan: true,
		purpose: "预算、资金与会计核算", data: "财务报表、银行账户信息"},
	{name: "人力资源管理系统", nameEN: "HR management system", owner: "人力资源部", person: "刘婷", level: 2, gradedDaysAgo: 1200, filed: true, testMonthsAgo: 15, pi: true, dr: true,
		purpose: "人事、薪酬与绩效管理", data: "员工身份证号、薪酬、家庭信息"},
	{name: "视频会议系统", nameEN: "Video conferencing system", owner: "信息通信分公司", person: "", level: 2, gradedDaysAgo: 900, filed: true, testMonthsAgo: 20,
		purpose: "各级单位视频会议与应急会商", data: "会议录像"},
	{name: "办公网", nameEN: "Office network", owner: "信息通信分公司", person: "郑凯", level: 2, gradedDaysAgo: 1500, filed: true, testMonthsAgo: 16, plan: true,
		purpose: "管理信息大区办公网络", data: "网络设备配置"},
	{name: "物资管理系统", nameEN: "Materials management system", owner: "物资部", person: "黄磊", level: 2, gradedDaysAgo: 1000, filed: true, testMonthsAgo: 17,
		purpose: "物资需求、库存与配送", data: "库存、供应商信息"},
	{name: "安全生产风险管控平台", nameEN: "Safety risk control platform", owner: "安全监察部", person: "何军", level: 2, gradedDaysAgo: 700, filed: true, testMonthsAgo: 12, plan: true,
		purpose: "作业风险管控与违章管理", data: "作业计划、违章记录"},
	{name: "工程建设管理系统", nameEN: "Construction project management system", owner: "建设部", person: "罗鹏", level: 2, gradedDaysAgo: 150, filed: false,
		purpose: "基建项目进度、质量与安全管理", data: "项目文档、施工单位信息"},
	{name: "档案管理系统", nameEN: "Records management system", owner: "办公室", person: "陈刚", level: 2, gradedDaysAgo: 1100, filed: true, testMonthsAgo: 19, dr: true,
		purpose: "电子档案归档与利用", data: "归档文件"},
	{name: "统一身份认证平台", nameEN: "Single sign-on platform", owner: "数字化部", person: "林晓", level: 3, gradedDaysAgo: 900, filed: true, testMonthsAgo: 5, pi: true, dr: true, plan: true,
		purpose: "员工账号、认证与权限", data: "员工账号与口令摘要"},
	{name: "移动作业平台", nameEN: "Mobile field work platform", owner: "运维检修部", person: "周海涛", level: 2, gradedDaysAgo: 500, filed: true, testMonthsAgo: 11,
		purpose: "现场巡检与抢修工单", data: "工单、现场照片"},
	{name: "应急指挥系统", nameEN: "Emergency command system", owner: "安全监察部", person: "何军", level: 3, gradedDaysAgo: 1000, filed: true, testMonthsAgo: 9, dr: true, plan: true,
		purpose: "大面积停电应急指挥与资源调配", data: "应急资源、预案"},
	{name: "网络安全态势感知平台", nameEN: "Security situational awareness platform", owner: "信息通信分公司", person: "郑凯", level: 3, gradedDaysAgo: 600, filed: true, testMonthsAgo: 4, dr: true, plan: true,
		purpose: "安全日志汇聚、威胁监测与处置", data: "安全日志与告警"},
	{name: "生产管理系统（PMS）", nameEN: "Production management system (PMS)", owner: "运维检修部", person: "周海涛", level: 3, gradedDaysAgo: 1300, filed: true, testMonthsAgo: 10, dr: true, plan: true,
		purpose: "设备运维、检修计划与缺陷管理", data: "设备台账、检修记录"},
	{name: "气象信息系统", nameEN: "Weather information system", owner: "调度控制中心", person: "吴斌", level: 2, gradedDaysAgo: 800, filed: true, testMonthsAgo: 20,
		purpose: "气象预报与灾害预警接入", data: "气象数据"},
	{name: "充电设施运营平台", nameEN: "EV charging platform", owner: "营销部", person: "马丽", level: 3, gradedDaysAgo: 400, filed: true, testMonthsAgo: 6, pi: true, dr: true, plan: true,
		purpose: "公共充电桩运营与结算", data: "用户账号、车辆与充电记录"},
	{name: "电子商务采购平台", nameEN: "E-procurement platform", owner: "物资部", person: "黄磊", level: 3, gradedDaysAgo: 1000, filed: true, testMonthsAgo: 7, dr: true, plan: true,
		purpose: "招标采购与供应商管理", data: "投标文件、供应商资质"},
	{name: "党建信息系统", nameEN: "Party-building system", owner: "党委工作部", person: "许静", level: 2, gradedDaysAgo: 900, filed: true, testMonthsAgo: 18, pi: true,
		purpose: "党组织与党员管理", data: "党员信息"},
	{name: "培训管理系统", nameEN: "Training management system", owner: "人力资源部", person: "刘婷", level: 1, gradedDaysAgo: 700,
		purpose: "培训计划、课程与学时", data: "培训记录"},
	{name: "科技项目管理系统", nameEN: "R&D project management system", owner: "科技部", person: "唐伟", level: 1, gradedDaysAgo: 600,
		purpose: "科技项目立项与验收", data: "项目资料"},
	{name: "电力科学研究院实验室信息系统", nameEN: "Laboratory information system", owner: "电力科学研究院", person: "唐伟", level: 2, gradedDaysAgo: 500, filed: true, testMonthsAgo: 13,
		purpose: "试验任务与检测报告管理", data: "试验数据、检测报告"},
	{name: "开发测试环境", nameEN: "Development and test environment", owner: "数字化部", person: "林晓", level: 0,
		purpose: "应用开发与测试（不承载生产数据）", data: "脱敏测试数据"},
}

// SeedDemo implements kernel.DemoSeeder: the demo operator gets a profile, a valid credit
// code and an inventory of 40 systems whose state gives a first visit met duties, gaps
// and late ones.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	if m.svc == nil {
		return fmt.Errorf("scope demo: module not registered")
	}
	return SeedDemo(ctx, m.svc, d.Operator.ID, time.Now())
}

// SeedDemo fills organisation orgID with the demo profile and inventory, dating everything
// relative to now.
func SeedDemo(ctx context.Context, s *Service, orgID int64, now time.Time) error {
	ctx = store.WithOrg(ctx, orgID)
	if a := audit.ActorFrom(ctx); a.UserID == 0 && a.Label == "system" {
		ctx = audit.WithActor(ctx, audit.Actor{OrgID: orgID, Label: "demo seed"})
	}
	today := now.UTC().Truncate(24 * time.Hour)
	daysAgo := func(n int) Date { return DateOf(today.AddDate(0, 0, -n)) }
	monthsAgo := func(n int) Date { return DateOf(today.AddDate(0, -n, 0)) }
	_, err := s.SaveProfile(ctx, ProfileInput{
		USCC: DemoUSCC, Sectors: []string{"energy"}, Region: "北京市",
		Regulators: []string{"示例能源监管局（电力行业关键信息基础设施保护工作部门）", "北京市公安局网络安全保卫总队", "北京市互联网信息办公室"},
		PISubjects: 8_600_000, SensitivePISubjects: 120_000, HasImportantData: true, DataSecurityOfficerNamed: true,
		// The date of the annual report the reports demo signed off; no duty reads this
		// typed date any more (docs/reports.md), the profile only shows it.
		LastRiskAssessment: monthsAgo(13), LastPISelfInspection: monthsAgo(5),
	})
	if err != nil {
		return fmt.Errorf("demo profile: %w", err)
	}
	for i, ds := range demoSystems {
		in := SystemInput{Name: ds.name, NameEN: ds.nameEN, Owner: ds.owner, ResponsiblePerson: ds.person, Sector: "energy",
			Purpose: ds.purpose, Location: "北京主数据中心", DataHeld: ds.data, MLPSLevel: ds.level, CIIStatus: CIINone,
			HoldsPersonalInfo: ds.pi, HoldsImportantData: ds.important,
			MaintenanceAbroad: ds.abroad}
		if ds.gradedDaysAgo > 0 {
			in.GradedOn = daysAgo(ds.gradedDaysAgo)
			in.GoLive = daysAgo(ds.gradedDaysAgo + 90)
		} else {
			in.GoLive = daysAgo(300)
		}
		if ds.filed {
			in.FiledOn = daysAgo(ds.gradedDaysAgo - 20)
			in.FilingNumber = fmt.Sprintf("11010813%03d-%05d", 100+i, 24000+i*7)
		}
		if ds.testMonthsAgo > 0 {
			in.LastMLPSTest = monthsAgo(ds.testMonthsAgo)
			in.LastSelfInspection = monthsAgo(ds.testMonthsAgo)
		}
		if ds.abroad {
			// The monitoring software's vendor diagnoses faults remotely from outside China;
			// nobody has reported that to the department and the police in advance.
			in.Location = "北京主数据中心；原厂技术支持从境外远程接入"
		}
		sys, err := s.CreateSystem(ctx, in)
		if err != nil {
			return fmt.Errorf("demo system %s: %w", ds.name, err)
		}
		if ds.status == "" {
			continue
		}
		answers := Answers{Sector: "energy", CoreFunction: true, UsersServed: 8_600_000, RegionalScope: "provincial",
			OtherCIIDepend: ds.level == 4, PISubjects: 0, ImportantData: ds.important, TolerableOutage: "under_1h",
			EconomyLivelihood: true, PublicInterest: true, NationalSecurity: ds.level == 4,
			Notes: "全省供电服务依赖本系统；中断将影响生产生活用电。"}
		if ds.pi {
			answers.PISubjects = 8_600_000
			answers.TolerableOutage = "hours"
		}
		if _, err := s.Assess(ctx, sys.ID, answers); err != nil {
			return fmt.Errorf("demo assessment of %s: %w", ds.name, err)
		}
		if ds.status != CIIIdentified {
			continue
		}
		if _, err := s.Identify(ctx, sys.ID, Notice{On: monthsAgo(11), Doc: fmt.Sprintf("示能监安认〔%d〕%d号", today.AddDate(0, -11, 0).Year(), 3+i)}); err != nil {
			return fmt.Errorf("demo identification of %s: %w", ds.name, err)
		}
		if ds.majorChangeMonthsAgo > 0 {
			if _, err := s.ReportMajorChange(ctx, sys.ID, monthsAgo(ds.majorChangeMonthsAgo)); err != nil {
				return fmt.Errorf("demo major change of %s: %w", ds.name, err)
			}
		}
	}
	return nil
}
