package scope

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

var _ kernel.Inspectable = (*Module)(nil)

// InspectionArea implements kernel.Inspectable: the inventory's systems.
func (m *Module) InspectionArea() (key, nameZH, nameEN string) {
	return "systems", "网络设施和信息系统", "Systems"
}

// InspectionRecords implements kernel.Inspectable: the systems of org the inspection
// names, matched by exact Chinese or English name as identification notices match them
// (kernel.Identification). A system the scope does not name is never read; a name with no
// system gives nothing.
func (m *Module) InspectionRecords(ctx context.Context, org int64, sc kernel.InspectionScope, limit int) ([]kernel.InspectionRecord, error) {
	out := []kernel.InspectionRecord{}
	ctx = store.WithOrg(ctx, org)
	err := m.svc.db.ReadTenant(ctx, func(t *store.Tenant) error {
		seen := map[int64]bool{}
		for _, name := range sc.Systems {
			if len(out) >= limit {
				break
			}
			sys, err := systemByName(t, name)
			if errors.Is(err, store.ErrNotFound) {
				sys, err = scanSystem(t.QueryRow(selectSystem+` WHERE org_id = $1 AND name_en = $2`, name).Scan)
			}
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("read system %q for an inspection: %w", name, err)
			}
			if seen[sys.ID] {
				continue
			}
			seen[sys.ID] = true
			rec, err := inspectionRecord(sys)
			if err != nil {
				return err
			}
			out = append(out, rec)
		}
		return nil
	})
	return out, err
}

// inspectionRecord is a system as an inspector reads it: the record as the systems API
// gives it, and the fields a department looks at first.
// ciiNames are the CII states as the inventory's pages name them (messages scope.cii.*).
var ciiNames = map[string][2]string{
	CIINone: {"非关键信息基础设施", "Not CII"}, CIICandidate: {"候选（自评）", "Candidate (self-assessed)"},
	CIIIdentified: {"已认定", "Identified"}, CIIDeidentified: {"已撤销认定", "De-identified"},
}

func inspectionRecord(sys System) (kernel.InspectionRecord, error) {
	data, err := json.Marshal(sys)
	if err != nil {
		return kernel.InspectionRecord{}, fmt.Errorf("encode system %d: %w", sys.ID, err)
	}
	f := func(zh, en, v string) kernel.InspectionField {
		return kernel.InspectionField{LabelZH: zh, LabelEN: en, Value: v}
	}
	return kernel.InspectionRecord{
		Area: "systems", ID: strconv.FormatInt(sys.ID, 10), TitleZH: sys.Name, TitleEN: cmp.Or(sys.NameEN, sys.Name), At: sys.UpdatedAt,
		Fields: []kernel.InspectionField{
			f("所属部门", "Owning department", sys.Owner),
			f("安全责任人", "Responsible person", sys.ResponsiblePerson),
			f("等级保护级别", "MLPS level", strconv.FormatInt(sys.MLPSLevel, 10)),
			f("备案编号", "MLPS filing number", sys.FilingNumber),
			f("最近一次等级测评", "Last MLPS level test", string(sys.LastMLPSTest)),
			{LabelZH: "关基认定状态", LabelEN: "CII status", Value: ciiNames[sys.CIIStatus][0], ValueEN: ciiNames[sys.CIIStatus][1]},
			f("认定日期", "Identified on", string(sys.IdentifiedOn)),
			f("认定文书", "Identification document", sys.IdentificationDoc),
		},
		Data: data,
	}, nil
}
