package review

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

var _ kernel.Inspectable = (*Module)(nil)

// InspectionArea implements kernel.Inspectable: the organisation's cybersecurity review cases.
func (m *Module) InspectionArea() (key, nameZH, nameEN string) {
	return "review", "网络安全审查", "Cybersecurity review"
}

// InspectionRecords implements kernel.Inspectable: org's review cases under way at some time
// in the period under inspection (opened before its end, and still open or in their final
// state only since its start), newest first, each as GET /api/v1/review/cases/{id} gives it
// (the case with its clock and its history). The procurement a case gates is named in it.
func (m *Module) InspectionRecords(ctx context.Context, org int64, sc kernel.InspectionScope, limit int) ([]kernel.InspectionRecord, error) {
	ctx = store.WithOrg(ctx, org)
	cs, err := m.Cases(ctx)
	if err != nil {
		return nil, fmt.Errorf("list review cases for an inspection: %w", err)
	}
	out := []kernel.InspectionRecord{}
	for _, c := range cs {
		if len(out) == limit {
			break
		}
		if !c.CreatedAt.Before(sc.To) || (len(c.State.Next()) == 0 && c.Since.Before(sc.From)) {
			continue
		}
		events, err := m.Events(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		if events == nil {
			events = []Event{}
		}
		cj, err := m.caseJSON(c)
		if err != nil {
			return nil, err
		}
		rec, err := inspectionRecord(cj, events)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// inspectionRecord is a review case as an inspector reads it: its kind, state and since
// when, its clock and the materials still missing.
func inspectionRecord(cj caseJSON, events []Event) (kernel.InspectionRecord, error) {
	c := cj.Case
	data, err := json.Marshal(map[string]any{"case": cj, "events": events})
	if err != nil {
		return kernel.InspectionRecord{}, fmt.Errorf("encode review case %d: %w", c.ID, err)
	}
	due, proc := "—", "—"
	if c.ProcurementID != 0 {
		proc = strconv.FormatInt(c.ProcurementID, 10)
	}
	if cj.Clock != nil && cj.Clock.Due != "" {
		due = cj.Clock.Due
	}
	f := func(zh, en, v string) kernel.InspectionField {
		return kernel.InspectionField{LabelZH: zh, LabelEN: en, Value: v}
	}
	return kernel.InspectionRecord{
		Area: "review", ID: strconv.FormatInt(c.ID, 10), TitleZH: c.Title, TitleEN: c.Title, At: c.CreatedAt.UTC(),
		Fields: []kernel.InspectionField{
			{LabelZH: "审查状态", LabelEN: "State", Value: cj.StateZh, ValueEN: cj.StateEn},
			f("状态起始日", "In this state since", c.Since.In(calendar.Shanghai).Format(time.DateOnly)),
			f("当前期限", "Due", due),
			f("缺少的申报材料", "Materials missing", strconv.Itoa(len(cj.Missing))),
			f("关联的采购", "Procurement", proc),
		},
		Data: data,
	}, nil
}
