package emergency

import (
	"context"
	"fmt"
	"strings"

	"ciiguard/internal/problem"
)

// Limits of free text.
const (
	maxShort = 200
	maxText  = 20000
	maxItems = 50
)

// checkDate validates an optional or required Beijing date that may not lie after today.
func checkDate(v *problem.Invalid, field, s string, required bool, today string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			v.Add(field, "is required")
		}
		return ""
	}
	t, ok := parseDay(s)
	if !ok {
		v.Add(field, "must be a date as YYYY-MM-DD")
		return s
	}
	d := t.Format("2006-01-02")
	if today != "" && d > today {
		v.Add(field, "may not be in the future")
	}
	return d
}

// checkSystems validates the systems a record names: each one of the organisation's.
// required refuses an empty list (a backup is of some systems, not of "everything").
func (s *Service) checkSystems(ctx context.Context, v *problem.Invalid, field string, ids []int64, required bool) ([]int64, error) {
	if len(ids) == 0 {
		if required {
			v.Add(field, "name at least one system")
		}
		return []int64{}, nil
	}
	if len(ids) > 1000 {
		v.Add(field, "name at most 1000 systems")
		return ids, nil
	}
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the inventory: %w", err)
	}
	known := map[int64]bool{}
	for _, sys := range systems {
		known[sys.ID] = true
	}
	seen := map[int64]bool{}
	out := []int64{}
	for _, id := range ids {
		if !known[id] {
			v.Add(field, "system %d is not in your inventory", id)
			continue
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}
