package holidays

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// MaxSize bounds a schedule file; a real one is about a kilobyte.
const MaxSize = 64 << 10

// Loaded is a schedule an administrator loaded.
type Loaded struct {
	Year     int       `json:"year"`
	Source   string    `json:"source"`
	LoadedBy string    `json:"loaded_by"`
	LoadedAt time.Time `json:"loaded_at"`
}

// Status is what the calendar knows: the years shipped with the release, the years loaded
// since, and every year with a schedule.
type Status struct {
	Builtin []int    `json:"builtin_years"`
	Known   []int    `json:"known_years"`
	Loaded  []Loaded `json:"loaded"`
}

// parseOne reads a schedule file holding exactly the given year.
func parseOne(year int, b []byte) (calendar.Schedule, error) {
	ss, err := calendar.ParseSchedules(b)
	if err != nil {
		return calendar.Schedule{}, err
	}
	if len(ss) != 1 || ss[0].Year != year {
		return calendar.Schedule{}, fmt.Errorf("the file must hold the schedule of %d only", year)
	}
	return ss[0], nil
}

// sourceOf returns the `source:` line of a one-year file, for the list.
func sourceOf(b []byte, year int) string {
	var f struct {
		Years map[int]struct {
			Source string `yaml:"source"`
		} `yaml:"years"`
	}
	_ = yamlUnmarshal(b, &f) // already validated; an absent source is ""
	return f.Years[year].Source
}

// LoadSchedule validates a year's schedule (the built-in YAML form) and, only if it is valid,
// stores it, records it in the audit log and loads it into the calendar. A year shipped with
// the release is refused. orgID is the actor's organisation for the audit log (0 from the CLI).
func (m *Module) LoadSchedule(ctx context.Context, orgID int64, yearText string, b []byte) (Loaded, error) {
	year, err := strconv.Atoi(yearText)
	if err != nil || year < 2000 || year > 2100 {
		return Loaded{}, problem.Field("year", "must be a year from 2000 to 2100")
	}
	if calendar.IsBuiltin(year) {
		return Loaded{}, problem.Field("year", "is shipped with this release and cannot be replaced")
	}
	if len(b) > MaxSize {
		return Loaded{}, problem.Field("body", "is larger than %d KiB", MaxSize>>10)
	}
	s, err := parseOne(year, b)
	if err != nil {
		return Loaded{}, problem.Field("body", "is not a valid holiday schedule: %v", err)
	}
	l := Loaded{Year: year, Source: sourceOf(b, year), LoadedBy: audit.ActorFrom(ctx).Label, LoadedAt: m.now().UTC().Truncate(time.Microsecond)}
	err = m.db.Write(ctx, func(tx *store.Tx) error {
		var before *Loaded
		var prev Loaded
		err := tx.QueryRow(`SELECT year, source, loaded_by, loaded_at FROM holiday_schedules WHERE year = $1`, year).Scan(&prev.Year, &prev.Source, &prev.LoadedBy, &prev.LoadedAt)
		switch {
		case err == nil:
			before = &prev
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("read schedule %d: %w", year, err)
		}
		if _, err := tx.Exec(`DELETE FROM holiday_schedules WHERE year = $1`, year); err != nil {
			return fmt.Errorf("replace schedule %d: %w", year, err)
		}
		if _, err := tx.Exec(`INSERT INTO holiday_schedules (year, yaml, source, loaded_by, loaded_at) VALUES ($1, $2, $3, $4, $5)`,
			year, string(b), l.Source, l.LoadedBy, l.LoadedAt); err != nil {
			return fmt.Errorf("store schedule %d: %w", year, err)
		}
		action := audit.Create
		if before != nil {
			action = audit.Update
		}
		return audit.Record(tx, orgID, "holiday_schedule", strconv.Itoa(year), action, before, l, fmt.Sprintf("holiday schedule %d", year))
	})
	if err != nil {
		return Loaded{}, err
	}
	if err := m.cal.Load(s); err != nil {
		return Loaded{}, fmt.Errorf("load schedule %d into the calendar: %w", year, err)
	}
	if m.changes != nil {
		m.changes.ChangedForAll(ctx)
	}
	return l, nil
}

func (m *Module) list(ctx context.Context) ([]Loaded, []string, error) {
	var out []Loaded
	var texts []string
	err := m.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT year, source, loaded_by, loaded_at, yaml FROM holiday_schedules ORDER BY year`)
		if err != nil {
			return fmt.Errorf("list schedules: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var l Loaded
			var y string
			if err := rows.Scan(&l.Year, &l.Source, &l.LoadedBy, &l.LoadedAt, &y); err != nil {
				return err
			}
			l.LoadedAt = l.LoadedAt.UTC()
			out, texts = append(out, l), append(texts, y)
		}
		return rows.Err()
	})
	return out, texts, err
}

// Status lists the years the calendar knows and the schedules loaded.
func (m *Module) Status(ctx context.Context) (Status, error) {
	ls, _, err := m.list(ctx)
	if err != nil {
		return Status{}, err
	}
	st := Status{Known: m.cal.KnownYears(), Loaded: ls}
	b, _ := calendar.Builtin()
	for _, s := range b {
		st.Builtin = append(st.Builtin, s.Year)
	}
	if st.Loaded == nil {
		st.Loaded = []Loaded{}
	}
	return st, nil
}
