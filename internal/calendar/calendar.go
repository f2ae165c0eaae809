// Package calendar counts deadlines the way Chinese rules count them: calendar days, hours,
// and working days on China's official calendar, where weekends are off, public holidays are
// off, and some weekend days are declared make-up working days (调休).
//
// Every computation happens on Asia/Shanghai dates, whatever location the input time carries,
// because a deadline "within 10 working days" is counted on the dates a regulator in Beijing
// sees. The schedules are data (schedules.yaml, embedded); the State Council publishes a new
// one each year. A strict calendar (New) refuses to count working days in a year it has no
// schedule for; the shared Official calendar counts such a year on weekends only and says so
// (MissingYears), so that a deadline is shown as provisional instead of refused, and an
// administrator can load a year's schedule into it at run time (Load) without a release.
package calendar

import (
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Shanghai is the Asia/Shanghai location used for every date computation. It falls back to a
// fixed UTC+8 zone when the host has no time zone database, which gives the same answers
// because China has not observed daylight saving time since 1991.
var Shanghai = loadShanghai()

func loadShanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}

// MaxSpan bounds the number of working days a single call may count, so that an expression
// in a rule cannot ask for an effectively endless loop. It is about a century of working days.
const MaxSpan = 36500

// ErrNoSchedule is matched (with errors.Is) by the error returned when a date falls in a year
// the calendar has no official schedule for.
var ErrNoSchedule = errors.New("no official schedule")

// NoScheduleError reports a year without an official schedule. It wraps ErrNoSchedule.
type NoScheduleError struct {
	Year  int   // the year that was needed
	Known []int // the years the calendar does know, ascending
}

// Error names the year and the years that are known, so the message says what to do.
func (e *NoScheduleError) Error() string {
	known := make([]string, len(e.Known))
	for i, y := range e.Known {
		known[i] = fmt.Sprint(y)
	}
	return fmt.Sprintf("calendar: no official schedule for %d; known years: %s; "+
		"add the State Council's schedule or use weekends-only mode", e.Year, strings.Join(known, ", "))
}

// Unwrap lets errors.Is(err, ErrNoSchedule) match.
func (e *NoScheduleError) Unwrap() error { return ErrNoSchedule }

// dayKind is how the official schedule overrides the weekday rule for a date.
type dayKind uint8

const (
	holiday dayKind = iota + 1 // a day off on what would be a working day (or a weekend inside a holiday run)
	workday                    // a weekend day declared a working day
)

// Calendar answers working-day questions. The zero value is not usable; use Official,
// WeekendsOnly or New. A Calendar is immutable and safe for concurrent use.
type Calendar struct {
	mu           sync.RWMutex // guards the maps and known: Load may add a year at run time
	days         map[civil]dayKind
	names        map[civil]string
	years        map[int]bool
	known        []int
	weekendsOnly bool // years without a schedule count weekends only instead of failing
}

// civil is a date without a clock, in Shanghai.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil {
	y, m, d := t.In(Shanghai).Date()
	return civil{y, m, d}
}

func (c civil) time() time.Time { return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, Shanghai) }

// Option configures New.
type Option func(*Calendar)

// WithWeekendsOnlyFallback makes years without an official schedule count weekends as the only
// days off, instead of returning a NoScheduleError. Use it only when the user has accepted an
// approximate deadline, for example in planning views far in the future.
func WithWeekendsOnlyFallback() Option { return func(c *Calendar) { c.weekendsOnly = true } }

// Schedule is one year's official holiday arrangement, for callers that build a calendar from
// their own data (for example a year published after this release).
type Schedule struct {
	Year     int
	Holidays []Holiday
	Workdays []time.Time // weekend dates declared working days
}

// Holiday is one run of days off, both ends included.
type Holiday struct {
	Name     string
	From, To time.Time
}

// WithSchedule adds or replaces a year's schedule.
func WithSchedule(s Schedule) Option {
	return func(c *Calendar) { c.add(s) }
}

//go:embed schedules.yaml
var schedulesYAML []byte

var (
	builtinOnce sync.Once
	builtin     []Schedule
	builtinErr  error
)

// Builtin returns the schedules shipped with the program, ascending by year.
func Builtin() ([]Schedule, error) {
	builtinOnce.Do(func() { builtin, builtinErr = parseSchedules(schedulesYAML) })
	return builtin, builtinErr
}

