package data

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// SeedDemo implements kernel.DemoSeeder: the demo operator's data map — 30 data assets over
// its inventory (customer records of 8.6 million people, the grid topology notified as
// important data) and 6 transfers abroad: research data without personal information
// (exempt, CBDF 2024 Art. 3), the app's international users (a CII operator's export, so
// assessed; its count passed 1,000,000 this year, the day shown), a vendor's remote
// diagnostics whose assessment expires within months (its extension window open or near), expatriate
// staff to the group's HR abroad (exempt, Art. 5(2)), de-identified load data (no mechanism
// needed), and staff medical data to an insurer under an approved assessment. Every transfer
// of personal information has its impact assessment before it began. Deletion at the end of
// retention: the charging records deleted with their log as proof, the video-conference
// recordings overdue.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	sm := d.Users[auth.SecurityManager]
	ctx = store.WithOrg(ctx, d.Operator.ID)
	ctx = audit.WithActor(ctx, audit.Actor{UserID: sm.ID, OrgID: d.Operator.ID, Label: sm.Email + " (security_manager)"})
	if err := SeedDemo(ctx, m.Service); err != nil {
		return err
	}
	// The deletion log is a file in the evidence store, whose list shows its uploader: the
	// address alone, as a person's upload shows it.
	ctx = audit.WithActor(ctx, audit.Actor{UserID: sm.ID, OrgID: d.Operator.ID, Label: sm.Email})
	if err := seedDeletions(ctx, m.Service, m.ev); err != nil {
		return err
	}
	return seedReviews(ctx, m.Service, m.ev)
}

// seedReviews records the demo's yearly reviews, each report stored in the evidence store
// when there is one: the self-inspection done 140 days ago (later than the profile's typed-in
// day, about five months ago), last year's risk assessment report submitted 335 days ago to
// the energy regulator, and this year's report scheduled, due in 30 days.
func seedReviews(ctx context.Context, s *Service, ev kernel.Evidence) error {
	today := chinaDay(s.Now())
	day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
	year := today.Year()
	report := func(name, body string) (string, bool, error) {
		if ev == nil {
			return fmt.Sprintf("%x", sha256.Sum256([]byte(body))), false, nil
		}
		sum, err := ev.Store(ctx, name, strings.NewReader(body))
		return sum, true, err
	}
	done := []struct {
		in              ReviewInput
		doneOn, to, sum string
		name, body      string
	}{
		{in: ReviewInput{Kind: KindSelfInspection, Period: day(-140)[:4], DueOn: day(-130)}, doneOn: day(-140),
			sum:  "检查了客户档案、用电信息采集和App注册用户的收集规则公示、访问控制和日志留存；发现2个系统管理员共用账号，已于10日内整改",
			name: "个人信息保护自查报告（示例）", body: "示例电网公司个人信息保护年度自查报告\n自查日期：" + day(-140) + "\n"},
		{in: ReviewInput{Kind: KindRiskReport, Period: fmt.Sprint(year - 1), DueOn: day(-330)}, doneOn: day(-335), to: "示例能源监管局（省级电力行业主管部门）",
			sum:  "评估了电网拓扑与运行方式数据、电力监控实时数据的处理活动；主要风险为运维人员越权访问，已增加双人复核",
			name: "重要数据风险评估报告（示例）", body: "示例电网公司重要数据处理活动风险评估报告\n报送日期：" + day(-335) + "\n"},
	}
	for _, d := range done {
		r, err := s.ScheduleReview(ctx, d.in)
		if err != nil {
			return fmt.Errorf("demo review %s %s: %w", d.in.Kind, d.in.Period, err)
		}
		sum, uploaded, err := report(d.name, d.body)
		if err != nil {
			return fmt.Errorf("demo report %s: %w", d.name, err)
		}
		if _, err := s.CompleteReview(ctx, r.ID, CompleteInput{DoneOn: d.doneOn, Summary: d.sum, SubmittedTo: d.to, ReportSHA256: sum, uploaded: uploaded}); err != nil {
			return fmt.Errorf("demo review %s %s done: %w", d.in.Kind, d.in.Period, err)
		}
	}
	if _, err := s.ScheduleReview(ctx, ReviewInput{Kind: KindRiskReport, Period: fmt.Sprint(year), DueOn: day(30)}); err != nil {
		return fmt.Errorf("demo risk report %d: %w", year, err)
	}
	return nil
}

