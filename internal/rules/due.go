package rules

import (
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"

	"ciiguard/internal/calendar"
)

// pastDue reports whether a deadline has passed at now. A deadline counted in days, months or
// working days is a date in China Standard Time and ends at 24:00 Beijing time on that date
// ("within 30 days" leaves the whole 30th day), whatever zone the server or the stored date is
// in; a deadline counted in hours (the incident-report clocks) is an instant.
func pastDue(now, due time.Time, instant bool) bool {
	if instant {
		return now.After(due)
	}
	return calendarDays(due, now) > 0
}

// dueToday reports whether a date deadline falls on now's Beijing date.
func dueToday(now, due time.Time, instant bool) bool {
	return !instant && calendarDays(due, now) == 0
}

// calendarDays counts the Beijing calendar days from a's date to b's date (negative when b's
// date is earlier): 2025-12-01 to 2026-12-01 is 365 whatever the clock times.
func calendarDays(a, b time.Time) int64 {
	ya, ma, da := a.In(calendar.Shanghai).Date()
	yb, mb, db := b.In(calendar.Shanghai).Date()
	// Whole days between the two dates at UTC midnight: no leap seconds or zone offsets.
	return floorDiv(time.Date(yb, mb, db, 0, 0, 0, 0, time.UTC).Unix()-time.Date(ya, ma, da, 0, 0, 0, 0, time.UTC).Unix(), 86400)
}

// provisionalWindow is how far back from a working-day deadline its count can reach: the
// longest working-day clock of the regime is 90 working days (CSR special procedure), under
// 140 calendar days even with the Spring Festival in it.
const provisionalWindow = 140

// markProvisional flags a finding whose deadline was counted in working days through a year
// the calendar has no official schedule for (counted on weekends only until an administrator
// loads that year), and says so in the reason.
func (e *Engine) markProvisional(c *compiled, fd *Finding) {
	if !c.dueWorking || fd.Due == nil {
		return
	}
	missing := e.cfg.cal.MissingYears(fd.Due.AddDate(0, 0, -provisionalWindow), *fd.Due)
	if len(missing) == 0 {
		return
	}
	years := make([]string, len(missing))
	for i, y := range missing {
		years[i] = strconv.Itoa(y)
	}
	fd.Provisional = true
	fd.Reason.Zh += "（暂定期限：" + strings.Join(years, "、") + "年的放假安排尚未载入，暂按仅周末休息计算工作日）"
	fd.Reason.En += " (provisional deadline: the official holiday schedule for " + strings.Join(years, ", ") + " is not loaded yet; working days counted with weekends off only)"
}

// callsFunction reports whether a checked expression calls the named function.
func callsFunction(a *cel.Ast, name string) bool {
	found := false
	visit := ast.NewExprVisitor(func(x ast.Expr) {
		if x.Kind() == ast.CallKind && x.AsCall().FunctionName() == name {
			found = true
		}
	})
	ast.PreOrderVisit(ast.NavigateAST(a.NativeRep()), visit)
	return found
}

// callsHours reports whether a checked deadline expression counts in hours (addHours), which
// makes its deadline an instant rather than a date.
func callsHours(a *cel.Ast) bool { return callsFunction(a, "addHours") }
