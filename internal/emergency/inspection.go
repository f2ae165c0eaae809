package emergency

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

// InspectionArea implements kernel.Inspectable: emergency plans, drills and backup tests.
func (m *Module) InspectionArea() (key, nameZH, nameEN string) {
	return "emergency", "应急预案、演练与备份恢复", "Emergency plans, drills and backups"
}

// resultNames are the backup test results as the pages name them (emergency.result.*).
var resultNames = map[string][2]string{
	ResultMet: {"达到目标", "Objectives met"}, ResultMissed: {"未达目标", "Objectives missed"}, ResultUntested: {"从未测试", "Never tested"},
}

// InspectionRecords implements kernel.Inspectable: org's emergency plans, in force or
// retired ("plan-N", as GET /api/v1/emergency/plans/{id} gives them, with the drills that
// exercised them), then the drills held in the period under inspection ("drill-N", as GET
// /api/v1/emergency/drills/{id} gives them, with their follow-up tasks) and the backup
// tests tested — or, untested, recorded — in it ("backup-N"). Days are Beijing days.
func (m *Module) InspectionRecords(ctx context.Context, org int64, sc kernel.InspectionScope, limit int) ([]kernel.InspectionRecord, error) {
	ctx = store.WithOrg(ctx, org)
	rs, err := m.records(ctx)
	if err != nil {
		return nil, err
	}
	from, to := sc.From.In(calendar.Shanghai).Format(dateLayout), sc.To.In(calendar.Shanghai).Format(dateLayout) // to: exclusive
	in := func(day string) bool { return day >= from && day < to }
	out := []kernel.InspectionRecord{}
	add := func(id, title string, at time.Time, v any, fields ...kernel.InspectionField) error {
		data, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s: %w", id, err)
		}
		out = append(out, kernel.InspectionRecord{Area: "emergency", ID: id, TitleZH: title, TitleEN: title, At: at.UTC(), Fields: fields, Data: data})
		return nil
	}
	for _, p := range rs.plans {
		if len(out) >= limit {
			return out, nil
		}
		drills := []Drill{}
		for _, d := range rs.drills {
			if d.PlanID == p.ID {
				drills = append(drills, d)
			}
		}
		state := [2]string{"有效", "in force"}
		if p.Retired() {
			state = [2]string{"已废止（" + p.RetiredOn + "）", "retired (" + p.RetiredOn + ")"}
		}
		if err := add("plan-"+itoa(p.ID), p.Title+" "+p.Version, p.CreatedAt, planJSON{Plan: p, Drills: drills},
			field("批准日期", "Approved on", p.ApprovedOn), field("下次评审", "Next review", p.ReviewOn),
			kernel.InspectionField{LabelZH: "状态", LabelEN: "State", Value: state[0], ValueEN: state[1]}); err != nil {
			return nil, err
		}
	}
	for _, d := range rs.drills {
		if !in(d.HeldOn) {
			continue
		}
		if len(out) >= limit {
			return out, nil
		}
		if d.Tasks, err = m.tasks.Linked(ctx, d.Link()); err != nil {
			return nil, err
		}
		if d.Tasks == nil {
			d.Tasks = []kernel.LinkedTask{}
		}
		if err := add("drill-"+itoa(d.ID), d.Scenario, d.CreatedAt, d, field("演练日期", "Held on", d.HeldOn),
			field("发现的问题", "Findings", d.Findings)); err != nil {
			return nil, err
		}
	}
	for _, b := range rs.backups {
		if !in(b.TestedOn) && (b.TestedOn != "" || !in(b.CreatedAt.In(calendar.Shanghai).Format(dateLayout))) {
			continue
		}
		if len(out) >= limit {
			return out, nil
		}
		r := resultNames[b.Result]
		if err := add("backup-"+itoa(b.ID), b.Location, b.CreatedAt, b, field("测试日期", "Tested on", b.TestedOn),
			field("恢复点目标／实际（分钟）", "RPO target / achieved (min)", strconv.FormatInt(b.RPOTargetMin, 10)+" / "+strconv.FormatInt(b.RPOAchievedMin, 10)),
			field("恢复时间目标／实际（分钟）", "RTO target / achieved (min)", strconv.FormatInt(b.RTOTargetMin, 10)+" / "+strconv.FormatInt(b.RTOAchievedMin, 10)),
			kernel.InspectionField{LabelZH: "结果", LabelEN: "Result", Value: r[0], ValueEN: r[1]}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// dateLayout is a Beijing day as records hold it.
const dateLayout = "2006-01-02"

func field(zh, en, v string) kernel.InspectionField {
	return kernel.InspectionField{LabelZH: zh, LabelEN: en, Value: v}
}
