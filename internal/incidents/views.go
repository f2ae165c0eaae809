package incidents

import (
	"fmt"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/web"
)

// cst writes an instant in China time to the minute.
func cst(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Shanghai).Format("2006-01-02 15:04")
}

// leftText says a duration in whole minutes as a person reads it: "59分钟", "3小时05分钟",
// "29天4小时"; negative durations are said as overdue by the caller.
func leftText(lang string, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	m := int64(d / time.Minute)
	days, hours, mins := m/(24*60), m/60%24, m%60
	if lang == web.LangEN {
		switch {
		case days > 0:
			return fmt.Sprintf("%d d %d h", days, hours)
		case hours > 0:
			return fmt.Sprintf("%d h %02d min", hours, mins)
		}
		return fmt.Sprintf("%d min", mins)
	}
	switch {
	case days > 0:
		return fmt.Sprintf("%d天%d小时", days, hours)
	case hours > 0:
		return fmt.Sprintf("%d小时%02d分钟", hours, mins)
	}
	return fmt.Sprintf("%d分钟", mins)
}

// clockView is a clock as the pages show it.
type clockView struct {
	Clock
	IncidentID    int64
	Title         string
	KindZh        string
	KindEn        string
	DueText       string
	Left          string
	SentText      string
	Pct           int
	Grade         Grade
	RouteCitation [2]string
}

func newClockView(lang string, in *Incident, c Clock, now time.Time) clockView {
	cv := clockView{Clock: c, IncidentID: in.ID, Title: in.Title, KindZh: KindZh(c.Kind), KindEn: KindEn(c.Kind), DueText: cst(c.Due), Grade: in.Grade()}
	r := RouteByCode(in.Route)
	cv.RouteCitation = [2]string{r.CitationZh, r.CitationEn}
	if c.Kind == KindSummary {
		cv.RouteCitation = [2]string{"《国家网络安全事件报告管理办法》（2025）第8条", "IRM 2025 Art. 8"}
	}
	if c.SentAt != nil {
		cv.SentText = cst(*c.SentAt)
	} else {
		cv.Left = leftText(lang, c.Left(now))
		cv.Pct = int(c.Fraction(now) * 100)
	}
	return cv
}

// criterionRow is one row of the grading table on an incident's page.
type criterionRow struct {
	Criterion
	Zh, En   string
	Value    int64
	Shown    string // the measure, grouped by thousands
	Reached  bool
	Decisive bool
}

func gradingRows(th Thresholds, in *Incident) []criterionRow {
	g := th.Grade(in.Impact)
	out := make([]criterionRow, 0, len(th))
	for _, c := range th {
		zh, en := c.Describe()
		row := criterionRow{Criterion: c, Zh: zh, En: en, Value: in.Impact.Value(c.Metric)}
		row.Shown = groupDigits(row.Value)
		row.Reached = c.Threshold > 0 && row.Value >= c.Threshold
		row.Decisive = g.Decisive != nil && *g.Decisive == c
		out = append(out, row)
	}
	return out
}

// DetectedText is the detection in China time, for the pages.
func (in Incident) DetectedText() string { return cst(in.DetectedAt) }

// StartedText is the start in China time, "" when unknown.
func (in Incident) StartedText() string {
	if in.StartedAt == nil {
		return ""
	}
	return cst(*in.StartedAt)
}

// HandledText is the end of handling in China time, "" while open.
func (in Incident) HandledText() string {
	if in.HandledAt == nil {
		return ""
	}
	return cst(*in.HandledAt)
}

// AtText is the entry's time in China time.
func (e Entry) AtText() string { return cst(e.At) }

// SentText is the sending's time in China time, "" while unsent.
func (r Report) SentText() string {
	if r.SentAt == nil {
		return ""
	}
	return cst(*r.SentAt)
}

// DueText is the report's due minute in China time, "" when it has no clock.
func (r Report) DueText() string {
	if r.DueAt == nil {
		return ""
	}
	return cst(*r.DueAt)
}

// KindZh names the report's kind in Chinese.
func (r Report) KindZh() string { return KindZh(r.Kind) }

// KindEn names the report's kind in English.
func (r Report) KindEn() string { return KindEn(r.Kind) }