// demoAsset is one demo asset: categories, sensitive kinds, people, level, the systems by
// name and where it is stored abroad ("" for China only).
type demoAsset struct {
	name, dept string
	cats       []string
	kinds      []string
	people     int64
	systems    []string
	abroad     string
	basis      string
}

// demoDesignation is the demo's notice making grid topology important data.
const demoDesignation = "示例能源监管局《电力行业重要数据目录（第一批）》告知书（示能监〔2025〕12号）"

var demoAssets = []demoAsset{
	{"电力用户档案", "营销部", []string{"pi", "sensitive_pi"}, []string{"financial", "specific_identity"}, 8_600_000, []string{"电力营销业务应用系统"}, "", "contract"},
	{"用电信息采集数据", "营销部", []string{"pi"}, nil, 8_400_000, []string{"用电信息采集系统"}, "", "contract"},
	{"95598 客户服务记录", "客户服务中心", []string{"pi"}, nil, 2_300_000, []string{"95598 客户服务系统"}, "", "contract"},
	{"网上国网 App 注册用户", "数字化部", []string{"pi"}, nil, 5_100_000, []string{"网上国网 App 后台"}, "", "consent"},
	{"网上国网 App 国际版用户", "数字化部", []string{"pi"}, nil, 1_200_000, []string{"网上国网 App 后台"}, "新加坡", "consent"},
	{"电费缴费流水", "财务部", []string{"pi", "sensitive_pi"}, []string{"financial"}, 120_000, []string{"财务管控系统"}, "", "contract"},
	{"充电桩用户与充电记录", "营销部", []string{"pi", "sensitive_pi"}, []string{"whereabouts"}, 95_000, []string{"充电设施运营平台"}, "", "contract"},
	{"员工人事档案", "人力资源部", []string{"pi", "sensitive_pi"}, []string{"specific_identity"}, 18_500, []string{"人力资源管理系统"}, "", "hr"},
	{"外派员工档案", "人力资源部", []string{"pi"}, nil, 320, []string{"人力资源管理系统"}, "", "hr"},
	{"外派员工体检与医疗记录", "人力资源部", []string{"pi", "sensitive_pi"}, []string{"medical"}, 320, []string{"人力资源管理系统"}, "", "consent"},
	{"员工培训记录", "人力资源部", []string{"pi"}, nil, 18_500, []string{"培训管理系统"}, "", "hr"},
	{"统一身份认证账号", "数字化部", []string{"pi", "sensitive_pi"}, []string{"biometric"}, 19_000, []string{"统一身份认证平台"}, "", "hr"},
	{"电网拓扑与运行方式数据", "调度控制中心", []string{"important"}, nil, 0, []string{"调度自动化系统（D5000）"}, "", ""},
	{"电力监控实时数据", "调度控制中心", []string{"important"}, nil, 0, []string{"电力监控系统（SCADA）"}, "", ""},
	{"变电站设备台账", "运维检修部", []string{"general"}, nil, 0, []string{"生产管理系统（PMS）"}, "", ""},
	{"变电站设备运行遥测数据", "运维检修部", []string{"general"}, nil, 0, []string{"变电站综合自动化监控系统"}, "", ""},
	{"配电网运行数据", "运维检修部", []string{"general"}, nil, 0, []string{"配电自动化系统"}, "", ""},
	{"电能量计量数据", "调度控制中心", []string{"general"}, nil, 0, []string{"电能量计量系统"}, "", ""},
	{"脱敏负荷曲线数据集", "电力科学研究院", []string{"general"}, nil, 0, []string{"企业级数据中台"}, "", ""},
	{"电力市场交易数据", "电力交易中心", []string{"general"}, nil, 0, []string{"电力市场交易系统"}, "", ""},
	{"市场主体联系人", "电力交易中心", []string{"pi"}, nil, 4_200, []string{"电力市场交易系统"}, "", "contract"},
	{"财务报表与凭证", "财务部", []string{"general"}, nil, 0, []string{"财务管控系统", "ERP 系统（SAP）"}, "", ""},
	{"物资采购与供应商信息", "物资部", []string{"pi"}, nil, 3_100, []string{"物资管理系统", "电子商务采购平台"}, "", "contract"},
	{"输电线路巡检影像", "运维检修部", []string{"general"}, nil, 0, []string{"输电线路在线监测系统"}, "", ""},
	{"气象观测与预报数据", "调度控制中心", []string{"general"}, nil, 0, []string{"气象信息系统"}, "", ""},
	{"办公公文与档案", "办公室", []string{"general"}, nil, 0, []string{"协同办公系统（OA）", "档案管理系统"}, "", ""},
	{"电子邮件", "信息通信分公司", []string{"pi"}, nil, 19_000, []string{"电子邮件系统"}, "", "hr"},
	{"视频会议录像", "信息通信分公司", []string{"pi"}, nil, 6_000, []string{"视频会议系统"}, "", "hr"},
	{"网络安全日志", "信息通信分公司", []string{"pi"}, nil, 19_000, []string{"网络安全态势感知平台"}, "", "legal_duty"},
	{"厂商远程诊断工程师联系人", "运维检修部", []string{"pi"}, nil, 3_000, []string{"变电站综合自动化监控系统"}, "", "contract"},
}

