package scope

import (
	"testing"

	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
)

// TestDeriveMaintenance: a system's maintenance facts from its hand-entered declaration and
// the supply-chain register, against a table worked by hand from the duty (CIIR draft 2017
// Art. 34: maintenance from abroad is reported in advance). Every arrangement the register
// holds must be reported, and so must a declaration by hand.
func TestDeriveMaintenance(t *testing.T) {
	for _, c := range []struct {
		name                     string
		hand, handReported       bool
		arrangements, unreported int
		wantAbroad, wantReported bool
	}{
		{"onshore, nothing recorded", false, false, 0, 0, false, false},
		{"declared by hand, unreported", true, false, 0, 0, true, false},
		{"declared by hand, reported", true, true, 0, 0, true, true},
		{"one arrangement, unreported", false, false, 1, 1, true, false},
		{"one arrangement, reported", false, false, 1, 0, true, true},
		{"two arrangements, one unreported", false, false, 2, 1, true, false},
		{"reported by hand, arrangement unreported", true, true, 1, 1, true, false},
		{"arrangement reported, hand declaration unreported", true, false, 1, 0, true, false},
		{"both reported", true, true, 1, 0, true, true},
	} {
		sys := rules.System{ID: 7, MaintenanceAbroad: c.hand, MaintenanceAbroadReported: c.handReported}
		deriveMaintenance(&sys, kernel.SystemMaintenance{Arrangements: c.arrangements, Unreported: c.unreported})
		if sys.MaintenanceAbroad != c.wantAbroad || sys.MaintenanceAbroadReported != c.wantReported {
			t.Errorf("%s: abroad %v reported %v, want %v %v", c.name, sys.MaintenanceAbroad, sys.MaintenanceAbroadReported, c.wantAbroad, c.wantReported)
		}
	}
}
