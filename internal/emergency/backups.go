package emergency

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// BackupInput is a backup and recovery test as a person records it. The targets and what
// the test achieved are minutes: the recovery point (data lost) and the recovery time.
type BackupInput struct {
	Systems        []int64 `json:"systems"`
	Location       string  `json:"location"`
	InChina        *bool   `json:"in_china"`
	TestedOn       string  `json:"tested_on"`
	RPOTargetMin   *int64  `json:"rpo_target_min"`
	RTOTargetMin   *int64  `json:"rto_target_min"`
	RPOAchievedMin *int64  `json:"rpo_achieved_min"`
	RTOAchievedMin *int64  `json:"rto_achieved_min"`
	Notes          string  `json:"notes"`
}

// minutes validates a required number of minutes.
func minutes(v *problem.Invalid, field string, p *int64, positive bool) int64 {
	switch {
	case p == nil:
		v.Add(field, "is required")
		return 0
	case *p < 0:
		v.Add(field, "may not be negative")
	case positive && *p == 0:
		v.Add(field, "must be a positive number of minutes")
	case *p > 525600*10:
		v.Add(field, "must be at most ten years in minutes")
	}
	return *p
}

// CreateBackupTest validates and records a backup test, audited. Where the backup is kept
// is declared (in China or not): a backup abroad is a finding of the backup duties.
func (s *Service) CreateBackupTest(ctx context.Context, in BackupInput) (BackupTest, error) {
	now := s.Now()
	v := &problem.Invalid{}
	in.Location, in.Notes = strings.TrimSpace(in.Location), strings.TrimSpace(in.Notes)
	v.Text("location", in.Location, true, maxShort)
	v.Text("notes", in.Notes, false, maxText)
	if in.InChina == nil {
		v.Add("in_china", "say whether the backup is kept in China")
	}
	tested := checkDate(v, "tested_on", in.TestedOn, true, today(now))
	b := BackupTest{Location: in.Location, TestedOn: tested, Notes: in.Notes,
		RPOTargetMin: minutes(v, "rpo_target_min", in.RPOTargetMin, false), RTOTargetMin: minutes(v, "rto_target_min", in.RTOTargetMin, true),
		RPOAchievedMin: minutes(v, "rpo_achieved_min", in.RPOAchievedMin, false), RTOAchievedMin: minutes(v, "rto_achieved_min", in.RTOAchievedMin, true)}
	systems, err := s.checkSystems(ctx, v, "systems", in.Systems, true)
	if err != nil {
		return BackupTest{}, err
	}
	if err := v.Err(); err != nil {
		return BackupTest{}, err
	}
	b.Systems, b.InChina = systems, *in.InChina
	b.CreatedBy, b.CreatedAt = s.actor(ctx), now.UTC().Truncate(time.Microsecond)
	b.Result = b.result()
	err = s.write(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO emergency_backup_tests (org_id, systems, location, in_china, tested_on, rpo_target_min, rto_target_min, rpo_achieved_min, rto_achieved_min, notes, imported, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, FALSE, $11, $12) RETURNING id`,
			mustJSON(b.Systems), b.Location, b.InChina, b.TestedOn, b.RPOTargetMin, b.RTOTargetMin, b.RPOAchievedMin, b.RTOAchievedMin, b.Notes, b.CreatedBy, b.CreatedAt).Scan(&b.ID); err != nil {
			return fmt.Errorf("store backup test: %w", err)
		}
		return audit.InTenant(t, "emergency_backup_test", itoa(b.ID), audit.Create, nil, b, b.Location)
	})
	return b, err
}

// Overview is everything the capability's page and API list for the organisation.
type Overview struct {
	Settings Settings     `json:"settings"`
	Plans    []Plan       `json:"plans"`
	Drills   []Drill      `json:"drills"`
	Backups  []BackupTest `json:"backup_tests"`
}

// Overview reads the context's organisation's records.
func (s *Service) Overview(ctx context.Context) (Overview, error) {
	rs, err := s.records(ctx)
	if err != nil {
		return Overview{}, err
	}
	return Overview{Settings: rs.settings, Plans: rs.plans, Drills: rs.drills, Backups: rs.backups}, nil
}

// SaveSettings validates and stores the organisation's cadences, audited.
func (s *Service) SaveSettings(ctx context.Context, in Settings) (Settings, error) {
	v := &problem.Invalid{}
	if in.ReviewMonths < 1 || in.ReviewMonths > 60 {
		v.Add("review_months", "must be between 1 and 60 months")
	}
	if in.DrillCadenceDays < 1 || in.DrillCadenceDays > 1095 {
		v.Add("drill_cadence_days", "must be between 1 and 1095 days")
	}
	if in.BackupTestCadenceDays < 1 || in.BackupTestCadenceDays > 1095 {
		v.Add("backup_test_cadence_days", "must be between 1 and 1095 days")
	}
	if err := v.Err(); err != nil {
		return Settings{}, err
	}
	in.Default = false
	err := s.write(ctx, func(t *store.Tenant) error {
		before, err := readSettings(t)
		if err != nil {
			return err
		}
		if _, err := t.Exec(`DELETE FROM emergency_settings WHERE org_id = $1`); err != nil {
			return fmt.Errorf("replace emergency settings: %w", err)
		}
		if _, err := t.Exec(`INSERT INTO emergency_settings (org_id, review_months, drill_cadence_days, backup_test_cadence_days) VALUES ($1, $2, $3, $4)`,
			in.ReviewMonths, in.DrillCadenceDays, in.BackupTestCadenceDays); err != nil {
			return fmt.Errorf("store emergency settings: %w", err)
		}
		return audit.InTenant(t, "emergency_settings", itoa(t.OrgID()), audit.Update, before, in, "")
	})
	return in, err
}