// demoRetentionEnds are the demo assets whose retention has an end day, in days from the
// demo's day: the charging records' ended two months ago and were deleted (seedDeletions),
// the video-conference recordings' ended three weeks ago with nothing deleted (the overdue
// finding), the training records are kept for another year.
var demoRetentionEnds = map[string]int{"充电桩用户与充电记录": -60, "视频会议录像": -21, "员工培训记录": 365}

// seedDeletions records the deletion of the charging records at the end of their retention,
// its proof (the deletion log) stored in the evidence store when there is one.
func seedDeletions(ctx context.Context, s *Service, ev kernel.Evidence) error {
	as, err := s.Assets(ctx)
	if err != nil {
		return err
	}
	today := chinaDay(s.Now())
	for _, a := range as {
		if a.Name != "充电桩用户与充电记录" {
			continue
		}
		on := today.AddDate(0, 0, -55).Format(time.DateOnly)
		proof := fmt.Sprintf("充电设施运营平台个人信息删除日志\n日期：%s\n范围：保存期限届满的充电用户档案和充电记录（2019年及以前注册、已注销的用户）\n方式：数据库删除，备份库同步清除\n执行：王磊；复核：陈静\n", on)
		in := DeletionInput{DeletedOn: on, What: "2019年及以前注册且已注销用户的档案和充电记录（约3.1万人）", DeletedBy: "王磊（营销部系统管理员），陈静复核",
			Method: "database_delete", EvidenceSHA256: fmt.Sprintf("%x", sha256.Sum256([]byte(proof)))}
		if ev != nil {
			sum, err := ev.Store(ctx, "充电记录删除日志（示例）", strings.NewReader(proof))
			if err != nil {
				return fmt.Errorf("demo deletion proof: %w", err)
			}
			in.EvidenceSHA256, in.uploaded = sum, true
		}
		if _, err := s.AddDeletion(ctx, a.ID, in); err != nil {
			return fmt.Errorf("demo deletion of %s: %w", a.Name, err)
		}
	}
	return nil
}

