package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Inventory is what the data capability needs from the organisation's inventory: whether it
// operates identified CII and its systems (the scope capability implements it).
type Inventory interface {
	Facts(ctx context.Context) (rules.Org, []rules.System, error)
}

// Service keeps the organisation's data assets, transfers, mechanisms and impact
// assessments.
type Service struct {
	db  *store.DB
	inv Inventory
	// Cal counts working days (China's official calendar).
	Cal *calendar.Calendar
	// Rules route transfers.
	Rules *Ruleset
	// Now is the clock; tests and the demo set it.
	Now func() time.Time
	// incidents opens the incident of a leak (the incidents capability); nil without it.
	incidents kernel.Incidents
	// changed is told, inside a write transaction, that the organisation's data facts
	// changed (the kernel's change bus); nil tells nobody.
	changed func(tx *store.Tx, org int64)
	// maintenance lists the arrangements to maintain a system from abroad whose access to
	// data a transfer carries (the suppliers capability); nil without it.
	maintenance kernel.TransferMaintenance
}

// NewService returns a service over db.
func NewService(db *store.DB, inv Inventory) *Service {
	return &Service{db: db, inv: inv, Cal: calendar.Official(), Rules: Rules, Now: time.Now}
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

// today is the China-time day of the service's clock.
func (s *Service) today() time.Time { return chinaDay(s.Now()) }

// announce tells the change bus that t's organisation's data facts changed.
func (s *Service) announce(t *store.Tenant) {
	if s.changed != nil {
		s.changed(t.Tx(), t.OrgID())
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // slices of strings, ints and plain structs always marshal
	}
	return string(b)
}

func fromJSON(s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("stored list %q: %w", s, err)
	}
	return nil
}

// Records is everything the data capability holds for one organisation.
type Records struct {
	Assets      []Asset
	Transfers   []Transfer
	Mechanisms  []Mechanism
	PIPIAs      []PIPIA
	Deletions   []Deletion
	Reviews     []Review
	Leaks       []Leak
	Declaration *Declaration
}

// Declaration is the profile's typed-in export numbers, carried over by the migration.
type Declaration struct {
	ExportPISubjects          int64      `json:"export_pi_subjects"`
	ExportSensitivePISubjects int64      `json:"export_sensitive_pi_subjects"`
	ExportsImportantData      bool       `json:"exports_important_data"`
	MigratedAt                time.Time  `json:"migrated_at"`
	RetiredAt                 *time.Time `json:"retired_at,omitempty"`
	RetiredBy                 string     `json:"retired_by,omitempty"`
}

// InUse says the declaration still counts.
func (d *Declaration) InUse() bool { return d != nil && d.RetiredAt == nil }

// Records reads everything of the context's organisation.
func (s *Service) Records(ctx context.Context) (*Records, error) {
	var rs *Records
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		rs, err = readRecords(t)
		return err
	})
	return rs, err
}

func readRecords(t *store.Tenant) (*Records, error) {
	rs := &Records{}
	var err error
	if rs.Assets, err = readAssets(t, 0); err != nil {
		return nil, err
	}
	if rs.Transfers, err = readTransfers(t, 0); err != nil {
		return nil, err
	}
	if rs.Mechanisms, err = readMechanisms(t, 0); err != nil {
		return nil, err
	}
	if rs.PIPIAs, err = readPIPIAs(t, 0); err != nil {
		return nil, err
	}
	if rs.Deletions, err = readDeletions(t); err != nil {
		return nil, err
	}
	if rs.Reviews, err = readReviews(t, 0); err != nil {
		return nil, err
	}
	if rs.Leaks, err = readLeaks(t); err != nil {
		return nil, err
	}
	if rs.Declaration, err = readDeclaration(t); err != nil {
		return nil, err
	}
	return rs, nil
}

func readDeclaration(t *store.Tenant) (*Declaration, error) {
	var d Declaration
	var retired sql.NullTime
	err := t.QueryRow(`SELECT export_pi_subjects, export_sensitive_pi_subjects, exports_important_data, migrated_at, retired_at, retired_by
FROM data_declarations WHERE org_id = $1`).Scan(&d.ExportPISubjects, &d.ExportSensitivePISubjects, &d.ExportsImportantData, &d.MigratedAt, &retired, &d.RetiredBy)
	switch {
	case err == nil:
		if retired.Valid {
			d.RetiredAt = &retired.Time
		}
		return &d, nil
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	default:
		return nil, fmt.Errorf("read the carried-over declaration: %w", err)
	}
}

func storeNotFound() error { return store.ErrNotFound }
