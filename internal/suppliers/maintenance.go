package suppliers

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Maintenance is an arrangement for a supplier to maintain one of the organisation's systems
// from abroad (CIIR draft 2017 Art. 34: CII is maintained inside China; maintenance from
// abroad is reported in advance to the sector's department and the public security organs.
// The final 2021 text dropped it: a recommended duty unless the organisation adopts it).
type Maintenance struct {
	ID          int64      `json:"id"`
	SupplierID  int64      `json:"supplier_id"`
	SystemID    int64      `json:"system_id"`
	FromCountry string     `json:"from_country"` // ISO 3166-1 code of where the maintenance is done
	Description string     `json:"description"`
	StartsOn    time.Time  `json:"starts_on"`
	EndsOn      *time.Time `json:"ends_on,omitempty"`
	ReportedOn  *time.Time `json:"reported_on,omitempty"` // when the department and the police were told
	// Late is ReportedLate, kept on the record so that the API says it too.
	Late     bool   `json:"reported_late"`
	Evidence string `json:"report_evidence_sha256,omitempty"`
	// DataAccess are the categories of data the remote access reaches (codes of
	// kernel.DataTransfers.ExportCategories: personal information, important data …);
	// none when it reaches neither. Such access is a provision of the data abroad.
	DataAccess []string `json:"data_access"`
	// TransferID is the data capability's transfer abroad that carries that access (0 for
	// none).
	TransferID int64     `json:"transfer_id,omitempty"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// Active says the arrangement has not ended by the China-time day of at (one that has not
// started yet is active: it must be reported before it starts).
func (m Maintenance) Active(at time.Time) bool {
	return m.EndsOn == nil || !m.EndsOn.Before(chinaDay(at))
}

// InAdvance says the report was made no later than the day the maintenance started.
func (m Maintenance) InAdvance() bool { return m.ReportedOn != nil && !m.ReportedOn.After(m.StartsOn) }

// ReportedLate says the report was made, but only after the maintenance started: the duty
// was to report before, so this is a finding of its own (distinct from unreported), which
// no later step cures while the arrangement runs.
func (m Maintenance) ReportedLate() bool { return m.ReportedOn != nil && !m.InAdvance() }

// MaintenanceInput is an arrangement as a person records it.
type MaintenanceInput struct {
	SystemID    int64  `json:"system_id"`
	FromCountry string `json:"from_country"`
	Description string `json:"description"`
	StartsOn    string `json:"starts_on"`
	EndsOn      string `json:"ends_on"`
	DataLinkInput
}

// ReportInput is the advance report of an arrangement.
type ReportInput struct {
	ReportedOn string `json:"reported_on"`
	Evidence   string `json:"evidence_sha256"`
}

// AddMaintenance records a maintenance arrangement from abroad on one of the organisation's
// systems.
func (s *Service) AddMaintenance(ctx context.Context, supplierID int64, in MaintenanceInput) (Maintenance, error) {
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return Maintenance{}, fmt.Errorf("read the inventory: %w", err)
	}
	v := &problem.Invalid{}
	m := Maintenance{SupplierID: supplierID, SystemID: in.SystemID, FromCountry: strings.ToUpper(strings.TrimSpace(in.FromCountry)), Description: strings.TrimSpace(in.Description)}
	known := false
	for _, x := range systems {
		known = known || x.ID == in.SystemID
	}
	if !known {
		v.Add("system_id", "is not a system of this organisation's inventory")
	}
	switch {
	case !validCountry(m.FromCountry):
		v.Add("from_country", "is not an ISO 3166-1 alpha-2 country code (CN, DE …)")
	case m.FromCountry == "CN":
		v.Add("from_country", "is China: record only maintenance done from outside the mainland")
	}
	v.Text("description", m.Description, false, maxText)
	if m.DataAccess, m.TransferID, err = s.checkDataLink(ctx, v, in.DataLinkInput); err != nil {
		return Maintenance{}, err
	}
	starts := dateField(v, "starts_on", in.StartsOn, true)
	m.EndsOn = dateField(v, "ends_on", in.EndsOn, false)
	if starts != nil {
		m.StartsOn = *starts
		if m.EndsOn != nil && m.EndsOn.Before(*starts) {
			v.Add("ends_on", "is before the start")
		}
	}
	if err := v.Err(); err != nil {
		return Maintenance{}, err
	}
	m.CreatedBy, m.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := getSupplier(t, supplierID); err != nil {
			return err
		}
		if err := t.QueryRow(`INSERT INTO supplier_maintenance (org_id, supplier_id, system_id, from_country, description, starts_on, ends_on, data_access, transfer_id, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, supplierID, m.SystemID, m.FromCountry, m.Description, m.StartsOn.UTC(), utcOrNil(m.EndsOn),
			mustJSON(m.DataAccess), m.TransferID, m.CreatedBy, m.CreatedAt).Scan(&m.ID); err != nil {
			return fmt.Errorf("record maintenance: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "supplier_maintenance", strconv.FormatInt(m.ID, 10), audit.Create, nil, m, m.FromCountry)
	})
	return m, err
}