// New returns a calendar with the built-in schedules plus any options.
func New(opts ...Option) (*Calendar, error) {
	scheds, err := Builtin()
	if err != nil {
		return nil, err
	}
	c := &Calendar{days: map[civil]dayKind{}, names: map[civil]string{}, years: map[int]bool{}}
	for _, s := range scheds {
		c.add(s)
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

var (
	officialOnce sync.Once
	official     *Calendar
	weekendsCal  *Calendar
)

func initDefaults() {
	officialOnce.Do(func() {
		var err error
		if official, err = New(WithWeekendsOnlyFallback()); err != nil {
			// The schedules are embedded and covered by tests; a parse failure is a build defect.
			panic(fmt.Sprintf("calendar: built-in schedules: %v", err))
		}
		weekendsCal, _ = New(WithWeekendsOnlyFallback())
	})
}

// Official returns the shared calendar the rules engine counts with: the built-in schedules
// plus any loaded at run time (Load); a year with neither is counted on weekends only and
// reported by MissingYears, so that its deadlines are shown as provisional, never refused.
func Official() *Calendar { initDefaults(); return official }

// WeekendsOnly returns the shared lenient calendar: built-in schedules where known, weekends
// only elsewhere.
func WeekendsOnly() *Calendar { initDefaults(); return weekendsCal }

// Load adds or replaces a year's schedule in a calendar in use, for a year the State Council
// published after this release. It checks the schedule as the built-in file is checked
// (Validate) and refuses to replace a built-in year.
func (c *Calendar) Load(s Schedule) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if IsBuiltin(s.Year) {
		return fmt.Errorf("calendar: %d is shipped with this release and cannot be replaced", s.Year)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.add(s)
	return nil
}

// IsBuiltin reports whether this release ships the schedule of a year.
func IsBuiltin(year int) bool {
	scheds, _ := Builtin()
	for _, s := range scheds {
		if s.Year == year {
			return true
		}
	}
	return false
}

// Knows reports whether the calendar has the official schedule of a year.
func (c *Calendar) Knows(year int) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.years[year]
}

// MissingYears lists, ascending, the years from a's to b's (Beijing dates, either order)
// the calendar has no schedule for: working days counted there are provisional.
func (c *Calendar) MissingYears(a, b time.Time) []int {
	ya, yb := a.In(Shanghai).Year(), b.In(Shanghai).Year()
	if yb < ya {
		ya, yb = yb, ya
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []int
	for y := ya; y <= yb; y++ {
		if !c.years[y] {
			out = append(out, y)
		}
	}
	return out
}

func (c *Calendar) add(s Schedule) {
	for d := range c.days { // replacing a year drops its old entries
		if d.y == s.Year {
			delete(c.days, d)
			delete(c.names, d)
		}
	}
	for _, h := range s.Holidays {
		for d := civilOf(h.From); !civilOf(h.To).before(d); d = civilOf(d.time().AddDate(0, 0, 1)) {
			c.days[d] = holiday
			c.names[d] = h.Name
		}
	}
	for _, w := range s.Workdays {
		c.days[civilOf(w)] = workday
	}
	if !c.years[s.Year] {
		c.years[s.Year] = true
		c.known = append(c.known, s.Year)
		sort.Ints(c.known)
	}
}

func (a civil) before(b civil) bool {
	if a.y != b.y {
		return a.y < b.y
	}
	if a.m != b.m {
		return a.m < b.m
	}
	return a.d < b.d
}

// Schedule returns the official arrangement for a year as the calendar holds it (built-in or
// given with WithSchedule), for showing the holidays and make-up days in the UI.
func (c *Calendar) Schedule(year int) (Schedule, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if !c.years[year] {
		return Schedule{}, false
	}
	s := Schedule{Year: year}
	var days []civil
	for d := range c.days {
		if d.y == year {
			days = append(days, d)
		}
	}
	sort.Slice(days, func(i, j int) bool { return days[i].before(days[j]) })
	for _, d := range days {
		switch c.days[d] {
		case workday:
			s.Workdays = append(s.Workdays, d.time())
		case holiday:
			name := c.names[d]
			if n := len(s.Holidays); n > 0 && s.Holidays[n-1].Name == name &&
				civilOf(s.Holidays[n-1].To.AddDate(0, 0, 1)) == d {
				s.Holidays[n-1].To = d.time()
				continue
			}
			s.Holidays = append(s.Holidays, Holiday{Name: name, From: d.time(), To: d.time()})
		}
	}
	return s, true
}

// KnownYears lists the years with an official schedule, ascending.
func (c *Calendar) KnownYears() []int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]int(nil), c.known...)
}

