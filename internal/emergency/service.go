package emergency

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Inventory is what the capability needs from the organisation's inventory: its systems,
// to check the ones a record names and to give facts to every system when a record covers
// the whole organisation (the scope capability implements it).
type Inventory interface {
	Facts(ctx context.Context) (rules.Org, []rules.System, error)
}

// Service keeps plans, drills, backup tests and the organisation's cadences.
type Service struct {
	db    *store.DB
	inv   Inventory
	tasks kernel.Tasks
	auth  *auth.Service
	// Now is the clock; tests and the demo set it.
	Now func() time.Time
	// changed tells the kernel's change bus, in a write transaction, that the
	// organisation's emergency facts changed; nil tells nobody.
	changed func(tx *store.Tx, org int64)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("emergency: marshal %T: %v", v, err)) // only lists of ids
	}
	return string(b)
}

func idList(s string) ([]int64, error) {
	ids := []int64{}
	if err := json.Unmarshal([]byte(s), &ids); err != nil {
		return nil, fmt.Errorf("read system list %q: %w", s, err)
	}
	return ids, nil
}

// actor is how the acting person is shown on records: their name.
func (s *Service) actor(ctx context.Context) string {
	a := audit.ActorFrom(ctx)
	if a.UserID != 0 && s.auth != nil {
		if u, err := s.auth.GetUser(ctx, a.UserID); err == nil && u.Name != "" {
			return u.Name
		}
	}
	return a.Label
}

// write runs fn in a write transaction of the context's organisation and announces the
// change of its facts once it commits.
func (s *Service) write(ctx context.Context, fn func(t *store.Tenant) error) error {
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if err := fn(t); err != nil {
			return err
		}
		if s.changed != nil {
			s.changed(t.Tx(), t.OrgID())
		}
		return nil
	})
}

const (
	planCols   = `id, title, version, systems, contacts, approved_by, approved_on, review_on, revised_after_drill, imported, created_by, created_at, retired_on, retired_by, retire_reason`
	drillCols  = `id, held_on, scenario, systems, participants, findings, plan_id, revision_needed, imported, created_by, created_at`
	backupCols = `id, systems, location, in_china, tested_on, rpo_target_min, rto_target_min, rpo_achieved_min, rto_achieved_min, notes, imported, created_by, created_at`
)

type scanner interface{ Scan(...any) error }

func scanPlan(sc scanner) (Plan, error) {
	var p Plan
	var systems string
	if err := sc.Scan(&p.ID, &p.Title, &p.Version, &systems, &p.Contacts, &p.ApprovedBy, &p.ApprovedOn, &p.ReviewOn, &p.RevisedAfterDrill, &p.Imported, &p.CreatedBy, &p.CreatedAt, &p.RetiredOn, &p.RetiredBy, &p.RetireReason); err != nil {
		return p, err
	}
	var err error
	p.Systems, err = idList(systems)
	return p, err
}

func scanDrill(sc scanner) (Drill, error) {
	var d Drill
	var systems string
	if err := sc.Scan(&d.ID, &d.HeldOn, &d.Scenario, &systems, &d.Participants, &d.Findings, &d.PlanID, &d.RevisionNeeded, &d.Imported, &d.CreatedBy, &d.CreatedAt); err != nil {
		return d, err
	}
	var err error
	d.Systems, err = idList(systems)
	d.Tasks = []kernel.LinkedTask{}
	return d, err
}

func scanBackup(sc scanner) (BackupTest, error) {
	var b BackupTest
	var systems string
	if err := sc.Scan(&b.ID, &systems, &b.Location, &b.InChina, &b.TestedOn, &b.RPOTargetMin, &b.RTOTargetMin, &b.RPOAchievedMin, &b.RTOAchievedMin, &b.Notes, &b.Imported, &b.CreatedBy, &b.CreatedAt); err != nil {
		return b, err
	}
	var err error
	b.Systems, err = idList(systems)
	b.Result = b.result()
	return b, err
}

// queryAll runs q for the tenant and scans every row with scan.
func queryAll[T any](t *store.Tenant, q string, scan func(scanner) (T, error), args ...any) ([]T, error) {
	rows, err := t.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// readRecords reads every record of the tenant, plans derived at now.
func readRecords(t *store.Tenant, now time.Time) (*records, error) {
	rs := &records{}
	var err error
	if rs.settings, err = readSettings(t); err != nil {
		return nil, err
	}
	if rs.plans, err = queryAll(t, `SELECT `+planCols+` FROM emergency_plans WHERE org_id = $1 ORDER BY id`, scanPlan); err != nil {
		return nil, fmt.Errorf("read plans: %w", err)
	}
	if rs.drills, err = queryAll(t, `SELECT `+drillCols+` FROM emergency_drills WHERE org_id = $1 ORDER BY held_on DESC, id DESC`, scanDrill); err != nil {
		return nil, fmt.Errorf("read drills: %w", err)
	}
	if rs.backups, err = queryAll(t, `SELECT `+backupCols+` FROM emergency_backup_tests WHERE org_id = $1 ORDER BY tested_on DESC, id DESC`, scanBackup); err != nil {
		return nil, fmt.Errorf("read backup tests: %w", err)
	}
	derivePlans(rs.plans, rs.drills, now)
	return rs, nil
}

// records reads the context's organisation's records in one read transaction.
func (s *Service) records(ctx context.Context) (*records, error) {
	var rs *records
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		rs, err = readRecords(t, s.Now())
		return err
	})
	return rs, err
}

func readSettings(t *store.Tenant) (Settings, error) {
	st := DefaultSettings
	err := t.QueryRow(`SELECT review_months, drill_cadence_days, backup_test_cadence_days FROM emergency_settings WHERE org_id = $1`).
		Scan(&st.ReviewMonths, &st.DrillCadenceDays, &st.BackupTestCadenceDays)
	switch {
	case err == nil:
		st.Default = false
		return st, nil
	case errors.Is(err, store.ErrNotFound):
		return DefaultSettings, nil
	default:
		return st, fmt.Errorf("read emergency settings: %w", err)
	}
}
