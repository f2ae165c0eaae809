package review

import (
	"context"
	"fmt"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// SeedDemo implements kernel.DemoSeeder: the demo operator gets a review in progress (a
// security gateway for a CII system under initial review, its clock paused once for
// material), a review that failed and blocks its purchase (a foreign cloud data service),
// and an approved purchase that needed no review.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	sm := d.Users[auth.SecurityManager]
	ctx = store.WithOrg(ctx, d.Operator.ID)
	ctx = audit.WithActor(ctx, audit.Actor{UserID: sm.ID, OrgID: d.Operator.ID, Label: sm.Email + " (security_manager)"})
	return SeedDemo(ctx, m.Service)
}

// SeedDemo records the demo purchases and reviews for the context's organisation, dated back
// from s.Now.
func SeedDemo(ctx context.Context, s *Service) error {
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return err
	}
	var cii []int64
	var plain int64
	for _, x := range systems {
		switch {
		case x.CIIStatus == "identified":
			cii = append(cii, x.ID)
		case x.CIIStatus == "none" && plain == 0:
			plain = x.ID
		}
	}
	if len(cii) < 2 || plain == 0 {
		// An installation whose inventory demo did not run first (modules seeded in
		// another order) gets no review demo: purchases are for systems.
		return nil
	}
	today := s.today()
	ago := func(days int) string { return today.AddDate(0, 0, -days).Format(time.DateOnly) }
	// at is the service as it was on a past day, so that a record is created then.
	at := func(days int) *Service {
		past := *s
		when := today.AddDate(0, 0, -days).Add(10 * time.Hour)
		past.Now = func() time.Time { return when }
		return &past
	}
	full := Materials{Declaration: true, ImpactAnalysis: true, PurchaseDocs: true}

	// 1. Under initial review: submitted 30 days ago, written notice 16 days ago, material
	// asked for 9 days ago and supplied 5 days ago.
	a, err := at(40).CreateProcurement(ctx, ProcurementInput{Title: "电力监控系统安全区边界网关更换", Product: "纵向加密认证装置 V3.2", ProductType: "security_product",
		Supplier: "某电力安全设备有限公司", Country: "CN", Systems: cii[:1], AmountRMB: 3_600_000,
		Assessment: Assessment{Control: true, Continuity: true, Notes: "边界网关失效或被控将直接影响生产控制大区安全"}})
	if err != nil {
		return fmt.Errorf("review demo purchase 1: %w", err)
	}
	steps := []func() error{
		func() error { _, err := s.SetMaterials(ctx, a.CaseID, full); return err },
		func() error { _, err := s.MoveCase(ctx, a.CaseID, Move{To: Submitted, Date: ago(30)}); return err },
		func() error {
			_, err := s.MoveCase(ctx, a.CaseID, Move{To: Initial, Date: ago(16), Note: "审查办公室书面通知开展审查"})
			return err
		},
		func() error {
			_, err := s.PauseCase(ctx, a.CaseID, PauseInput{Date: ago(9), Note: "要求补充供应链安全说明"})
			return err
		},
		func() error { _, err := s.ResumeCase(ctx, a.CaseID, PauseInput{Date: ago(5)}); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("review demo case 1 step %d: %w", i+1, err)
		}
	}

	// 2. Not cleared after the special procedure: the purchase stays blocked.
	b, err := at(200).CreateProcurement(ctx, ProcurementInput{Title: "境外云数据同步服务订阅", Product: "Global Data Sync (SaaS)", ProductType: "cloud",
		Supplier: "Example Cloud Inc.", Country: "US", Systems: cii[1:2], AmountRMB: 5_000_000,
		Assessment: Assessment{Data: true, SupplyRisk: true, Notes: "业务数据将同步至境外数据中心"}})
	if err != nil {
		return fmt.Errorf("review demo purchase 2: %w", err)
	}
	moves := []Move{{To: Submitted, Date: ago(190)}, {To: Initial, Date: ago(180)}, {To: Opinions, Date: ago(140)},
		{To: Special, Date: ago(120), Note: "成员单位意见不一致"}, {To: NotCleared, Date: ago(12), Note: "审查结论：影响国家安全，不得采购"}}
	if _, err := s.SetMaterials(ctx, b.CaseID, full); err != nil {
		return fmt.Errorf("review demo case 2 materials: %w", err)
	}
	for _, mv := range moves {
		if _, err := s.MoveCase(ctx, b.CaseID, mv); err != nil {
			return fmt.Errorf("review demo case 2 to %s: %w", mv.To, err)
		}
	}

	// 3. No review needed, approved.
	c, err := at(60).CreateProcurement(ctx, ProcurementInput{Title: "办公网终端防病毒软件续订", Product: "终端安全管理系统 V10", ProductType: "security_product",
		Supplier: "某网络安全科技有限公司", Country: "CN", Systems: []int64{plain}, AmountRMB: 260_000, Assessment: Assessment{Notes: "仅用于管理信息大区办公终端"}})
	if err != nil {
		return fmt.Errorf("review demo purchase 3: %w", err)
	}
	if _, err := at(58).Approve(ctx, c.ID); err != nil {
		return fmt.Errorf("review demo purchase 3 approval: %w", err)
	}
	return nil
}
