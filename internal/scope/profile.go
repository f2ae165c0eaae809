package scope

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
)

const profileColumns = `uscc, sectors, region, regulators, central_state_organ, telecom_operator, app_store,
	pi_subjects, sensitive_pi_subjects,
	export_pi_subjects, export_sensitive_pi_subjects, exports_important_data, has_important_data, has_core_data,
	data_security_officer_named, plans_listing_abroad, last_risk_assessment, last_pi_self_inspection`

func (p *ProfileInput) values() ([]any, error) {
	sectors, err := json.Marshal(p.Sectors)
	if err != nil {
		return nil, err
	}
	regs, err := json.Marshal(p.Regulators)
	if err != nil {
		return nil, err
	}
	return []any{p.USCC, string(sectors), p.Region, string(regs), p.CentralStateOrgan, p.TelecomOperator, p.AppStore,
		p.PISubjects, p.SensitivePISubjects,
		p.ExportPISubjects, p.ExportSensitivePISubjects, p.ExportsImportantData, p.HasImportantData, p.HasCoreData,
		p.DataSecurityOfficerNamed, p.PlansListingAbroad, string(p.LastRiskAssessment), string(p.LastPISelfInspection)}, nil
}

func getProfile(t *store.Tenant) (Profile, error) {
	p := Profile{OrgID: t.OrgID()}
	var orgUSCC string
	if err := t.Tx().QueryRow(`SELECT name_zh, name_en, uscc FROM orgs WHERE id = $1`, t.OrgID()).Scan(&p.NameZH, &p.NameEN, &orgUSCC); err != nil {
		return p, fmt.Errorf("read organisation: %w", store.Found(err))
	}
	var sectors, regs string
	err := t.QueryRow(`SELECT `+profileColumns+`, updated_at FROM scope_profiles WHERE org_id = $1`).Scan(
		&p.USCC, &sectors, &p.Region, &regs, &p.CentralStateOrgan, &p.TelecomOperator, &p.AppStore,
		&p.PISubjects, &p.SensitivePISubjects,
		&p.ExportPISubjects, &p.ExportSensitivePISubjects, &p.ExportsImportantData, &p.HasImportantData, &p.HasCoreData,
		&p.DataSecurityOfficerNamed, &p.PlansListingAbroad, &p.LastRiskAssessment, &p.LastPISelfInspection, &p.UpdatedAt)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// No profile yet: start from what the organisation record knows.
		p.USCC, p.Sectors, p.Regulators = orgUSCC, []string{}, []string{}
		return p, nil
	case err != nil:
		return p, fmt.Errorf("read profile: %w", err)
	}
	p.UpdatedAt = p.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(sectors), &p.Sectors); err != nil {
		return p, fmt.Errorf("read profile sectors: %w", err)
	}
	if err := json.Unmarshal([]byte(regs), &p.Regulators); err != nil {
		return p, fmt.Errorf("read profile regulators: %w", err)
	}
	return p, nil
}

// Profile returns the organisation's profile; an organisation that has not filled it in
// gets an empty one carrying its names and credit code.
func (s *Service) Profile(ctx context.Context) (Profile, error) {
	var p Profile
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		p, err = getProfile(t)
		return err
	})
	return p, err
}

// SaveProfile validates and stores the profile. The credit code is also written to the
// organisation record, so that every part of the product shows the same code.
func (s *Service) SaveProfile(ctx context.Context, in ProfileInput) (Profile, error) {
	in.Normalize()
	if err := in.Validate(s.today()); err != nil {
		return Profile{}, err
	}
	var after Profile
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		before, err := getProfile(t)
		if err != nil {
			return err
		}
		vals, err := in.values()
		if err != nil {
			return fmt.Errorf("encode profile: %w", err)
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		cols := strings.Split(strings.Join(strings.Fields(profileColumns), ""), ",")
		ph := make([]string, len(cols))
		set := make([]string, len(cols))
		for i, c := range cols {
			ph[i] = "$" + strconv.Itoa(i+2)
			set[i] = c + " = EXCLUDED." + c
		}
		q := `INSERT INTO scope_profiles (org_id, ` + strings.Join(cols, ", ") + `, updated_at) VALUES ($1, ` + strings.Join(ph, ", ") +
			`, $` + strconv.Itoa(len(cols)+2) + `) ON CONFLICT (org_id) DO UPDATE SET ` + strings.Join(set, ", ") + `, updated_at = EXCLUDED.updated_at`
		if _, err := t.Exec(q, append(vals, now)...); err != nil {
			return fmt.Errorf("save profile: %w", err)
		}
		if err := syncOrgUSCC(tx, t.OrgID(), in.USCC); err != nil {
			return err
		}
		after, err = getProfile(t)
		if err != nil {
			return err
		}
		action := audit.Update
		var prev any = before
		if before.UpdatedAt.IsZero() {
			action, prev = audit.Create, nil
		}
		if err := audit.InTenant(t, "scope_profile", strconv.FormatInt(t.OrgID(), 10), action, prev, after, ""); err != nil {
			return err
		}
		s.Changed(tx, t.OrgID(), 0)
		return nil
	})
	return after, err
}

// syncOrgUSCC writes the profile's credit code to the organisation record (the kernel has
// no call for that yet) and audits the change as the kernel audits organisations.
func syncOrgUSCC(tx *store.Tx, orgID int64, uscc string) error {
	if uscc == "" {
		return nil
	}
	var before auth.Org
	var kind string
	if err := tx.QueryRow(`SELECT id, kind, name_zh, name_en, uscc, created_at FROM orgs WHERE id = $1`, orgID).
		Scan(&before.ID, &kind, &before.NameZH, &before.NameEN, &before.USCC, &before.CreatedAt); err != nil {
		return fmt.Errorf("read organisation: %w", store.Found(err))
	}
	before.Kind, before.CreatedAt = auth.OrgKind(kind), before.CreatedAt.UTC()
	if before.USCC == uscc {
		return nil
	}
	if _, err := tx.Exec(`UPDATE orgs SET uscc = $1 WHERE id = $2`, uscc, orgID); err != nil {
		return fmt.Errorf("save credit code on the organisation: %w", err)
	}
	after := before
	after.USCC = uscc
	return audit.Record(tx, orgID, "org", strconv.FormatInt(orgID, 10), audit.Update, before, after, "unified social credit code from the scope profile")
}
