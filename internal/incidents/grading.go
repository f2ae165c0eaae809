package incidents

import (
	"fmt"
	"time"
)

// Grade is an incident's grade under the IRM 2025 grading annex (网络安全事件分级指南).
type Grade int

// The four grades, lowest first, so that a higher value is a graver incident.
const (
	General         Grade = iota + 1 // 一般
	RelativelyMajor                  // 较大
	Major                            // 重大
	EspeciallyMajor                  // 特别重大
)

// Grades lists the grades from the lowest.
var Grades = []Grade{General, RelativelyMajor, Major, EspeciallyMajor}

// Code is the grade's stable name in the API and the database.
func (g Grade) Code() string {
	switch g {
	case General:
		return "general"
	case RelativelyMajor:
		return "relatively_major"
	case Major:
		return "major"
	case EspeciallyMajor:
		return "especially_major"
	}
	return ""
}

// Zh is the grade's name in the annex.
func (g Grade) Zh() string {
	return [...]string{"", "一般", "较大", "重大", "特别重大"}[g.valid()]
}

// En is the grade's name in English.
func (g Grade) En() string {
	return [...]string{"", "general", "relatively major", "major", "especially major"}[g.valid()]
}

func (g Grade) valid() int {
	if g < General || g > EspeciallyMajor {
		return 0
	}
	return int(g)
}

// Reportable says whether the IRM requires the incident to be reported: 较大 and above (Art. 4).
func (g Grade) Reportable() bool { return g >= RelativelyMajor }

// ParseGrade reads a grade's code.
func ParseGrade(s string) (Grade, bool) {
	for _, g := range Grades {
		if g.Code() == s {
			return g, true
		}
	}
	return 0, false
}

// Metric is one measured dimension of an incident's impact that the annex grades on.
type Metric string

// The metrics of the annex.
const (
	MetricPILeaked       Metric = "pi_leaked"          // people whose personal information leaked
	MetricLossRMB        Metric = "loss_rmb"           // direct economic loss, yuan
	MetricCIIFullDown    Metric = "cii_full_down"      // CII wholly out of service, minutes
	MetricCIIMainDown    Metric = "cii_main_down"      // CII's main function out of service, minutes
	MetricPortalDown     Metric = "portal_down"        // a portal website out of service, minutes
	MetricPeopleAffected Metric = "people_affected"    // people whose work and life are affected
	MetricProvinceShare  Metric = "province_share_pct" // share of a province's people affected, percent
)

// Criterion is one row of the grading annex: the grade an incident reaches when Metric is at
// least Threshold.
type Criterion struct {
	Grade     Grade
	Metric    Metric
	Threshold int64
	// Confirmed is false for the thresholds the brief could not confirm in the published
	// annex (the 重大 outage durations, taken from the 2023 draft): they are configuration,
	// and the page labels them as unconfirmed.
	Confirmed bool
}

// Describe says the criterion in Chinese and English ("CII main function down ≥ 30 min").
func (c Criterion) Describe() (zh, en string) {
	v := c.Threshold
	switch c.Metric {
	case MetricPILeaked:
		return fmt.Sprintf("个人信息泄露 ≥ %s人", groupDigits(v)), fmt.Sprintf("personal information of ≥ %s people leaked", groupDigits(v))
	case MetricLossRMB:
		return fmt.Sprintf("直接经济损失 ≥ %s元", groupDigits(v)), fmt.Sprintf("direct economic loss ≥ RMB %s", groupDigits(v))
	case MetricCIIFullDown:
		return "关键信息基础设施整体中断运行 ≥ " + minutesZh(v), "CII wholly out of service ≥ " + minutesEn(v)
	case MetricCIIMainDown:
		return "关键信息基础设施主要功能中断运行 ≥ " + minutesZh(v), "CII main function out of service ≥ " + minutesEn(v)
	case MetricPortalDown:
		return "门户网站中断访问 ≥ " + minutesZh(v), "portal website unreachable ≥ " + minutesEn(v)
	case MetricPeopleAffected:
		return fmt.Sprintf("影响 ≥ %s人的工作生活", groupDigits(v)), fmt.Sprintf("≥ %s people's work and life affected", groupDigits(v))
	case MetricProvinceShare:
		return fmt.Sprintf("影响单个省份 ≥ %d%%的人口", v), fmt.Sprintf("≥ %d%% of a province's population affected", v)
	}
	return string(c.Metric), string(c.Metric)
}

