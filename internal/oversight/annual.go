package oversight

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// The annual report clock. CIIR 2021 Art. 17 obliges the operator to test and assess its
// CII "每年至少进行一次" (at least once a year) and to report "按照保护工作部门要求"
// (as the protection-work department requires); it names no date. When the yearly report
// falls due is therefore the department's own requirement, a setting of the regulator
// (AnnualSetting), labelled as such wherever the clock is shown:
//
//   - by default, the anniversary of the operator's identification (the first notice's
//     date), then every year on that day;
//   - or a fixed day of the year (MM-DD) that the department sets for every operator, the
//     first such day after identification, then every year.
//
// The latest annual_report the operator filed on or after its identification day covers
// the year (between two due dates) in which it was filed: the next report is due at the
// end of the following year. With none, the first due date is due. Overdue from the day
// after the due date, in Beijing days. A late report thus counts for the year it is filed
// in; the clock shows the current obligation, not a history of missed years.

// Annual report clock states of an entry.
const (
	AnnualDue     = "due"
	AnnualOverdue = "overdue"
	// AnnualOutside: identified, but not an organisation of this installation, and no
	// report imported from a signed bundle yet: its reports reach the department outside
	// ciiguard, which therefore runs no clock for it.
	AnnualOutside = "outside"
)

// AnnualSetting is the department's requirement of when the yearly report falls due.
type AnnualSetting struct {
	// Day is "" for the anniversary of identification, or MM-DD for that day every year.
	Day   string    `json:"annual_day"`
	SetBy string    `json:"set_by,omitempty"`
	SetAt time.Time `json:"set_at,omitzero"`
}

// parseMonthDay reads MM-DD; 02-29 is allowed and falls on 28 February in other years.
func parseMonthDay(s string) (month, day int, ok bool) {
	mm, dd, found := strings.Cut(s, "-")
	if !found || len(mm) != 2 || len(dd) != 2 {
		return 0, 0, false
	}
	m, err1 := strconv.Atoi(mm)
	d, err2 := strconv.Atoi(dd)
	if err1 != nil || err2 != nil || m < 1 || m > 12 || d < 1 {
		return 0, 0, false
	}
	// The month's length in a leap year: every day that occurs in some year.
	if d > time.Date(2024, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return 0, 0, false
	}
	return m, d, true
}

// onDay is month-day in year, the month's last day when the year lacks it (29 February).
func onDay(year, month, day int) string {
	last := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return time.Date(year, time.Month(month), min(day, last), 0, 0, 0, 0, time.UTC).Format(dateLayout)
}

// annualDueDates returns the k-th due date (k >= 1) after identification on identified
// under the setting day ("" or MM-DD).
func annualDueDate(identified, day string, k int) string {
	if day == "" {
		return addMonths(identified, 12*k)
	}
	m, d, _ := parseMonthDay(day)
	t, err := time.Parse(dateLayout, identified)
	if err != nil {
		return ""
	}
	first := onDay(t.Year(), m, d)
	y := t.Year()
	if first <= identified {
		y++
	}
	return onDay(y+k-1, m, d)
}

// maxAnnualYears bounds the walk over due dates (a century of identification).
const maxAnnualYears = 100

// annualClock is the clock of an operator identified on identified (YYYY-MM-DD), whose
// annual reports were filed on the Beijing days filed (any order), on today, under the
// setting day. It returns the due date, the latest report counted ("" for none) and
// AnnualDue or AnnualOverdue.
func annualClock(identified string, filed []string, today, day string) (due, last, state string) {
	for _, f := range filed {
		if f >= identified && f > last {
			last = f
		}
	}
	k := 1
	if last != "" {
		// The year the latest report falls in: the first due date on or after it.
		for k <= maxAnnualYears && annualDueDate(identified, day, k) < last {
			k++
		}
		k++
	}
	due = annualDueDate(identified, day, k)
	state = AnnualDue
	if today > due {
		state = AnnualOverdue
	}
	return due, last, state
}

// reportKindAnnual is an annual report's kind in a signed report bundle (the reports
// capability's KindAnnual).
const reportKindAnnual = "annual"

// setAnnualClock sets the entry's annual report clock from the reports filed in ciiguard
// and those imported from signed bundles. An entry that is no organisation of this
// installation runs the clock once it has an imported report; before, it is outside.
func setAnnualClock(e *Entry, filed, imported []time.Time, today, day string) {
	if !e.Identified {
		return
	}
	if e.OperatorID == 0 && len(imported) == 0 {
		e.Annual = AnnualOutside
		return
	}
	days := make([]string, 0, len(filed)+len(imported))
	for _, at := range append(filed, imported...) {
		days = append(days, bjDay(at))
	}
	e.AnnualDueOn, e.AnnualLastOn, e.Annual = annualClock(e.IdentifiedOn, days, today, day)
}

// readAnnualSetting reads the department's setting inside a tenant read; the default when
// it set none.
func readAnnualSetting(t *store.Tenant) (AnnualSetting, error) {
	var a AnnualSetting
	err := t.QueryRow(`SELECT annual_day, set_by, set_at FROM oversight_settings WHERE org_id = $1`).Scan(&a.Day, &a.SetBy, &a.SetAt)
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, store.ErrNotFound) {
		return AnnualSetting{}, nil
	}
	if err != nil {
		return a, fmt.Errorf("read the annual report setting: %w", err)
	}
	a.SetAt = a.SetAt.UTC()
	return a, nil
}

// AnnualSettingOf is the context regulator's requirement of when annual reports fall due.
func (s *Service) AnnualSettingOf(ctx context.Context) (AnnualSetting, error) {
	var a AnnualSetting
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		a, err = readAnnualSetting(t)
		return err
	})
	return a, err
}

// SetAnnualSetting records the context regulator's requirement, audited: "" for the
// anniversary of identification, or MM-DD.
func (s *Service) SetAnnualSetting(ctx context.Context, day string) (AnnualSetting, error) {
	day = strings.TrimSpace(day)
	if _, _, ok := parseMonthDay(day); day != "" && !ok {
		return AnnualSetting{}, problem.Field("annual_day", "must be empty (the anniversary of identification) or a day of the year MM-DD such as 03-31")
	}
	out := AnnualSetting{Day: day, SetBy: audit.ActorFrom(ctx).Label, SetAt: s.now()}
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := readAnnualSetting(t)
		if err != nil {
			return err
		}
		if _, err := t.Exec(`DELETE FROM oversight_settings WHERE org_id = $1`); err != nil {
			return fmt.Errorf("replace the annual report setting: %w", err)
		}
		if _, err := t.Exec(`INSERT INTO oversight_settings (org_id, annual_day, set_by, set_at) VALUES ($1, $2, $3, $4)`, out.Day, out.SetBy, out.SetAt); err != nil {
			return fmt.Errorf("record the annual report setting: %w", err)
		}
		return audit.InTenant(t, "oversight_settings", "annual_day", "update", before, out, "annual report due: "+cmpOr(day, "anniversary of identification"))
	})
	return out, err
}
