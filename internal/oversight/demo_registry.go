package oversight

import (
	"context"
	"fmt"
	"slices"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/kernel/uscc"
	"ciiguard/internal/store"
)

// demoOperator is an operator the demo regulator added by credit code: none of them uses
// the demo installation. identified is the months before now of its notice, 0 for none.
type demoOperator struct {
	prefix     string // the first 16 characters of the credit code; Complete adds the checks
	zh, en     string
	sector     string
	identified int
}

var demoOperators = []demoOperator{
	{"9111000010000101", "示例燃气集团有限公司", "Example Gas Group Co., Ltd.", "energy", 14},
	{"9113000010000102", "示例发电有限公司", "Example Power Generation Co., Ltd.", "energy", 9},
	{"9137000010000103", "示例石油管道有限公司", "Example Oil Pipeline Co., Ltd.", "energy", 20},
	{"9144000010000104", "示例核电有限公司", "Example Nuclear Power Co., Ltd.", "energy", 6},
	{"9151000010000105", "示例水电开发有限公司", "Example Hydropower Co., Ltd.", "energy", 0},
	{"9165000010000106", "示例新能源有限公司", "Example Renewables Co., Ltd.", "energy", 0},
	{"9132000010000107", "示例液化天然气接收站有限公司", "Example LNG Terminal Co., Ltd.", "energy", 0},
	{"9112000010000108", "示例热力有限公司", "Example Heating Co., Ltd.", "public_utilities", 0},
	{"9114000010000109", "示例煤炭集团有限公司", "Example Coal Group Co., Ltd.", "energy", 0},
	{"9131000010000110", "示例城市供电服务有限公司", "Example City Power Services Co., Ltd.", "public_utilities", 0},
}

// demoGridNotices are the notices that identified the demo grid operator's three CII
// systems, as the scope capability's demo recorded them (11 months ago, numbers 3–5):
// applied again they change nothing, and the registry shows the operator identified.
var demoGridNotices = []string{"调度自动化系统（D5000）", "电力监控系统（SCADA）", "变电站综合自动化监控系统"}

// seedRegistry fills the demo regulator's registry: the two demo operators (linked when
// they named it) with their sectors, ten operators it added by credit code, identification
// notices for five of them, and one penalty case. The grid operator's change reports,
// filed after its notices, leave one re-identification clock running.
func (m *Module) seedRegistry(ctx context.Context, d kernel.Demo, ops []auth.Org) error {
	rctx := audit.WithActor(store.WithOrg(ctx, d.Regulator.ID), audit.Actor{Label: "demo seed"})
	if u, ok := d.Users[auth.RegulatorAdmin]; ok {
		rctx = audit.WithActor(rctx, audit.Actor{UserID: u.ID, OrgID: d.Regulator.ID, Label: u.Email + " (regulator_admin)"})
	}
	entries, err := m.Registry(rctx, RegistryFilter{})
	if err != nil {
		return err
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for _, e := range entries {
		sector := "water"
		if e.OperatorID == d.Operator.ID {
			sector = "energy"
		}
		if _, err := m.UpdateEntry(rctx, e.ID, EntryEdit{Sector: sector, Province: "11"}); err != nil {
			return fmt.Errorf("demo registry entry %s: %w", e.NameEN, err)
		}
		if e.OperatorID != d.Operator.ID {
			continue
		}
		year := today.AddDate(0, -11, 0)
		for i, sys := range demoGridNotices {
			if _, err := m.RecordNotice(rctx, e.ID, NewNotice{Ref: fmt.Sprintf("示能监安认〔%d〕%d号", year.Year(), 3+i), IssuedOn: year.Format(dateLayout),
				Basis: demoBasis, Systems: []string{sys}}); err != nil {
				return fmt.Errorf("demo notice for %s: %w", sys, err)
			}
		}
	}
	for i, o := range demoOperators {
		e, err := m.AddOperator(rctx, NewEntry{USCC: uscc.Complete(o.prefix), NameZH: o.zh, NameEN: o.en, Sector: o.sector})
		if err != nil {
			return fmt.Errorf("demo registry %s: %w", o.en, err)
		}
		if o.identified == 0 {
			continue
		}
		on := today.AddDate(0, -o.identified, 0)
		if _, err := m.RecordNotice(rctx, e.ID, NewNotice{Ref: fmt.Sprintf("示能监安认〔%d〕%d号", on.Year(), 20+i), IssuedOn: on.Format(dateLayout),
			Basis: demoBasis, Systems: []string{o.zh[:len(o.zh)-len("有限公司")] + "生产控制系统"}}); err != nil {
			return fmt.Errorf("demo notice for %s: %w", o.en, err)
		}
	}
	if len(ops) > 0 {
		if _, err := m.OpenCase(rctx, NewCase{OperatorID: d.Operator.ID, PenaltyID: "CIIR-2021-39", Subject: "organisation", Tier: "refused_or_harm",
			Amount: 200000, Decision: "经责令改正后逾期未完成年度检测评估问题整改，处二十万元罚款。"}); err != nil {
			return fmt.Errorf("demo penalty case: %w", err)
		}
	}
	return m.seedInspection(rctx, d, entries)
}

// demoInspectionSystems are the grid's systems the demo inspection names: two of its
// identified systems' neighbours in the substation and distribution network.
var demoInspectionSystems = []string{"变电站综合自动化监控系统", "配电自动化系统"}

// seedInspection opens the demo regulator's one open inspection: of the grid operator,
// every area of records but the staff, two of its systems, the last seven days, for
// thirty days.
func (m *Module) seedInspection(rctx context.Context, d kernel.Demo, entries []*Entry) error {
	for _, e := range entries {
		if e.OperatorID != d.Operator.ID {
			continue
		}
		now := m.now()
		// Every area but the staff: the demo's scope leaves the dispatch system's people out
		// (TestRegulatorReadsNothingPrivate looks for them outside an inspection's scope).
		areas := slices.DeleteFunc(m.areaKeys(), func(a string) bool { return a == "people" })
		if len(areas) == 0 {
			return nil // an installation without inspectable records
		}
		_, err := m.OpenInspection(rctx, NewInspection{EntryID: e.ID, Ref: fmt.Sprintf("示能监安检〔%d〕1号", now.Year()), Areas: areas,
			Systems: demoInspectionSystems, PeriodFrom: bjDay(now.AddDate(0, 0, -7)), PeriodTo: bjDay(now), EndsAt: bjDay(now.AddDate(0, 0, 30))})
		if err != nil {
			return fmt.Errorf("demo inspection: %w", err)
		}
	}
	return nil
}

const demoBasis = "《关键信息基础设施安全保护条例》（2021）第九条、第十条"
