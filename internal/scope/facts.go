package scope

import (
	"context"
	"fmt"
	"strings"

	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Facts returns the rules engine's facts for the context's organisation: the profile as
// rules.Org (is_cii_operator when any system is identified, is_cii_candidate when any is a
// candidate, kind from the organisation) and every system as rules.System. Facts owned by
// other capabilities (log retention, log sources) are left at zero for them to fill.
func (s *Service) Facts(ctx context.Context) (rules.Org, []rules.System, error) {
	var (
		org     rules.Org
		systems []rules.System
	)
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if org, err = orgFacts(t); err != nil {
			return err
		}
		all, err := allSystems(t)
		if err != nil {
			return err
		}
		systems = make([]rules.System, 0, len(all))
		for _, sys := range all {
			deriveCII(&org, sys.CIIStatus, sys.IdentifiedOn)
			systems = append(systems, sys.Fact())
		}
		return nil
	})
	if err != nil {
		return org, nil, err
	}
	return org, systems, s.withMaintenance(ctx, systems)
}

// SystemFacts is Facts for an evaluation after only the systems ids changed: the
// organisation facts as Facts gives them (those derived from the systems read from the
// systems under identification only) and the systems ids, not the others; a system that no
// longer exists is left out. One system's edit thus reads one system, not the inventory.
func (s *Service) SystemFacts(ctx context.Context, ids []int64) (rules.Org, []rules.System, error) {
	var (
		org     rules.Org
		systems []rules.System
	)
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if org, err = orgFacts(t); err != nil {
			return err
		}
		rows, err := t.Query(`SELECT cii_status, identified_on FROM scope_systems WHERE org_id = $1 AND cii_status IN ($2, $3)`, CIIIdentified, CIICandidate)
		if err != nil {
			return fmt.Errorf("read systems under identification: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				status string
				on     Date
			)
			if err := rows.Scan(&status, &on); err != nil {
				return fmt.Errorf("read systems under identification: %w", err)
			}
			deriveCII(&org, status, on)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read systems under identification: %w", err)
		}
		for start := 0; start < len(ids); start += 500 {
			end := min(start+500, len(ids))
			q := selectSystem + ` WHERE org_id = $1 AND id IN ($2`
			args := []any{ids[start]}
			var b strings.Builder
			for i, id := range ids[start+1 : end] {
				fmt.Fprintf(&b, ", $%d", i+3)
				args = append(args, id)
			}
			q += b.String() + `)`
			rows, err := t.Query(q, args...)
			if err != nil {
				return fmt.Errorf("read changed systems: %w", err)
			}
			for rows.Next() {
				sys, err := scanSystem(rows.Scan)
				if err != nil {
					rows.Close()
					return err
				}
				systems = append(systems, sys.Fact())
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("read changed systems: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return org, nil, err
	}
	return org, systems, s.withMaintenance(ctx, systems)
}

// orgFacts reads the organisation's own facts: its kind and its profile.
func orgFacts(t *store.Tenant) (rules.Org, error) {
	var org rules.Org
	if err := t.Tx().QueryRow(`SELECT kind FROM orgs WHERE id = $1`, t.OrgID()).Scan(&org.Kind); err != nil {
		return org, fmt.Errorf("read organisation kind: %w", store.Found(err))
	}
	p, err := getProfile(t)
	if err != nil {
		return org, err
	}
	org.Sectors = append([]string{}, p.Sectors...)
	org.Region = p.Region
	org.IsCentralStateOrgan, org.IsTelecomOperator, org.IsAppStore = p.CentralStateOrgan, p.TelecomOperator, p.AppStore
	org.PISubjects, org.SensitivePISubjects = p.PISubjects, p.SensitivePISubjects
	org.ExportPISubjects, org.ExportSensitivePISubjects = p.ExportPISubjects, p.ExportSensitivePISubjects
	org.ExportsImportantData, org.HasImportantData, org.HasCoreData = p.ExportsImportantData, p.HasImportantData, p.HasCoreData
	org.DataSecurityOfficerNamed, org.PlansListingAbroad = p.DataSecurityOfficerNamed, p.PlansListingAbroad
	org.LastRiskAssessment, org.LastPISelfInspection = p.LastRiskAssessment.Time(), p.LastPISelfInspection.Time()
	return org, nil
}

// deriveCII adds one system's identification status to the organisation facts derived from
// the systems: an identified system makes the organisation a CII operator (its first
// annual assessment due a year after the earliest identification), a candidate system makes
// it a candidate.
func deriveCII(org *rules.Org, status string, identifiedOn Date) {
	switch status {
	case CIIIdentified:
		org.IsCIIOperator = true
		if on := identifiedOn.Time(); !on.IsZero() && (org.CIIIdentifiedOn.IsZero() || on.Before(org.CIIIdentifiedOn)) {
			org.CIIIdentifiedOn = on
		}
	case CIICandidate:
		org.IsCIICandidate = true
	}
}

// Fact returns the system as the rules engine sees it.
func (s System) Fact() rules.System {
	return rules.System{
		ID: s.ID, Name: s.Name, Owner: s.Owner, ResponsiblePerson: s.ResponsiblePerson, Sector: s.Sector,
		MLPSLevel: s.MLPSLevel, GradedOn: s.GradedOn.Time(), GoLive: s.GoLive.Time(), FilingNumber: s.FilingNumber,
		FiledOn: s.FiledOn.Time(), LastMLPSTest: s.LastMLPSTest.Time(), LastSelfInspection: s.LastSelfInspection.Time(),
		CIIStatus: s.CIIStatus, IdentifiedOn: s.IdentifiedOn.Time(), MajorChangeOn: s.MajorChangeOn.Time(),
		HoldsPersonalInfo: s.HoldsPersonalInfo, HoldsImportantData: s.HoldsImportantData, DataStoredAbroad: s.DataStoredAbroad,
		MaintenanceAbroad: s.MaintenanceAbroad, MaintenanceAbroadReported: s.MaintenanceAbroadReported,
	}
}
