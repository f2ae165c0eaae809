package review

import (
	"fmt"
	"time"

	"ciiguard/internal/calendar"
)

// Basis is the legal basis of a clock, cited in both languages like the catalog's citations.
type Basis struct {
	Zh, En string
}

// Period is a state's clock: how many working days the Measures give and on what basis.
type Period struct {
	Days  int
	Basis Basis
}

// Periods are the working-day clocks of the states that have one. Arts. 12, 14 and 15 were
// read in the final text (CAC Order No. 8 as republished); the numbers of Arts. 9 and 11
// come from the July 2021 draft, whose Arts. 12–16 the final text keeps (secondary).
var Periods = map[State]Period{
	Submitted: {10, Basis{"《网络安全审查办法》（2022）第9条：自收到符合要求的申报材料起10个工作日内确定是否需要审查（条号据征求意见稿，待核）",
		"Cybersecurity Review Measures 2022 Art. 9: decide within 10 working days of complete materials whether to review (article number from the 2021 draft, unconfirmed)"}},
	Initial: {30, Basis{"《网络安全审查办法》（2022）第11条：自书面通知之日起30个工作日内完成初步审查，情况复杂的可延长15个工作日（条号据征求意见稿，待核）",
		"Cybersecurity Review Measures 2022 Art. 11: initial review within 30 working days of the written notice, +15 if complex (article number from the 2021 draft, unconfirmed)"}},
	Opinions: {15, Basis{"《网络安全审查办法》（2022）第12条：成员单位和保护工作部门自收到审查结论建议之日起15个工作日内书面回复意见",
		"Cybersecurity Review Measures 2022 Art. 12: member units and protection departments reply in writing within 15 working days of the recommendation"}},
	Special: {90, Basis{"《网络安全审查办法》（2022）第14条：特别审查程序一般应当在90个工作日内完成，情况复杂的可以延长",
		"Cybersecurity Review Measures 2022 Art. 14: the special procedure normally ends within 90 working days and may be extended"}},
}

// ComplexDays is the initial review's extension for a complex case (Art. 11).
const ComplexDays = 15

// PauseBasis is the legal basis of a paused clock.
var PauseBasis = Basis{"《网络安全审查办法》（2022）第15条：提交补充材料的时间不计入审查时间",
	"Cybersecurity Review Measures 2022 Art. 15: time spent supplying material does not count"}

// Clock is a case's running working-day clock, counted on China's official calendar in China
// time: the n-th counted working day after the state began is the last day, and the working
// days on which the clock was paused are not counted.
type Clock struct {
	State State     `json:"state"`
	Days  int       `json:"days"`  // working days allowed, extensions included
	Start time.Time `json:"start"` // China date the state began; the day itself is not counted
	// Due is the last day (China date), or zero while a pause is open (the clock stands).
	Due         time.Time `json:"due"`
	Used        int       `json:"used"`        // working days counted up to today
	PausedDays  int       `json:"paused_days"` // working days not counted because of pauses, up to today
	Paused      bool      `json:"paused"`      // a request for material is open
	Overdue     bool      `json:"overdue"`     // today is after the last day
	Provisional bool      `json:"provisional"` // counted through a year without an official schedule
	Missing     []int     `json:"missing_years,omitempty"`
	Basis       Basis     `json:"-"`
}

// Left is the number of counted working days still to run (negative when overdue).
func (c Clock) Left() int { return c.Days - c.Used }

// maxScan bounds the days a clock walks (90 working days plus long pauses fit in far less).
const maxScan = 3 * 366

// day is a China calendar date at midnight in Shanghai.
func day(t time.Time) time.Time {
	y, m, d := t.In(calendar.Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, calendar.Shanghai)
}

// paused says whether date d falls in a pause: after the day of the request, up to and
// including the day the material was supplied (the clock runs again the next day).
func paused(d time.Time, ps []Pause) bool {
	for _, p := range ps {
		if d.After(day(p.From)) && (p.To == nil || !d.After(day(*p.To))) {
			return true
		}
	}
	return false
}

// ClockOf computes the clock of a case in its current state on cal, as of today; ok is false
// for a state without a clock.
func ClockOf(cal *calendar.Calendar, c Case, today time.Time) (clk Clock, ok bool, err error) {
	per, ok := Periods[c.State]
	if !ok {
		return Clock{}, false, nil
	}
	days := per.Days
	switch c.State {
	case Initial:
		if c.Complex {
			days += ComplexDays
		}
	case Special:
		days += c.ExtraDays
	}
	clk = Clock{State: c.State, Days: days, Start: day(c.Since), Basis: per.Basis}
	today = day(today)
	for _, p := range c.Pauses {
		if p.To == nil && !day(p.From).After(today) {
			clk.Paused = true
		}
	}
	count := 0
	d := clk.Start
	for i := 0; i < maxScan; i++ {
		d = d.AddDate(0, 0, 1)
		if clk.Paused && d.After(today) {
			break // the clock stands: no last day until the material is supplied
		}
		if !clk.Paused && count >= days && d.After(today) {
			break
		}
		work, err := cal.IsWorkingDay(d)
		if err != nil {
			return Clock{}, true, fmt.Errorf("review clock of case %d: %w", c.ID, err)
		}
		if !work {
			continue
		}
		if paused(d, c.Pauses) {
			if !d.After(today) {
				clk.PausedDays++
			}
			continue
		}
		count++
		if !d.After(today) {
			clk.Used = count
		}
		if count == days {
			clk.Due = d
		}
	}
	end := today
	if !clk.Due.IsZero() {
		clk.Overdue = today.After(clk.Due)
		if clk.Due.After(end) {
			end = clk.Due
		}
	}
	clk.Missing = cal.MissingYears(clk.Start, end)
	clk.Provisional = len(clk.Missing) > 0
	return clk, true, nil
}
