package people

import (
	"time"

	"ciiguard/internal/problem"
)

// Policy is the organisation's training and vetting policy. No law in force sets these
// numbers: the training minimums are those of the 2017 draft of the CII regulation
// (关键信息基础设施安全保护条例（征求意见稿）, 2017-07-11, Art. 27: at least one working
// day a year for every cybersecurity staff member, at least three for staff in key posts),
// which the final regulation (State Council Decree 745, 2021) did not keep; the vetting
// interval is ours. Every organisation may change them.
type Policy struct {
	StaffDays   int `json:"staff_days"`
	KeyPostDays int `json:"key_post_days"`
	// HoursPerDay is how many hours of training count as one day.
	HoursPerDay int `json:"hours_per_day"`
	// VettingYears is the default interval to the next background check, from which a
	// recorded check's next-due day is proposed when none is given.
	VettingYears int `json:"vetting_years"`
	// Default is true while the organisation has not changed the defaults.
	Default   bool       `json:"default"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// DefaultPolicy is the policy of an organisation that has not set its own: the 2017
// draft's training minimums (draft, not in force — our default) and a background check
// every three years (our default; no text sets an interval).
func DefaultPolicy() Policy {
	return Policy{StaffDays: 1, KeyPostDays: 3, HoursPerDay: 8, VettingYears: 3, Default: true}
}

// PolicySource cites where the default training minimums come from, in both languages.
var PolicySource = [2]string{
	"《关键信息基础设施安全保护条例（征求意见稿）》（2017年7月11日）第二十七条：网络安全从业人员每人每年教育培训时长不得少于1个工作日，关键岗位专业技术人员每人每年教育培训时长不得少于3个工作日。征求意见稿，未生效——本产品的默认值；2021年正式条例未规定天数。",
	"CII Security Protection Regulation, draft of 11 July 2017, Art. 27: at least 1 working day of training a year for every cybersecurity staff member, at least 3 for professional staff in key posts. Draft, not in force — our default; the final 2021 regulation sets no number of days.",
}

// Validate checks a policy's numbers.
func (p *Policy) Validate() error {
	v := &problem.Invalid{}
	rng := func(field string, n, lo, hi int) {
		if n < lo || n > hi {
			v.Add(field, "must be a whole number from %d to %d", lo, hi)
		}
	}
	rng("staff_days", p.StaffDays, 0, 60)
	rng("key_post_days", p.KeyPostDays, 0, 60)
	rng("hours_per_day", p.HoursPerDay, 1, 24)
	rng("vetting_years", p.VettingYears, 1, 10)
	return v.Err()
}

// minHours returns the training hours a year the policy asks of someone.
func (p *Policy) minHours(keyPost bool) Hours {
	days := p.StaffDays
	if keyPost {
		days = p.KeyPostDays
	}
	return Hours(days * p.HoursPerDay * 10)
}
