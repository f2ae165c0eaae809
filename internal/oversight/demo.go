package oversight

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// demoFiling is one demo submission: its kind, titles, payload, the days before now it
// was filed, and the answers the regulator gave.
type demoFiling struct {
	kind             string
	zh, en           string
	payload          map[string]any
	daysAgo          int
	answers          []string // actions, in order
	lateIncidentMins int      // for an incident: minutes from detection to filing
}

// SeedDemo implements kernel.DemoSeeder: both demo operators name the demo regulator and
// file twenty submissions of every kind, in every state; one incident report was filed
// late on the 1-hour clock. Then the registry, its notices and a penalty case
// (seedRegistry).
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	ops, err := m.auth.ListOrgs(ctx, auth.Operator)
	if err != nil {
		return err
	}
	now := m.Now
	defer func() { m.Now = now }()
	base := now().UTC()
	// The demo app store is an operator too, with records of its own; the two demo
	// operators file with the regulator, as the inbox's hand counts assume.
	ops = slices.DeleteFunc(ops, func(o auth.Org) bool { return o.ID == d.AppStore.ID && d.AppStore.ID != 0 })
	for i, op := range ops {
		octx := store.WithOrg(ctx, op.ID)
		if _, err := m.SetRegulator(octx, d.Regulator.ID); err != nil {
			return fmt.Errorf("demo regulator of %s: %w", op.NameEN, err)
		}
		for j, f := range demoFilings(i, op.ID == d.Operator.ID) {
			at := base.AddDate(0, 0, -f.daysAgo).Add(time.Duration(j) * time.Minute)
			m.Now = func() time.Time { return at }
			p := map[string]any{}
			for k, v := range f.payload {
				p[k] = v
			}
			if f.kind == kernel.SubmitIncidentReport {
				p["detected_at"] = at.Add(-time.Duration(f.lateIncidentMins) * time.Minute).Format(time.RFC3339)
			}
			payload, _ := json.Marshal(p)
			sub, err := m.Submit(octx, kernel.NewSubmission{Kind: f.kind, TitleZH: f.zh, TitleEN: f.en, Payload: payload})
			if err != nil {
				return fmt.Errorf("demo filing %q of %s: %w", f.en, op.NameEN, err)
			}
			rctx := audit.WithActor(store.WithOrg(ctx, d.Regulator.ID), audit.Actor{Label: "demo seed"})
			if u, ok := d.Users[auth.RegulatorAnalyst]; ok {
				rctx = audit.WithActor(rctx, audit.Actor{UserID: u.ID, OrgID: d.Regulator.ID, Label: u.Email + " (regulator_analyst)"})
			}
			for k, a := range f.answers {
				later := at.Add(time.Duration(k+1) * 3 * time.Hour)
				m.Now = func() time.Time { return later }
				if _, err := m.Answer(rctx, sub.ID, a, demoNotes[a]); err != nil {
					return fmt.Errorf("demo answer to %q: %w", f.en, err)
				}
			}
		}
	}
	m.Now = now
	return m.seedRegistry(ctx, d, ops)
}

var demoNotes = map[string]string{
	StateAcknowledged:  "",
	StateInfoRequested: "请补充系统清单及测评机构资质证明。",
	StateAccepted:      "材料齐全，予以受理。",
}

// demoFilings are the filings of the i-th demo operator: ten each. The demo operator
// (reports) makes its annual reports in ciiguard — the reports capability's demo holds its
// 2025 report signed off and not yet submitted — so its filings hold only the 2024 report
// it filed by hand before; its other two filings are a standard contract filing answered
// and a supplement to its offshore-maintenance report not yet answered.
func demoFilings(i int, reports bool) []demoFiling {
	ack, info, acc := []string{StateAcknowledged}, []string{StateAcknowledged, StateInfoRequested}, []string{StateAcknowledged, StateAccepted}
	y := map[string]any{"year": 2025}
	fs := []demoFiling{
		{kernel.SubmitAnnualReport, "2025年度网络安全检测和风险评估报告", "Annual security test and risk assessment report 2025", y, 40, acc, 0},
		{kernel.SubmitAnnualReport, "2024年度网络安全检测和风险评估报告", "Annual security test and risk assessment report 2024", map[string]any{"year": 2024}, 400, acc, 0},
		{kernel.SubmitChangeReport, "调度系统重大变化报告", "Major change report: dispatch system", map[string]any{"change": "新增数据中心"}, 20, info, 0},
		{kernel.SubmitIncidentReport, "网络安全事件首报（较大）", "First incident report (relatively major)", map[string]any{"grade": "relatively_major"}, 12, ack, 35},
		{kernel.SubmitIncidentReport, "网络安全事件首报（重大）", "First incident report (major)", map[string]any{"grade": "major"}, 5, nil, 95},
		{kernel.SubmitOffshoreMaintenance, "境外厂商远程维护事前报告", "Report before maintenance from abroad", map[string]any{"vendor": "示例厂商"}, 9, ack, 0},
		{kernel.SubmitReviewCase, "核心路由器采购网络安全审查申报", "Cybersecurity review case: core routers", map[string]any{"product": "核心路由器"}, 30, info, 0},
		{kernel.SubmitStandardContract, "个人信息出境标准合同备案", "Standard contract filing", map[string]any{"recipient": "境外合作方"}, 15, acc, 0},
		{kernel.SubmitChangeReport, "新系统投入运行报告", "Report on a new system going live", map[string]any{"system": "营销系统"}, 3, nil, 0},
		{kernel.SubmitAnnualReport, "2025年度报告补充材料", "Annual report 2025: supplementary material", y, 2, nil, 0},
	}
	if reports {
		fs[0] = demoFiling{kernel.SubmitStandardContract, "个人信息出境标准合同备案（设备厂商远程诊断）", "Standard contract filing: vendor's remote diagnostics", map[string]any{"recipient": "境外设备厂商"}, 40, acc, 0}
		fs[9] = demoFiling{kernel.SubmitOffshoreMaintenance, "境外厂商远程维护事前报告补充材料", "Report before maintenance from abroad: supplementary material", map[string]any{"vendor": "示例厂商"}, 2, nil, 0}
	}
	if i > 0 {
		for k := range fs {
			fs[k].daysAgo += 1
		}
	}
	return fs
}
