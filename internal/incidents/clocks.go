package incidents

import (
	"time"

	"ciiguard/internal/calendar"
)

// Authority is a body an incident is reported to.
type Authority string

// The authorities of IRM 2025 Art. 4.
const (
	ProtectionDept Authority = "protection_dept"  // 保护工作部门 (the CII's protection-work department)
	Police         Authority = "police"           // 公安机关
	OwnCyberOffice Authority = "own_cyber_office" // 本部门网信工作机构 (a central or state organ's own)
	ProvincialCAC  Authority = "provincial_cac"   // 属地省级网信部门
)

// Authorities lists every authority, in the order the pages show them.
var Authorities = []Authority{ProtectionDept, Police, OwnCyberOffice, ProvincialCAC}

// Zh is the authority's name in Chinese.
func (a Authority) Zh() string {
	return map[Authority]string{ProtectionDept: "保护工作部门", Police: "公安机关", OwnCyberOffice: "本部门网信工作机构", ProvincialCAC: "属地省级网信部门"}[a]
}

// En is the authority's name in English.
func (a Authority) En() string {
	return map[Authority]string{ProtectionDept: "protection-work department", Police: "public security organ (police)", OwnCyberOffice: "own department's cyber office", ProvincialCAC: "provincial cyberspace administration"}[a]
}

// Route is who an organisation tells first and within how long (IRM 2025 Art. 4).
type Route struct {
	Code       string
	To         []Authority
	Limit      time.Duration
	CitationZh string
	CitationEn string
}

// The first-report routes of IRM 2025 Art. 4.
var (
	RouteCII        = Route{"cii", []Authority{ProtectionDept, Police}, time.Hour, "《国家网络安全事件报告管理办法》（2025）第4条；《关键信息基础设施安全保护条例》第18条", "IRM 2025 Art. 4; CIIR 2021 Art. 18"}
	RouteCentral    = Route{"central", []Authority{OwnCyberOffice}, 2 * time.Hour, "《国家网络安全事件报告管理办法》（2025）第4条", "IRM 2025 Art. 4"}
	RouteProvincial = Route{"provincial", []Authority{ProvincialCAC}, 4 * time.Hour, "《国家网络安全事件报告管理办法》（2025）第4条", "IRM 2025 Art. 4"}
)

// RouteByCode returns the route of a stored code.
func RouteByCode(code string) Route {
	switch code {
	case RouteCII.Code:
		return RouteCII
	case RouteCentral.Code:
		return RouteCentral
	}
	return RouteProvincial
}

// RouteFor picks the first-report route: an incident touching an identified CII system goes to
// the protection-work department and the police within 1 hour; otherwise a central or state
// organ tells its own cyber office within 2 hours, and every other operator the provincial
// cyberspace administration within 4 hours. A CII operator's incident that touches none of its
// CII follows the 4-hour route (the catalog's reading of Art. 4, IRM-OTHER-OPERATOR-4-HOUR-REPORT).
func RouteFor(touchesCII, centralStateOrgan bool) Route {
	switch {
	case touchesCII:
		return RouteCII
	case centralStateOrgan:
		return RouteCentral
	}
	return RouteProvincial
}

// Recipients are the authorities the first report must reach: the route's, and the police
// when a crime is suspected (reported with the first report — our reading: the IRM sets no
// separate clock for it).
func (in Incident) Recipients() []Authority {
	r := RouteByCode(in.Route)
	out := append([]Authority(nil), r.To...)
	if in.SuspectedCrime && !has(out, Police) {
		out = append(out, Police)
	}
	return out
}

func has(list []Authority, a Authority) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// SummaryDays is the summary report's period after handling ends (IRM 2025 Art. 8).
const SummaryDays = 30

// FirstReportDue is when the first report is due: the route's limit after detection, to the
// minute.
func FirstReportDue(detected time.Time, r Route) time.Time {
	return detected.Truncate(time.Minute).Add(r.Limit).In(calendar.Shanghai)
}

// SummaryDue is the last minute the summary report is on time: 23:59 China time on the 30th
// calendar day after the day handling ended (the day itself not counted). Calendar days, as the
// brief directs: weekends and public holidays count, and a period ending on one is not moved.
func SummaryDue(handled time.Time) time.Time {
	d := handled.In(calendar.Shanghai)
	end := time.Date(d.Year(), d.Month(), d.Day()+SummaryDays, 23, 59, 0, 0, calendar.Shanghai)
	return end
}

// Lateness compares a sending with its due minute: the minutes it was late (0 when on time).
// Both are counted in whole minutes: a report sent at 10:00:59 is on time for 10:00.
func Lateness(due, sent time.Time) (onTime bool, minutesLate int64) {
	late := int64(sent.Truncate(time.Minute).Sub(due.Truncate(time.Minute)) / time.Minute)
	if late <= 0 {
		return true, 0
	}
	return false, late
}

// Clock is one running or stopped reporting deadline of an incident.
type Clock struct {
	Kind    string      // first or summary
	To      []Authority // who must receive the report
	Start   time.Time   // detection, or the end of handling
	Due     time.Time
	SentAt  *time.Time // when the report went out to every recipient; nil while it runs
	OnTime  bool
	Late    int64 // minutes late, when sent late
	Overdue bool  // still running past its due minute
}

// Running says the clock has not been stopped by a sending.
func (c Clock) Running() bool { return c.SentAt == nil }

// Left is the time left until the due minute (negative when overdue).
func (c Clock) Left(now time.Time) time.Duration { return c.Due.Sub(now.Truncate(time.Minute)) }

// Fraction is the share of the clock's time that has passed at now, from 0.
func (c Clock) Fraction(now time.Time) float64 {
	total := c.Due.Sub(c.Start.Truncate(time.Minute))
	if total <= 0 {
		return 1
	}
	return float64(now.Sub(c.Start.Truncate(time.Minute))) / float64(total)
}
