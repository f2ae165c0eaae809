package suppliers

import (
	"testing"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
)

// TestMaintenanceDataLink holds LinkState and the two facts to a hand-written table: an
// arrangement whose remote access reaches personal information or important data is a
// provision of that data abroad, so it needs a transfer abroad linked (PIPL 38–40, DSL 31,
// CSL 2016 37 / 2025 39, CBDF 2024) that carries every category reached (personal
// information by a transfer of it or of sensitive personal information, important data by
// one of important or core data) on a complete route. Ended arrangements count for neither
// fact.
func TestMaintenanceDataLink(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, calendar.Shanghai)
	yesterday := chinaDay(now).AddDate(0, 0, -1)
	routes := []kernel.TransferRoute{
		{ID: 1, Categories: []string{"pi"}, Route: "assessment", Complete: true},
		{ID: 2, Categories: []string{"sensitive_pi"}, Route: "assessment", Complete: false},
		{ID: 3, Categories: []string{"core"}, Route: "assessment", Complete: true},
		{ID: 4, Categories: []string{"pi", "important"}, Route: "assessment", Complete: true},
	}
	cases := []struct {
		name                string
		access              []string
		transfer            int64
		ended               bool
		state               string
		without, incomplete int64
	}{
		{"reaches no such data", nil, 0, false, LinkNone, 0, 0},
		{"personal information, no transfer", []string{"pi"}, 0, false, LinkMissing, 1, 0},
		{"personal information, another organisation's transfer id", []string{"pi"}, 99, false, LinkMissing, 1, 0},
		{"personal information on a complete route", []string{"pi"}, 1, false, LinkComplete, 0, 0},
		{"personal information by a sensitive transfer, route incomplete", []string{"pi"}, 2, false, LinkIncomplete, 0, 1},
		{"sensitive information by a transfer of ordinary information", []string{"sensitive_pi"}, 1, false, LinkUncovered, 0, 1},
		{"important data by a transfer of personal information only", []string{"pi", "important"}, 1, false, LinkUncovered, 0, 1},
		{"important data by a core-data transfer", []string{"important"}, 3, false, LinkComplete, 0, 0},
		{"personal information and important data, both carried", []string{"pi", "important"}, 4, false, LinkComplete, 0, 0},
		{"ended yesterday, no transfer", []string{"important"}, 0, true, LinkMissing, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := Maintenance{ID: 1, SystemID: 7, StartsOn: yesterday.AddDate(0, -1, 0), DataAccess: c.access, TransferID: c.transfer}
			if c.ended {
				m.EndsOn = &yesterday
			}
			if got := LinkState(m, routes); got != c.state {
				t.Errorf("state %q, want %q", got, c.state)
			}
			f := ComputeFacts(records{maintenance: []Maintenance{m}, routes: routes}, nil, now)
			if f.MaintenanceDataUntransferred != c.without || f.MaintenanceDataIncomplete != c.incomplete {
				t.Errorf("without a transfer %d, incomplete %d; want %d and %d", f.MaintenanceDataUntransferred, f.MaintenanceDataIncomplete, c.without, c.incomplete)
			}
		})
	}
}
