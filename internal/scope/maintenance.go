package scope

import (
	"context"
	"fmt"

	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
)

// deriveMaintenance sets a system's facts on maintenance from abroad from the supply-chain
// register's arrangements on it and the inventory's declaration typed by hand (kept from
// before the register existed, labelled so wherever it is shown): the system is maintained
// from abroad when either says so, and reported only when every arrangement and the
// declaration by hand, if any, were reported. Neither source may hide what the other holds.
func deriveMaintenance(sys *rules.System, reg kernel.SystemMaintenance) {
	hand, handReported := sys.MaintenanceAbroad, sys.MaintenanceAbroadReported
	sys.MaintenanceAbroad = hand || reg.Arrangements > 0
	sys.MaintenanceAbroadReported = sys.MaintenanceAbroad && (!hand || handReported) && reg.Unreported == 0
}

// registerMaintenance reads the supply-chain register's arrangements from abroad by system:
// none when the suppliers capability is not installed.
func (s *Service) registerMaintenance(ctx context.Context) (map[int64]kernel.SystemMaintenance, error) {
	if s.maintenance == nil {
		return nil, nil
	}
	m, err := s.maintenance.MaintenanceAbroad(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the arrangements for maintenance from abroad: %w", err)
	}
	return m, nil
}

// withMaintenance derives the systems' maintenance facts from the register (deriveMaintenance).
func (s *Service) withMaintenance(ctx context.Context, systems []rules.System) error {
	reg, err := s.registerMaintenance(ctx)
	if err != nil {
		return err
	}
	for i := range systems {
		deriveMaintenance(&systems[i], reg[systems[i].ID])
	}
	return nil
}
