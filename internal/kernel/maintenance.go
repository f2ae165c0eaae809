package kernel

import "context"

// MaintenanceAbroad is the supply-chain register's word on which systems of the inventory
// are maintained from abroad (CIIR draft 2017 Art. 34). The suppliers capability keeps the
// arrangements and implements it; the scope capability derives each system's facts
// `system.maintenance_abroad` and `system.maintenance_abroad_reported` from it, so that the
// inventory and the register cannot say different things, without either importing the
// other.
type MaintenanceAbroad interface {
	// MaintenanceAbroad gives, by system id, the context organisation's arrangements to
	// maintain that system from abroad that have not ended today (China time). A system
	// without one is absent.
	MaintenanceAbroad(ctx context.Context) (map[int64]SystemMaintenance, error)
}

// SystemMaintenance is what the register holds on one system's maintenance from abroad.
type SystemMaintenance struct {
	Arrangements int `json:"arrangements"` // arrangements not ended
	Unreported   int `json:"unreported"`   // of those, not reported to the department and the police
	// ReportedLate counts those reported only after the maintenance started: the duty is
	// to report in advance, so a late report is a finding of its own, not a cure.
	ReportedLate int `json:"reported_late"`
}
