package rules_test

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"ciiguard/internal/rules"
)

// logFacts is a capability's fact set (the logs capability's, in the product): its own
// CEL variable, with a bilingual label per fact for the reasons.
type logFacts struct {
	RetentionDays int64 `cel:"retention_days" label:"日志留存天数|log retention in days"`
}

func ExampleEngine_EvaluateAll() {
	logs := rules.FactSet{Name: "logs", Type: reflect.TypeFor[logFacts]()}
	e, err := rules.NewEngine([]rules.Rule{
		{ID: "CSL-LOG-RETENTION", Subject: rules.SubjectOrg,
			Applies: "org.kind == 'operator'", Check: "logs.retention_days >= 180",
			AppliesTo: rules.Text{Zh: "网络运营者", En: "network operators"},
			Requires:  rules.Text{Zh: "网络日志留存不少于180天", En: "network logs kept for at least 180 days"}},
		{ID: "MLPS07-FILING", Subject: rules.SubjectSystem,
			Applies: "system.mlps_level >= 2", Check: "system.filing_number != ''",
			Due:       "addDays(system.graded_on, 30)",
			AppliesTo: rules.Text{Zh: "二级及以上系统", En: "systems graded at level 2 or above"},
			Requires:  rules.Text{Zh: "定级后30日内备案", En: "filed within 30 days of grading"}},
	}, rules.WithFacts(logs))
	if err != nil {
		fmt.Println(err)
		return
	}
	findings, err := e.EvaluateAll(context.Background(), rules.Facts{
		OrgID: "acme",
		Now:   time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		Org:   rules.Org{Kind: "operator"},
		Extra: map[string]any{"logs": &logFacts{RetentionDays: 90}},
		Systems: []rules.System{
			{ID: 7, MLPSLevel: 3, GradedOn: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range findings {
		fmt.Printf("%s %s %s: %s\n", f.SubjectKind, f.SubjectID, f.ObligationID, f.Status)
		fmt.Println("  " + f.Reason.En)
		fmt.Println("  " + f.Reason.Zh)
	}
	// Output:
	// org acme CSL-LOG-RETENTION: gap
	//   Not met: required: network logs kept for at least 180 days (log retention in days = 90)
	//   未满足：要求网络日志留存不少于180天（日志留存天数 = 90）
	// system 7 MLPS07-FILING: overdue
	//   Overdue since 2026-03-31: required: filed within 30 days of grading (filing number = empty, graded on = 2026-03-01)
	//   已逾期（期限 2026-03-31）：要求定级后30日内备案（备案编号 = 空，定级日期 = 2026-03-01）
}