// ReportMaintenance records that the arrangement was reported to the department and the
// public security organs, with the report as evidence.
func (s *Service) ReportMaintenance(ctx context.Context, id int64, in ReportInput) (Maintenance, error) {
	v := &problem.Invalid{}
	on := dateField(v, "reported_on", in.ReportedOn, true)
	s.notFuture(v, "reported_on", on)
	sha := s.citeEvidence(ctx, v, "evidence_sha256", in.Evidence)
	if sha == "" {
		v.Add("evidence_sha256", "is required: the report or its acknowledgement")
	}
	if err := v.Err(); err != nil {
		return Maintenance{}, err
	}
	var after Maintenance
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := getMaintenance(t, id)
		if err != nil {
			return err
		}
		after = before
		after.ReportedOn, after.Evidence = on, sha
		after.Late = after.ReportedLate()
		if _, err := t.Exec(`UPDATE supplier_maintenance SET reported_on = $2, report_evidence = $3 WHERE org_id = $1 AND id = $4`, on.UTC(), sha, id); err != nil {
			return fmt.Errorf("record report: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "supplier_maintenance", strconv.FormatInt(id, 10), audit.Update, before, after, "reported")
	})
	return after, err
}

const maintenanceCols = `id, supplier_id, system_id, from_country, description, starts_on, ends_on, reported_on, report_evidence, data_access, transfer_id, created_by, created_at`

func scanMaintenance(sc interface{ Scan(...any) error }) (Maintenance, error) {
	var (
		m         Maintenance
		ends, rep sql.NullTime
		access    string
	)
	if err := sc.Scan(&m.ID, &m.SupplierID, &m.SystemID, &m.FromCountry, &m.Description, &m.StartsOn, &ends, &rep, &m.Evidence, &access, &m.TransferID, &m.CreatedBy, &m.CreatedAt); err != nil {
		return m, err
	}
	if err := json.Unmarshal([]byte(access), &m.DataAccess); err != nil {
		return m, fmt.Errorf("read the data access of arrangement %d: %w", m.ID, err)
	}
	if m.DataAccess == nil {
		m.DataAccess = []string{}
	}
	m.StartsOn, m.EndsOn, m.ReportedOn = chinaDay(m.StartsOn), localOrNil(ends), localOrNil(rep)
	m.Late = m.ReportedLate()
	return m, nil
}

func getMaintenance(t *store.Tenant, id int64) (Maintenance, error) {
	return scanMaintenance(t.QueryRow(`SELECT `+maintenanceCols+` FROM supplier_maintenance WHERE org_id = $1 AND id = $2`, id))
}

// maintenanceOf reads the organisation's arrangements; supplierID > 0 keeps one supplier's.
func maintenanceOf(t *store.Tenant, supplierID int64) ([]Maintenance, error) {
	rows, err := t.Query(`SELECT `+maintenanceCols+` FROM supplier_maintenance WHERE org_id = $1 AND ($2 = 0 OR supplier_id = $2) ORDER BY starts_on DESC, id DESC`, supplierID)
	if err != nil {
		return nil, fmt.Errorf("read maintenance: %w", err)
	}
	defer rows.Close()
	var out []Maintenance
	for rows.Next() {
		m, err := scanMaintenance(rows)
		if err != nil {
			return nil, fmt.Errorf("read maintenance: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// GetMaintenance returns one of the organisation's arrangements; another's is
// store.ErrNotFound.
func (s *Service) GetMaintenance(ctx context.Context, id int64) (Maintenance, error) {
	var m Maintenance
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		m, err = getMaintenance(t, id)
		return err
	})
	return m, err
}

// errNotThisSupplier is a page URL naming a record of another supplier: not found.
var errNotThisSupplier = store.ErrNotFound

// Assessments lists a product's pre-use assessments, newest first.
func (s *Service) Assessments(ctx context.Context, productID int64) ([]Assessment, error) {
	var out []Assessment
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = assessmentsOf(t, productID)
		return err
	})
	return out, err
}
