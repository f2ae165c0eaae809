package incidents

import (
	"context"
	"fmt"
	"time"

	"ciiguard/internal/store"
)

// Facts is the incidents fact set, the CEL variable `incidents` of the catalog's rules: the
// organisation's reporting record, counted from its incidents and reports at evaluation time.
type Facts struct {
	OpenReportable      int64 `cel:"open_reportable" label:"未结的应报告事件数|open reportable incidents"`
	CIIFirstOverdue     int64 `cel:"cii_first_overdue" label:"涉及关基的事件逾期未首报数|CII incidents with the first report overdue"`
	CIIFirstLate        int64 `cel:"cii_first_late_12m" label:"近12个月涉及关基的事件迟报数|CII incidents first reported late in 12 months"`
	CentralFirstOverdue int64 `cel:"central_first_overdue" label:"逾期未向本部门网信工作机构首报数|first reports to the own cyber office overdue"`
	CentralFirstLate    int64 `cel:"central_first_late_12m" label:"近12个月向本部门网信工作机构迟报数|first reports to the own cyber office late in 12 months"`
	OtherFirstOverdue   int64 `cel:"provincial_first_overdue" label:"逾期未向省级网信部门首报数|first reports to the provincial cyberspace office overdue"`
	OtherFirstLate      int64 `cel:"provincial_first_late_12m" label:"近12个月向省级网信部门迟报数|first reports to the provincial cyberspace office late in 12 months"`
	SummariesDue        int64 `cel:"summaries_due" label:"待报总结报告数|summary reports due"`
	SummariesOverdue    int64 `cel:"summaries_overdue" label:"逾期未报总结报告数|summary reports overdue"`
	SummariesLate       int64 `cel:"summaries_late_12m" label:"近12个月总结报告迟报数|summary reports sent late in 12 months"`
	PartialNotFollowed  int64 `cel:"partial_not_followed" label:"首报有待续报事项而处置结束仍未续报的事件数|closed incidents whose partial first report was never followed up"`
}

// ComputeFacts counts the fact set from an organisation's incidents and their reports at now.
func ComputeFacts(incs []Incident, reports map[int64][]Report, now time.Time) Facts {
	var f Facts
	yearAgo := now.AddDate(-1, 0, 0)
	for i := range incs {
		in := &incs[i]
		if !in.Grade().Reportable() {
			continue
		}
		if in.Status == StatusOpen {
			f.OpenReportable++
		}
		for _, c := range Clocks(in, reports[in.ID], now) {
			overdue := c.Overdue
			late := c.SentAt != nil && !c.OnTime && c.SentAt.After(yearAgo)
			if c.Kind == KindSummary {
				if c.Running() {
					f.SummariesDue++
				}
				f.SummariesOverdue += b2i(overdue)
				f.SummariesLate += b2i(late)
				continue
			}
			switch in.Route {
			case RouteCII.Code:
				f.CIIFirstOverdue += b2i(overdue)
				f.CIIFirstLate += b2i(late)
			case RouteCentral.Code:
				f.CentralFirstOverdue += b2i(overdue)
				f.CentralFirstLate += b2i(late)
			default:
				f.OtherFirstOverdue += b2i(overdue)
				f.OtherFirstLate += b2i(late)
			}
		}
		if in.Status == StatusClosed && partialNotFollowed(reports[in.ID]) {
			f.PartialNotFollowed++
		}
	}
	return f
}

// partialNotFollowed says the sent first report left items to follow and neither a follow-up
// nor the summary was sent after it.
func partialNotFollowed(rs []Report) bool {
	partial := false
	for _, r := range rs {
		if r.Kind == KindFirst && r.Sent() && len(r.Content.ToFollow) > 0 {
			partial = true
		}
	}
	if !partial {
		return false
	}
	for _, r := range rs {
		if (r.Kind == KindFollowUp || r.Kind == KindSummary) && r.Sent() {
			return false
		}
	}
	return true
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Facts reads the context's organisation's incident facts.
func (s *Service) Facts(ctx context.Context) (Facts, error) {
	incs, reports, err := s.records(ctx)
	if err != nil {
		return Facts{}, err
	}
	return ComputeFacts(incs, reports, s.Now()), nil
}

// records reads every incident of the organisation and every report, in one transaction.
func (s *Service) records(ctx context.Context) ([]Incident, map[int64][]Report, error) {
	var incs []Incident
	reports := map[int64][]Report{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if incs, err = all(t); err != nil {
			return err
		}
		rows, err := t.Query(`SELECT ` + reportCols + ` FROM incident_reports WHERE org_id = $1 ORDER BY incident_id, kind, number, version`)
		if err != nil {
			return fmt.Errorf("read reports: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanReport(rows)
			if err != nil {
				return err
			}
			reports[r.IncidentID] = append(reports[r.IncidentID], r)
		}
		return rows.Err()
	})
	return incs, reports, err
}
