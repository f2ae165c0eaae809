package calendar

import (
	"fmt"
	"sort"
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

// parseSchedules reads schedules.yaml and checks that every date belongs to its year (a
// make-up working day in the next January would be filed under that year) and that make-up
// working days really are weekend days, which catches most transcription slips.
func parseSchedules(b []byte) ([]Schedule, error) {
	var f scheduleFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("calendar: parse schedules: %w", err)
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