// Thresholds is the grading table in force: the annex rows, the unconfirmed ones as
// configured.
type Thresholds []Criterion

// DefaultThresholds is the IRM 2025 annex as the regulatory brief gives it (secondary source:
// a research notebook quoting the CAC release of 15 September 2025). majorFull and majorMain
// are the 重大 outage durations the brief could not confirm; the 2023 draft had 2 h and 6 h.
func DefaultThresholds(majorFull, majorMain time.Duration) Thresholds {
	return Thresholds{
		{EspeciallyMajor, MetricCIIFullDown, 6 * 60, true},
		{EspeciallyMajor, MetricCIIMainDown, 24 * 60, true},
		{EspeciallyMajor, MetricProvinceShare, 50, true},
		{EspeciallyMajor, MetricPeopleAffected, 10_000_000, true},
		{EspeciallyMajor, MetricPILeaked, 100_000_000, true},
		{EspeciallyMajor, MetricLossRMB, 100_000_000, true},
		{EspeciallyMajor, MetricPortalDown, 24 * 60, true},
		{Major, MetricCIIFullDown, int64(majorFull / time.Minute), false},
		{Major, MetricCIIMainDown, int64(majorMain / time.Minute), false},
		{Major, MetricPILeaked, 10_000_000, true},
		{Major, MetricLossRMB, 20_000_000, true},
		{RelativelyMajor, MetricCIIFullDown, 10, true},
		{RelativelyMajor, MetricCIIMainDown, 30, true},
		{RelativelyMajor, MetricPILeaked, 1_000_000, true},
		{RelativelyMajor, MetricLossRMB, 5_000_000, true},
		{RelativelyMajor, MetricPortalDown, 2 * 60, true},
	}
}

// Value returns the impact's measure of metric m.
func (im Impact) Value(m Metric) int64 {
	switch m {
	case MetricPILeaked:
		return im.PILeaked
	case MetricLossRMB:
		return im.LossRMB
	case MetricCIIFullDown:
		return im.CIIFullDownMin
	case MetricCIIMainDown:
		return im.CIIMainDownMin
	case MetricPortalDown:
		return im.PortalDownMin
	case MetricPeopleAffected:
		return im.PeopleAffected
	case MetricProvinceShare:
		return im.ProvinceSharePct
	}
	return 0
}

// Grading is the grade computed from an impact and the criterion that decided it (nil when
// no threshold is reached and the incident is 一般).
type Grading struct {
	Grade    Grade
	Decisive *Criterion
}

// Grade grades an impact: the gravest grade any criterion reaches, decided by the first
// criterion of that grade in the table's order; 一般 when none is reached.
func (t Thresholds) Grade(im Impact) Grading {
	out := Grading{Grade: General}
	for i := range t {
		c := t[i]
		if c.Threshold <= 0 || im.Value(c.Metric) < c.Threshold {
			continue
		}
		if c.Grade > out.Grade {
			out = Grading{Grade: c.Grade, Decisive: &c}
		}
	}
	return out
}

// groupDigits writes n with thousands separators: 1,000,000.
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}

func minutesZh(m int64) string {
	if m%60 == 0 {
		return fmt.Sprintf("%d小时", m/60)
	}
	return fmt.Sprintf("%d分钟", m)
}

func minutesEn(m int64) string {
	if m%60 == 0 {
		if m == 60 {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", m/60)
	}
	return fmt.Sprintf("%d minutes", m)
}
