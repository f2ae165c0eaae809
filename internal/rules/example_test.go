package rules_test

import (
	"context"
	"fmt"
	"time"

	"ciiguard/internal/rules"
)

func ExampleEngine_EvaluateAll() {
	e, err := rules.NewEngine([]rules.Rule{
		{ID: "CSL-LOG-RETENTION", Subject: rules.SubjectOrg,
			Applies: "org.kind == 'operator'", Check: "org.log_retention_days >= 180"},
		{ID: "MLPS07-FILING", Subject: rules.SubjectSystem,
			Applies: "system.mlps_level >= 2", Check: "system.filing_number != ''",
			Due: "addDays(system.graded_on, 30)"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	findings, err := e.EvaluateAll(context.Background(), rules.Facts{
		OrgID: "acme",
		Now:   time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		Org:   rules.Org{Kind: "operator", LogRetentionDays: 90},
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
	}
	// Output:
	// org acme CSL-LOG-RETENTION: gap
	//   Not met: org.log_retention_days >= 180 is false (org.kind = "operator", org.log_retention_days = 90)
	// system 7 MLPS07-FILING: overdue
	//   Overdue since 2026-03-31: system.filing_number != '' is false (system.mlps_level = 3, system.filing_number = "", system.graded_on = 2026-03-01)
}
