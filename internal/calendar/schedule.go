package calendar

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// scheduleFile is the shape of schedules.yaml.
type scheduleFile struct {
	Years map[int]struct {
		Source   string `yaml:"source"`
		Holidays []struct {
			Name string `yaml:"name"`
			From string `yaml:"from"`
			To   string `yaml:"to"`
		} `yaml:"holidays"`
		Workdays []string `yaml:"workdays"`
	} `yaml:"years"`
}

// ParseSchedules reads schedules in the form of the built-in schedules.yaml (a `years:`
// mapping), as an administrator loads a newly published year, and checks each as Validate
// does. Unknown keys are refused.
func ParseSchedules(b []byte) ([]Schedule, error) { return parseSchedules(b) }

// Validate checks a schedule as the built-in file is checked: every date in its year,
// holidays that do not end before they start, make-up working days on weekends.
func (s Schedule) Validate() error {
	if s.Year < 2000 || s.Year > 2100 {
		return fmt.Errorf("calendar: year %d is out of range", s.Year)
	}
	in := func(t time.Time) bool { return t.In(Shanghai).Year() == s.Year }
	for _, h := range s.Holidays {
		if !in(h.From) || !in(h.To) {
			return fmt.Errorf("calendar: schedule %d: holiday %q is not in %d", s.Year, h.Name, s.Year)
		}
		if h.To.Before(h.From) {
			return fmt.Errorf("calendar: schedule %d: holiday %q ends before it starts", s.Year, h.Name)
		}
		if strings.TrimSpace(h.Name) == "" {
			return fmt.Errorf("calendar: schedule %d: a holiday has no name", s.Year)
		}
	}
	for _, w := range s.Workdays {
		if !in(w) {
			return fmt.Errorf("calendar: schedule %d: make-up working day %s is not in %d", s.Year, w.In(Shanghai).Format(time.DateOnly), s.Year)
		}
		if wd := w.In(Shanghai).Weekday(); wd != time.Saturday && wd != time.Sunday {
			return fmt.Errorf("calendar: schedule %d: make-up working day %s is a %s, not a weekend day", s.Year, w.In(Shanghai).Format(time.DateOnly), wd)
		}
	}
	return nil
}

// parseSchedules reads schedules.yaml and checks that every date belongs to its year (a
// make-up working day in the next January would be filed under that year) and that make-up
// working days really are weekend days, which catches most transcription slips.
func parseSchedules(b []byte) ([]Schedule, error) {
	var f scheduleFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("calendar: parse schedules: %w", err)
	}
	if len(f.Years) == 0 {
		return nil, fmt.Errorf("calendar: parse schedules: no years")
	}
	parse := func(year int, s string) (time.Time, error) {
		t, err := time.ParseInLocation(time.DateOnly, s, Shanghai)
		if err != nil {
			return t, fmt.Errorf("calendar: schedule %d: %w", year, err)
		}
		if t.Year() != year {
			return t, fmt.Errorf("calendar: schedule %d: date %s is in another year", year, s)
		}
		return t, nil
	}
	var out []Schedule
	for year, y := range f.Years {
		s := Schedule{Year: year}
		for _, h := range y.Holidays {
			from, err := parse(year, h.From)
			if err != nil {
				return nil, err
			}
			to, err := parse(year, h.To)
			if err != nil {
				return nil, err
			}
			if to.Before(from) {
				return nil, fmt.Errorf("calendar: schedule %d: holiday %q ends before it starts", year, h.Name)
			}
			s.Holidays = append(s.Holidays, Holiday{Name: h.Name, From: from, To: to})
		}
		for _, w := range y.Workdays {
			d, err := parse(year, w)
			if err != nil {
				return nil, err
			}
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				return nil, fmt.Errorf("calendar: schedule %d: make-up working day %s is a %s, not a weekend day", year, w, wd)
			}
			s.Workdays = append(s.Workdays, d)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out, nil
}
