package incidents

import (
	"strings"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
)

// Input is an incident as a person registers it (form or API).
type Input struct {
	Title          string  `json:"title"`
	Description    string  `json:"description"`
	Type           string  `json:"type"`
	Subtype        string  `json:"subtype"`
	DetectedAt     string  `json:"detected_at"` // China time, "2026-12-01T09:00", or RFC 3339
	StartedAt      string  `json:"started_at"`
	Place          string  `json:"place"`
	Systems        []int64 `json:"systems"`
	Impact         Impact  `json:"impact"`
	Ransom         *Ransom `json:"ransom"`
	Measures       string  `json:"measures"`
	Reporter       string  `json:"reporter"`
	SuspectedCrime bool    `json:"suspected_crime"`
}

// Limits of free text.
const (
	maxTitle = 200
	maxText  = 20000
	maxShort = 200
)

// ParseChinaTime reads a time a person typed in China time, to the minute ("2026-12-01T09:00",
// "2026-12-01 09:00"), or an RFC 3339 instant from an API client.
func ParseChinaTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, calendar.Shanghai); err == nil {
			return t.Truncate(time.Minute), true
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Truncate(time.Minute), true
	}
	return time.Time{}, false
}

// validTime parses field's value, adding a field error when it is malformed or in the future.
func validTime(v *problem.Invalid, field, s string, required bool, now time.Time) *time.Time {
	if strings.TrimSpace(s) == "" {
		if required {
			v.Add(field, "is required (China time, e.g. 2026-12-01T09:00)")
		}
		return nil
	}
	t, ok := ParseChinaTime(s)
	if !ok {
		v.Add(field, "is not a time: write it as 2026-12-01T09:00 (China time)")
		return nil
	}
	if t.After(now.Add(time.Minute)) {
		v.Add(field, "is in the future")
		return nil
	}
	return &t
}

// validImpact checks the impact's measures.
func validImpact(v *problem.Invalid, im Impact) {
	for _, f := range []struct {
		name string
		n    int64
	}{{"impact.pi_leaked", im.PILeaked}, {"impact.loss_rmb", im.LossRMB}, {"impact.cii_full_down_min", im.CIIFullDownMin},
		{"impact.cii_main_down_min", im.CIIMainDownMin}, {"impact.portal_down_min", im.PortalDownMin},
		{"impact.people_affected", im.PeopleAffected}, {"impact.province_share_pct", im.ProvinceSharePct}} {
		if f.n < 0 {
			v.Add(f.name, "must not be negative")
		}
	}
	if im.ProvinceSharePct > 100 {
		v.Add("impact.province_share_pct", "is a percentage: at most 100")
	}
}