// SeedDemo records the demo data map for the context's organisation, dated from s.Now.
func SeedDemo(ctx context.Context, s *Service) error {
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return fmt.Errorf("read the inventory: %w", err)
	}
	byName := map[string]int64{}
	for _, x := range systems {
		byName[x.Name] = x.ID
	}
	today := chinaDay(s.Now())
	ids := map[string]int64{}
	for _, da := range demoAssets {
		in := AssetInput{Name: da.name, Department: da.dept, Categories: da.cats, SensitiveKinds: da.kinds, People: da.people,
			Retention: "业务终止后5年", LegalBasis: da.basis, Purposes: "供电服务、电网运行和经营管理", Level: "general",
			LevelReason: "不在有关部门告知或公布的重要数据目录内，按一般数据管理", Locations: []Location{{Region: "北京市"}}}
		for _, n := range da.systems {
			if id, ok := byName[n]; ok {
				in.Systems = append(in.Systems, id)
			}
		}
		if da.abroad != "" {
			in.Locations = append(in.Locations, Location{Region: da.abroad, Abroad: true})
		}
		if d, ok := demoRetentionEnds[da.name]; ok {
			in.RetentionEndsOn = today.AddDate(0, 0, d).Format(time.DateOnly)
		}
		if da.people > 0 {
			in.Volume = fmt.Sprintf("约%d万条", da.people/10_000+1)
		}
		if da.cats[0] == "important" {
			in.Level, in.Designation = "important", demoDesignation
			in.LevelReason = "列入行业主管部门告知的重要数据目录，一旦泄露可能危害电力系统运行安全"
		}
		a, err := s.CreateAsset(ctx, in)
		if err != nil {
			return fmt.Errorf("demo asset %s: %w", da.name, err)
		}
		ids[da.name] = a.ID
	}
	jan1 := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, calendar.Shanghai)
	// at is a day the given share of the way from 1 January to today, so that the year's
	// batches stay in this year whenever the demo is made.
	at := func(share float64) string {
		return jan1.Add(time.Duration(float64(today.Sub(jan1)) * share)).Format(time.DateOnly)
	}
	day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
	// The vendor's approval expires in about a month: issued three years ago less 30 days,
	// but no earlier than the 2024 rules (an approval issued under the 2022 Measures lasted
	// two years and has expired by now), so that its extension window is open or near.
	vendorResult := today.AddDate(-3, 0, 30)
	if first := s.Rules.Versions[len(s.Rules.Versions)-1].from; vendorResult.Before(first) {
		vendorResult = first
	}
	pia := PIPIAInput{PurposeNecessity: "出境目的明确，字段限于实现目的所必需", RightsImpact: "对个人权益影响有限，已评估泄露、滥用风险",
		SecurityMeasures: "传输加密、访问控制、合同约束接收方", CountryRisks: "已评估接收方所在地个人信息保护法律和执法情况", Approver: "李强（网络安全和信息化领导小组办公室）"}
	type demoTransfer struct {
		in      TransferInput
		batches []BatchInput
		mech    *MechanismInput
		pia     string // the impact assessment's day, "" for none
	}
	transfers := []demoTransfer{
		{in: TransferInput{Recipient: "新加坡能源技术研究院", RecipientCountry: "新加坡", RecipientRole: "handler", Assets: []int64{ids["变电站设备运行遥测数据"]},
			Fields: "设备型号、运行温度、负载率（不含人员信息）", Purpose: "联合研究设备老化模型", Frequency: "monthly", StartOn: at(0.05), Exemption: "trade_academic_no_pi"},
			batches: []BatchInput{{SentOn: at(0.5)}}},
		{in: TransferInput{Recipient: "亚洲电网云服务有限公司", RecipientCountry: "新加坡", RecipientRole: "entrusted", Assets: []int64{ids["网上国网 App 国际版用户"]},
			Fields: "手机号、用户名、缴费户号、服务地址", Purpose: "国际版应用的境外托管和客户服务", Frequency: "continuous", StartOn: at(0.3),
			ReliesOnConsent: true, ConsentMethod: "应用内单独弹窗同意", ConsentOn: at(0.25), People: 600_000},
			batches: []BatchInput{{SentOn: at(0.7), People: 450_000, Note: "国际版推广后新增用户"}},
			mech:    &MechanismInput{Kind: KindAssessment, AppliedOn: day(-400), Result: "approved", ResultOn: day(-320)}, pia: day(-420)},
		{in: TransferInput{Recipient: "莱茵工业控制有限公司", RecipientCountry: "德国", RecipientRole: "entrusted", Assets: []int64{ids["厂商远程诊断工程师联系人"]},
			Fields: "工程师姓名、工号、联系电话", Purpose: "变电站设备远程诊断的人员核验", Frequency: "occasional", StartOn: vendorResult.AddDate(0, 0, 10).Format(time.DateOnly), People: 3_000},
			batches: []BatchInput{{SentOn: at(0.4), People: 120}},
			mech:    &MechanismInput{Kind: KindAssessment, AppliedOn: vendorResult.AddDate(0, 0, -60).Format(time.DateOnly), Result: "approved", ResultOn: vendorResult.Format(time.DateOnly)}, pia: vendorResult.AddDate(0, 0, -90).Format(time.DateOnly)},
		{in: TransferInput{Recipient: "示例电网国际控股有限公司人力资源部", RecipientCountry: "中国香港", RecipientRole: "affiliate", Assets: []int64{ids["外派员工档案"]},
			Fields: "姓名、岗位、派驻地、薪酬", Purpose: "外派员工的跨境人力资源管理", Frequency: "monthly", StartOn: at(0.1), Exemption: "cross_border_hr", People: 320}, pia: at(0.08)},
		{in: TransferInput{Recipient: "欧洲能源大学联合实验室", RecipientCountry: "荷兰", RecipientRole: "handler", Assets: []int64{ids["脱敏负荷曲线数据集"]},
			Fields: "匿名化的台区负荷曲线", Purpose: "学术合作研究", Frequency: "once", StartOn: at(0.6)}},
		{in: TransferInput{Recipient: "环球健康保险（亚洲）有限公司", RecipientCountry: "中国香港", RecipientRole: "handler", Assets: []int64{ids["外派员工体检与医疗记录"]},
			Fields: "姓名、证件号、体检结论、就诊记录", Purpose: "外派员工商业医疗保险理赔", Frequency: "occasional", StartOn: at(0.2),
			ReliesOnConsent: true, ConsentMethod: "书面单独同意书", ConsentOn: at(0.15), SensitivePeople: 280},
			mech: &MechanismInput{Kind: KindAssessment, AppliedOn: day(-400), Result: "approved", ResultOn: day(-340)}, pia: day(-410)},
	}
	for _, dt := range transfers {
		x, err := s.CreateTransfer(ctx, dt.in)
		if err != nil {
			return fmt.Errorf("demo transfer to %s: %w", dt.in.Recipient, err)
		}
		for _, b := range dt.batches {
			if _, err := s.AddBatch(ctx, x.ID, b); err != nil {
				return fmt.Errorf("demo batch of %s: %w", dt.in.Recipient, err)
			}
		}
		if dt.mech != nil {
			if _, err := s.AddMechanism(ctx, x.ID, *dt.mech); err != nil {
				return fmt.Errorf("demo mechanism of %s: %w", dt.in.Recipient, err)
			}
		}
		if dt.pia != "" {
			in := pia
			in.AssessedOn = dt.pia
			if _, err := s.AddPIPIA(ctx, x.ID, in); err != nil {
				return fmt.Errorf("demo impact assessment of %s: %w", dt.in.Recipient, err)
			}
		}
	}
	return nil
}
