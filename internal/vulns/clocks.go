package vulns

import (
	"time"

	"ciiguard/internal/calendar"
)

// Clock kinds.
const (
	// ClockFix is the organisation's fix deadline for the severity (its policy; CSL 2016
	// Art. 34 and the 2017 draft CIIR Art. 24(3) say only "promptly").
	ClockFix = "fix"
	// ClockMIIT is the product provider's report to MIIT's cybersecurity threat and
	// vulnerability information sharing platform within 2 days (PVP 2021 Art. 7).
	ClockMIIT = "miit_report"
	// ClockAuthority is the report to the competent authority within 24 hours where the
	// vulnerability endangers national security or the public interest (NDSR 2024 Art. 10).
	ClockAuthority = "authority_report"
)

// Clock states.
const (
	ClockRunning = "running"
	ClockOverdue = "overdue"
	ClockMet     = "met"
	ClockLate    = "late" // done, after the deadline
)

// Clock is one deadline running on a vulnerability, with its legal basis (in both languages)
// and its state at the time of asking. Times are instants; pages show them in Beijing time.
type Clock struct {
	Kind    string     `json:"kind"`
	Due     time.Time  `json:"due"`
	DoneAt  *time.Time `json:"done_at"`
	State   string     `json:"state"`
	BasisZH string     `json:"basis_zh"`
	BasisEN string     `json:"basis_en"`
}

// The legal bases, cited on every clock.
const (
	basisMIITZH      = "《网络产品安全漏洞管理规定》（2021年）第七条：网络产品提供者应当在2日内向工业和信息化部网络安全威胁和漏洞信息共享平台报送漏洞信息（产品名称、型号、版本以及漏洞的技术特点、危害和影响范围等）"
	basisMIITEN      = "Provisions on the Management of Security Vulnerabilities of Network Products (2021), Art. 7: the product provider reports the vulnerability to MIIT's cybersecurity threat and vulnerability information sharing platform within 2 days (product name, model, version, the flaw's nature, harm and scope)"
	basisAuthorityZH = "《网络数据安全管理条例》（2024年）第十条：涉及危害国家安全、公共利益的，应当在24小时内向有关主管部门报告"
	basisAuthorityEN = "Regulation on Network Data Security Management (2024), Art. 10: where national security or the public interest is endangered, report to the competent authority within 24 hours"
	basisFixZH       = "本单位漏洞修复时限策略（《网络安全法》（2016年）第三十四条、《关键信息基础设施安全保护条例》（2017年征求意见稿）第二十四条仅要求及时处置，未规定天数）"
	basisFixEN       = "the organisation's fix deadline policy (CSL 2016 Art. 34 and the 2017 draft CII Regulation Art. 24 say only \"promptly\" and set no number of days)"
)

// stateAt places a deadline at now.
func stateAt(due time.Time, done *time.Time, now time.Time) string {
	switch {
	case done != nil && done.After(due):
		return ClockLate
	case done != nil:
		return ClockMet
	case now.After(due):
		return ClockOverdue
	}
	return ClockRunning
}

// MIITDue is the end of the provider's two days from discovery. "2日内" is counted as two
// calendar days in China time from the moment of discovery (the Provisions do not say
// working days, and a vulnerability does not wait for Monday).
func MIITDue(discovered time.Time) time.Time { return calendar.AddDays(discovered, 2).UTC() }

// AuthorityDue is 24 hours from discovery.
func AuthorityDue(discovered time.Time) time.Time { return calendar.AddHours(discovered, 24).UTC() }

// FixDue is the fix deadline of severity under p, counted in calendar days in China time
// from discovery; nil for a severity without one.
func FixDue(p Policy, severity string, discovered time.Time) *time.Time {
	days, ok := p.Days(severity)
	if !ok {
		return nil
	}
	d := calendar.AddDays(discovered, days).UTC()
	return &d
}

// clocks computes v's clocks at now.
func clocks(v *Vuln, now time.Time) []Clock {
	var out []Clock
	if v.Provider {
		due := MIITDue(v.DiscoveredAt)
		out = append(out, Clock{Kind: ClockMIIT, Due: due, DoneAt: v.ReportedMIITAt, State: stateAt(due, v.ReportedMIITAt, now), BasisZH: basisMIITZH, BasisEN: basisMIITEN})
	}
	if v.NationalSecurity {
		due := AuthorityDue(v.DiscoveredAt)
		out = append(out, Clock{Kind: ClockAuthority, Due: due, DoneAt: v.ReportedAuthorityAt, State: stateAt(due, v.ReportedAuthorityAt, now), BasisZH: basisAuthorityZH, BasisEN: basisAuthorityEN})
	}
	if v.FixDue != nil {
		var done *time.Time
		if closedStatus(v.Status) {
			done = v.FixedAt
			if done == nil {
				done = &v.UpdatedAt
			}
		}
		out = append(out, Clock{Kind: ClockFix, Due: *v.FixDue, DoneAt: done, State: stateAt(*v.FixDue, done, now), BasisZH: basisFixZH, BasisEN: basisFixEN})
	}
	return out
}
