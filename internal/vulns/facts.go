package vulns

import (
	"context"
	"time"

	"ciiguard/internal/store"
)

// Facts is the vulns fact set, the CEL variable `vulns` of the catalog's rules, counted from
// the organisation's vulnerabilities at evaluation time.
type Facts struct {
	Recorded int64 `cel:"recorded" label:"登记的漏洞数|vulnerabilities recorded"`
	Open     int64 `cel:"open" label:"未关闭的漏洞数|vulnerabilities open"`
	// PastFixDeadline counts open vulnerabilities past the fix deadline of the policy.
	PastFixDeadline int64 `cel:"past_fix_deadline" label:"超过修复时限仍未关闭的漏洞数|open vulnerabilities past their fix deadline"`
	// CriticalOpen counts open critical ones.
	CriticalOpen int64 `cel:"critical_open" label:"未关闭的严重漏洞数|critical vulnerabilities open"`
	// MIITOverdue counts vulnerabilities in the organisation's own products not reported to
	// MIIT's sharing platform within 2 days (PVP 2021 Art. 7).
	MIITOverdue int64 `cel:"miit_reports_overdue" label:"超过2日未向工业和信息化部共享平台报送的自有产品漏洞数|own-product vulnerabilities not reported to MIIT's platform within 2 days"`
	// MIITLate counts those reported after the two days, in the last 12 months.
	MIITLate int64 `cel:"miit_reports_late_12m" label:"近12个月超过2日才报送的自有产品漏洞数|own-product vulnerabilities reported to MIIT after 2 days, last 12 months"`
	// AuthorityOverdue counts vulnerabilities endangering national security or the public
	// interest not reported to the competent authority within 24 hours (NDSR 2024 Art. 10).
	AuthorityOverdue int64 `cel:"authority_reports_overdue" label:"超过24小时未向主管部门报告的危害国家安全或公共利益的漏洞数|vulnerabilities endangering national security not reported within 24 hours"`
	// AuthorityLate counts those reported after the 24 hours, in the last 12 months.
	AuthorityLate int64 `cel:"authority_reports_late_12m" label:"近12个月超过24小时才报告的危害国家安全或公共利益的漏洞数|vulnerabilities endangering national security reported after 24 hours, last 12 months"`
}

// ComputeFacts counts the fact set from vs (with their fix deadlines filled) at now.
func ComputeFacts(vs []Vuln, now time.Time) Facts {
	f := Facts{Recorded: int64(len(vs))}
	yearAgo := now.AddDate(-1, 0, 0)
	for i := range vs {
		v := &vs[i]
		open := !closedStatus(v.Status)
		if open {
			f.Open++
			f.CriticalOpen += b2i(v.Severity == "critical")
			f.PastFixDeadline += b2i(v.FixDue != nil && now.After(*v.FixDue))
		}
		for _, c := range clocks(v, now) {
			switch {
			case c.Kind == ClockMIIT && c.State == ClockOverdue:
				f.MIITOverdue++
			case c.Kind == ClockMIIT && c.State == ClockLate && c.DoneAt.After(yearAgo):
				f.MIITLate++
			case c.Kind == ClockAuthority && c.State == ClockOverdue:
				f.AuthorityOverdue++
			case c.Kind == ClockAuthority && c.State == ClockLate && c.DoneAt.After(yearAgo):
				f.AuthorityLate++
			}
		}
	}
	return f
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Facts reads the context organisation's vulnerability facts.
func (s *Service) Facts(ctx context.Context) (Facts, error) {
	var vs []Vuln
	var p Policy
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		vs, p, err = records(t, 0)
		return err
	})
	if err != nil {
		return Facts{}, err
	}
	for i := range vs {
		vs[i].FixDue = FixDue(p, vs[i].Severity, vs[i].DiscoveredAt)
	}
	return ComputeFacts(vs, s.now()), nil
}