func (c *Calendar) working(d civil) (bool, error) {
	c.mu.RLock()
	known, kind := c.years[d.y], c.days[d]
	c.mu.RUnlock()
	if !known && !c.weekendsOnly {
		return false, &NoScheduleError{Year: d.y, Known: c.KnownYears()}
	}
	switch kind {
	case holiday:
		return false, nil
	case workday:
		return true, nil
	}
	wd := d.time().Weekday()
	return wd != time.Saturday && wd != time.Sunday, nil
}

// IsWorkingDay reports whether t's Shanghai date is an official working day.
func (c *Calendar) IsWorkingDay(t time.Time) (bool, error) { return c.working(civilOf(t)) }

// HolidayName returns the name of the public holiday covering t's Shanghai date, or "".
func (c *Calendar) HolidayName(t time.Time) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.names[civilOf(t)]
}

// AddWorkingDays returns the n-th working day after t (before t when n is negative), keeping
// t's Shanghai clock time. The day of t itself is never counted, which is how "within N
// working days of receipt" is read: receipt on a Friday starts the count on Monday. n == 0
// returns t unchanged even when t is not a working day.
func (c *Calendar) AddWorkingDays(t time.Time, n int) (time.Time, error) {
	if n > MaxSpan || n < -MaxSpan {
		return time.Time{}, fmt.Errorf("calendar: %d working days is beyond the %d-day limit", n, MaxSpan)
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	local := t.In(Shanghai)
	d := civilOf(local)
	for n > 0 {
		d = civilOf(d.time().AddDate(0, 0, step))
		ok, err := c.working(d)
		if err != nil {
			return time.Time{}, err
		}
		if ok {
			n--
		}
	}
	h, m, s := local.Clock()
	return time.Date(d.y, d.m, d.d, h, m, s, local.Nanosecond(), Shanghai), nil
}

// WorkingDaysBetween counts the working days after a's date up to and including b's date, so
// that AddWorkingDays(a, WorkingDaysBetween(a, b)) is the last working day on or before b
// (for b after a). It is negative when b is before a, and 0 on the same date.
func (c *Calendar) WorkingDaysBetween(a, b time.Time) (int, error) {
	da, db := civilOf(a), civilOf(b)
	sign := 1
	if db.before(da) {
		da, db, sign = db, da, -1
	}
	count := 0
	for d := da; d.before(db); {
		d = civilOf(d.time().AddDate(0, 0, 1))
		ok, err := c.working(d)
		if err != nil {
			return 0, err
		}
		if ok {
			count++
		}
		if count > MaxSpan {
			return 0, fmt.Errorf("calendar: span %s to %s is beyond the %d-day limit",
				a.Format(time.DateOnly), b.Format(time.DateOnly), MaxSpan)
		}
	}
	return sign * count, nil
}

// IsWorkingDay reports whether t's Shanghai date is a working day on the official calendar.
func IsWorkingDay(t time.Time) (bool, error) { return Official().IsWorkingDay(t) }

// AddWorkingDays is Official().AddWorkingDays.
func AddWorkingDays(t time.Time, n int) (time.Time, error) { return Official().AddWorkingDays(t, n) }

// WorkingDaysBetween is Official().WorkingDaysBetween.
func WorkingDaysBetween(a, b time.Time) (int, error) { return Official().WorkingDaysBetween(a, b) }

// AddDays returns t plus n calendar days on the Shanghai calendar, keeping the clock time.
// It exists so that a deadline rule reads as what the rule says ("within 30 days").
func AddDays(t time.Time, n int) time.Time { return t.In(Shanghai).AddDate(0, 0, n) }

// AddHours returns t plus n hours, for the incident-report clocks (1, 2, 4 hours).
func AddHours(t time.Time, n int) time.Time { return t.Add(time.Duration(n) * time.Hour) }

// AddMonths returns t plus n calendar months on the Shanghai calendar. When the target month
// is shorter, the result is clamped to its last day (31 January + 1 month = 28 or 29
// February), which is how periods "of N months" are read, instead of Go's overflow into the
// next month.
func AddMonths(t time.Time, n int) time.Time {
	local := t.In(Shanghai)
	y, m, d := local.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, Shanghai)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	hh, mm, ss := local.Clock()
	return time.Date(first.Year(), first.Month(), d, hh, mm, ss, local.Nanosecond(), Shanghai)
}
