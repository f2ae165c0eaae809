package reports

import (
	"context"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// SeedDemo implements kernel.DemoSeeder: the demo operator has an annual report made and
// signed off by its security manager thirteen months ago (of that year: last year, or the
// year before in January) — before its systems were identified as CII (scope's demo:
// eleven months ago), so the duties that read the reports (CIIR 2021 Art. 17, CSL 2016
// Art. 38) run their first CII cycle from identification and show gaps due in a month — and
// this year's as a draft with a summary written. The signed-off report was never submitted
// nor exported: the department has not had it.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	sm := d.Users[auth.SecurityManager]
	ctx = store.WithOrg(ctx, d.Operator.ID)
	ctx = audit.WithActor(ctx, audit.Actor{UserID: sm.ID, OrgID: d.Operator.ID, Label: sm.Email + " (security_manager)"})
	now := m.Now
	defer func() { m.Now = now }()
	// Thirteen months, not twelve: a report signed off exactly 365 days ago still meets
	// the duty today.
	signed := now().AddDate(-1, -1, 0)
	m.Now = func() time.Time { return signed }
	last, err := m.Create(ctx, NewReport{Kind: KindAnnual, Year: signed.In(calendar.Shanghai).Year()})
	if err != nil {
		return err
	}
	if _, err := m.EditSections(ctx, last.ID, map[string]SectionInput{
		"summary":      {Zh: "本单位委托具备资质的网络安全服务机构对三个关键信息基础设施开展了年度检测和风险评估，发现的问题已纳入整改计划。", En: "A qualified service provider tested the three CII systems and assessed their risks; what was found is in the remediation plan."},
		"improvements": {Zh: "完善日志集中留存；开展年度应急演练；核查供应链产品的安全认证。", En: "Centralise log retention; hold the yearly emergency drill; check the certification of supplied products."},
		"conclusion":   {Zh: "总体基本符合要求，存在的差距按整改计划推进。", En: "Broadly compliant; the gaps are being closed under the remediation plan."},
	}); err != nil {
		return err
	}
	if _, err := m.SignOff(ctx, last.ID); err != nil {
		return err
	}
	m.Now = now
	draft, err := m.Create(ctx, NewReport{Kind: KindAnnual, Year: now().In(calendar.Shanghai).Year()})
	if err != nil {
		return err
	}
	_, err = m.EditSections(ctx, draft.ID, map[string]SectionInput{
		"summary": {Zh: "本年度检测评估正在进行，初步结果见下文各部分。", En: "This year's test and assessment is under way; the first results are below."},
	})
	return err
}
