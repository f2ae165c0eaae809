package emergency

import (
	"context"
	"fmt"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// The demo inventory's systems (the scope capability's demo) that have an emergency plan
// and a disaster-recovery backup: the ones its checkboxes marked before this capability.
var (
	demoPlanned = []string{"调度自动化系统（D5000）", "电力监控系统（SCADA）", "变电站综合自动化监控系统", "用电信息采集系统", "电力营销业务应用系统",
		"95598 客户服务系统", "网上国网 App 后台", "配电自动化系统", "电能量计量系统", "调度数据网", "电力市场交易系统", "ERP 系统（SAP）", "数据中心网络",
		"电网资源业务中台", "输电线路在线监测系统", "门户网站", "协同办公系统（OA）", "电子邮件系统", "财务管控系统", "办公网", "安全生产风险管控平台",
		"统一身份认证平台", "应急指挥系统", "网络安全态势感知平台", "生产管理系统（PMS）", "充电设施运营平台", "电子商务采购平台"}
	demoBackedUp = []string{"调度自动化系统（D5000）", "电力监控系统（SCADA）", "变电站综合自动化监控系统", "用电信息采集系统", "电力营销业务应用系统",
		"95598 客户服务系统", "网上国网 App 后台", "配电自动化系统", "电能量计量系统", "调度数据网", "电力市场交易系统", "ERP 系统（SAP）", "数据中心网络",
		"企业级数据中台", "电网资源业务中台", "协同办公系统（OA）", "电子邮件系统", "财务管控系统", "人力资源管理系统", "档案管理系统", "统一身份认证平台",
		"应急指挥系统", "网络安全态势感知平台", "生产管理系统（PMS）", "充电设施运营平台", "电子商务采购平台"}
)

// SeedDemo implements kernel.DemoSeeder: the demo operator gets an overall plan and a
// special plan for the dispatch system, two drills — the dispatch drill found that the
// plan's switch-over steps are out of date, which calls for a revision and a follow-up
// task — and backup tests, one of which missed its recovery time objective.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	sm := d.Users[auth.SecurityManager]
	ctx = store.WithOrg(ctx, d.Operator.ID)
	ctx = audit.WithActor(ctx, audit.Actor{UserID: sm.ID, OrgID: d.Operator.ID, Label: sm.Email + " (security_manager)"})
	return SeedDemo(ctx, m.Service, d.Users[auth.SystemOwner].ID)
}

// SeedDemo records the demo's plans, drills and backup tests for the context's
// organisation, dated from s.Now; owner gets the drill's follow-up task.
func SeedDemo(ctx context.Context, s *Service, owner int64) error {
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return err
	}
	if len(systems) == 0 {
		// Seeded before the inventory (the modules in another order): nothing to plan for.
		return nil
	}
	byName := map[string]int64{}
	for _, x := range systems {
		byName[x.Name] = x.ID
	}
	ids := func(names ...string) []int64 {
		var out []int64
		for _, n := range names {
			if id, ok := byName[n]; ok {
				out = append(out, id)
			}
		}
		return out
	}
	now := s.Now().In(calendar.Shanghai)
	day := func(monthsAgo, daysAgo int) string { return now.AddDate(0, -monthsAgo, -daysAgo).Format(time.DateOnly) }
	dispatch := ids("调度自动化系统（D5000）")
	overall, err := s.CreatePlan(ctx, PlanInput{Title: "网络安全事件总体应急预案", Version: "2025版", Systems: ids(demoPlanned...),
		Contacts: "应急领导小组组长：王刚（分管副总经理）；网络安全应急值班：010-6000 1234", ApprovedBy: "王刚", ApprovedOn: day(7, 0)})
	if err != nil {
		return fmt.Errorf("demo overall plan: %w", err)
	}
	special, err := s.CreatePlan(ctx, PlanInput{Title: "调度自动化系统网络安全专项应急预案", Version: "第2.1版", Systems: dispatch,
		Contacts: "调度控制中心主任：赵敏；自动化运维值班：010-6000 5678", ApprovedBy: "王刚", ApprovedOn: day(10, 0)})
	if err != nil {
		return fmt.Errorf("demo special plan: %w", err)
	}
	if _, err := s.CreateDrill(ctx, DrillInput{HeldOn: day(3, 0), Scenario: "勒索软件感染办公网终端并向生产区横向扩散的桌面推演", Systems: ids(demoPlanned...),
		Participants: "应急领导小组、网络安全管理部、数字化部、各业务系统负责人（共 32 人）", Findings: "处置流程清晰，通报时限符合要求。",
		PlanID: overall.ID}); err != nil {
		return fmt.Errorf("demo drill 1: %w", err)
	}
	if _, err := s.CreateDrill(ctx, DrillInput{HeldOn: day(1, 0), Scenario: "调度主站遭拒绝服务攻击，切换至备用调度系统的实战演练", Systems: dispatch,
		Participants: "调度控制中心、自动化运维班组、网络安全管理部（共 14 人）",
		Findings:     "主备调度切换用时 52 分钟，超过预案要求的 30 分钟；预案中的切换操作步骤与现网配置不符，需修订。",
		PlanID:       special.ID, RevisionNeeded: true,
		FollowUps: []FollowUp{{Title: "修订调度主备切换操作步骤并组织复演", OwnerID: owner, Due: now.AddDate(0, 1, 0).Format(time.DateOnly)}}}); err != nil {
		return fmt.Errorf("demo drill 2: %w", err)
	}
	var allOthers []string
	for _, n := range demoBackedUp {
		if n != "电力监控系统（SCADA）" {
			allOthers = append(allOthers, n)
		}
	}
	i64 := func(n int64) *int64 { return &n }
	yes := true
	if _, err := s.CreateBackupTest(ctx, BackupInput{Systems: ids(allOthers...), Location: "北京主数据中心至天津同城灾备中心", InChina: &yes, TestedOn: day(4, 0),
		RPOTargetMin: i64(15), RTOTargetMin: i64(120), RPOAchievedMin: i64(5), RTOAchievedMin: i64(95), Notes: "年度灾备切换演练，全部业务按时恢复。"}); err != nil {
		return fmt.Errorf("demo backup test 1: %w", err)
	}
	if _, err := s.CreateBackupTest(ctx, BackupInput{Systems: ids("电力监控系统（SCADA）"), Location: "天津同城灾备中心", InChina: &yes, TestedOn: day(2, 0),
		RPOTargetMin: i64(15), RTOTargetMin: i64(60), RPOAchievedMin: i64(10), RTOAchievedMin: i64(150), Notes: "历史数据库恢复用时超出恢复时间目标，需优化备份策略。"}); err != nil {
		return fmt.Errorf("demo backup test 2: %w", err)
	}
	return nil
}
