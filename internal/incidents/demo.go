package incidents

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

// SeedDemo implements kernel.DemoSeeder: the demo operator gets a closed 较大 incident with
// all three reports sent on time, an open 重大 incident 40 minutes after detection whose
// first report is drafted and due, and a closed 较大 incident whose summary report was late.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	sm := d.Users[auth.SecurityManager]
	ctx = store.WithOrg(ctx, d.Operator.ID)
	ctx = audit.WithActor(ctx, audit.Actor{UserID: sm.ID, OrgID: d.Operator.ID, Label: sm.Email + " (security_manager)"})
	return SeedDemo(ctx, m.Service, d.Operator.NameZH, d.Operator.NameEN)
}

// SeedDemo records the demo incidents for the context's organisation, dated from s.Now.
func SeedDemo(ctx context.Context, s *Service, orgZh, orgEn string) error {
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return err
	}
	sys := func(name string) []int64 {
		for _, x := range systems {
			if x.Name == name {
				return []int64{x.ID}
			}
		}
		return nil
	}
	now := s.Now().In(calendar.Shanghai).Truncate(time.Minute)
	at := func(daysAgo, hour, min int) time.Time {
		d := now.AddDate(0, 0, -daysAgo)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, min, 0, 0, calendar.Shanghai)
	}
	ts := func(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01-02T15:04") }
	all := []Authority{ProtectionDept, Police}

	// 1. Closed 较大: the dispatch system's main function down 45 minutes; every report on time.
	det := at(45, 10, 12)
	a, err := s.Create(ctx, Input{Title: "调度自动化系统遭拒绝服务攻击", Type: "attack", Subtype: "ddos", DetectedAt: ts(det), StartedAt: ts(det.Add(-8 * time.Minute)),
		Place: "省调度控制中心机房", Systems: sys("调度自动化系统（D5000）"), Impact: Impact{CIIMainDownMin: 45},
		Measures: "启用备调系统，清洗异常流量，45分钟后主要功能恢复", Reporter: "调度控制中心值班员", Description: "调度数据网边界出现大流量攻击，主站前置服务中断。"})
	if err != nil {
		return fmt.Errorf("demo incident 1: %w", err)
	}
	if err := demoSend(ctx, s, a.ID, KindFirst, orgZh, orgEn, det.Add(38*time.Minute), all, nil); err != nil {
		return err
	}
	if err := demoSend(ctx, s, a.ID, KindFollowUp, orgZh, orgEn, det.Add(26*time.Hour), all, map[string][2]string{
		"cause": {"境外僵尸网络对调度数据网边界发起流量型攻击。", "A botnet abroad flooded the dispatch network's boundary."}}); err != nil {
		return err
	}
	handled := at(43, 17, 30)
	if _, err := s.Close(ctx, a.ID, ts(handled)); err != nil {
		return fmt.Errorf("demo incident 1 close: %w", err)
	}
	if err := demoSend(ctx, s, a.ID, KindSummary, orgZh, orgEn, handled.AddDate(0, 0, 20), all, summaryText); err != nil {
		return err
	}

	// 2. Open 重大: ransomware on the SCADA system, detected 15 minutes ago; first report
	// drafted. Its 1-hour clock runs out 45 minutes after the demo is seeded: long enough to
	// walk the demo, and to run the test suite on copies of one seeded demo on a busy machine.
	det = now.Add(-15 * time.Minute)
	b, err := s.Create(ctx, Input{Title: "电力监控系统遭勒索软件攻击", Type: "malware", Subtype: "ransomware", DetectedAt: ts(det),
		Place: "集控中心", Systems: sys("电力监控系统（SCADA）"), Impact: Impact{LossRMB: 25_000_000, CIIMainDownMin: 15},
		Ransom:   &Ransom{Amount: "50枚比特币", Method: "要求向加密货币钱包转账", Date: det.Format("2006-01-02")},
		Measures: "隔离受感染的工作站，切换至备用监控通道", Reporter: "集控中心运维值班员"})
	if err != nil {
		return fmt.Errorf("demo incident 2: %w", err)
	}
	if _, err := s.NewReport(ctx, b.ID, KindFirst, orgZh, orgEn); err != nil {
		return fmt.Errorf("demo incident 2 first report: %w", err)
	}

	// 3. Closed 较大: personal information of 1.2 million customers leaked; the summary went late.
	det = at(80, 14, 5)
	c, err := s.Create(ctx, Input{Title: "客户服务系统个人信息泄露", Type: "data", Subtype: "leak", DetectedAt: ts(det),
		Place: "客户服务中心", Systems: sys("95598 客户服务系统"), Impact: Impact{PILeaked: 1_200_000},
		Measures: "关闭外包接口，重置全部接口凭据，通知受影响用户", Reporter: "客户服务中心安全员"})
	if err != nil {
		return fmt.Errorf("demo incident 3: %w", err)
	}
	if err := demoSend(ctx, s, c.ID, KindFirst, orgZh, orgEn, det.Add(3*time.Hour), c.Recipients(), nil); err != nil {
		return err
	}
	handled = at(75, 18, 0)
	if _, err := s.Close(ctx, c.ID, ts(handled)); err != nil {
		return fmt.Errorf("demo incident 3 close: %w", err)
	}
	return demoSend(ctx, s, c.ID, KindSummary, orgZh, orgEn, at(75-32, 9, 30), c.Recipients(), summaryText)
}

// summaryText fills the summary items the record cannot know.
var summaryText = map[string][2]string{
	"cause":          {"外部攻击利用了边界防护的薄弱环节。", "An outside attack used a weakness of the boundary defences."},
	"accountability": {"对值班和运维责任人进行了问责。", "The duty and operations staff responsible were held to account."},
	"remediation":    {"升级边界防护，完善监测告警和应急切换流程。", "Boundary defences upgraded; monitoring and failover procedures improved."},
	"lessons":        {"应急预案需覆盖此类攻击场景并定期演练。", "The emergency plan must cover this scenario and be drilled regularly."},
}

// demoSend drafts a report, adds texts, and records it sent at sentAt.
func demoSend(ctx context.Context, s *Service, id int64, kind, orgZh, orgEn string, sentAt time.Time, to []Authority, texts map[string][2]string) error {
	r, err := s.NewReport(ctx, id, kind, orgZh, orgEn)
	if err != nil {
		return fmt.Errorf("demo %s report: %w", kind, err)
	}
	if len(texts) > 0 {
		c := r.Content
		for k, t := range texts {
			c.Zh[k], c.En[k] = t[0], t[1]
		}
		var keep []string
		for _, k := range c.ToFollow {
			if _, ok := texts[k]; !ok {
				keep = append(keep, k)
			}
		}
		c.ToFollow = keep
		if r, err = s.SaveReport(ctx, id, r.ID, c); err != nil {
			return fmt.Errorf("demo %s report: %w", kind, err)
		}
	}
	codes := make([]string, len(to))
	for i, a := range to {
		codes[i] = string(a)
	}
	if _, err := s.SendReport(ctx, id, r.ID, Sending{SentAt: sentAt.In(calendar.Shanghai).Format("2006-01-02T15:04"), To: codes, Channel: ChannelOutside}); err != nil {
		return fmt.Errorf("demo %s report sent: %w", kind, err)
	}
	return nil
}
