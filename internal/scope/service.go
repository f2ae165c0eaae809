package scope

import (
	"time"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// Service keeps the profiles and inventories of organisations. Every method works on the
// organisation of its context (store.WithOrg) and nothing else.
type Service struct {
	// Changes tells other capabilities, after commit, that an organisation's scope
	// records changed: the system's id, or 0 for the profile and for bulk changes (an
	// import). The obligations capability re-evaluates its rules there. The module
	// replaces it with the installation's change bus when it is provisioned.
	*kernel.Changes

	db  *store.DB
	now func() time.Time
	// maintenance is the supply-chain register's arrangements from abroad, from which the
	// systems' maintenance facts derive; nil without the suppliers capability.
	maintenance kernel.MaintenanceAbroad
}

// NewService returns the scope service over db.
func NewService(db *store.DB) *Service {
	return &Service{Changes: &kernel.Changes{}, db: db, now: time.Now}
}

// SetClock replaces the service's clock (tests and demo data use a fixed "today").
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() Date { return DateOf(s.now()) }
