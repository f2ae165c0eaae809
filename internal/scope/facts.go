package scope

import (
	"context"
	"fmt"

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
		tx := t.Tx()
		var err error
		if err := tx.QueryRow(`SELECT kind FROM orgs WHERE id = $1`, t.OrgID()).Scan(&org.Kind); err != nil {
			return fmt.Errorf("read organisation kind: %w", store.Found(err))
		}
		p, err := getProfile(t)
		if err != nil {
			return err
		}
		org.Sectors = append([]string{}, p.Sectors...)
		org.Region = p.Region
		org.IsCentralStateOrgan, org.IsTelecomOperator, org.IsAppStore = p.CentralStateOrgan, p.TelecomOperator, p.AppStore
		org.SecurityOrgEstablished, org.SecurityManagerAppointed, org.SecurityManagerVetted = p.SecurityOrgEstablished, p.SecurityManagerAppointed, p.SecurityManagerVetted
		org.PISubjects, org.SensitivePISubjects = p.PISubjects, p.SensitivePISubjects
		org.ExportPISubjects, org.ExportSensitivePISubjects = p.ExportPISubjects, p.ExportSensitivePISubjects
		org.ExportsImportantData, org.HasImportantData, org.HasCoreData = p.ExportsImportantData, p.HasImportantData, p.HasCoreData
		org.DataSecurityOfficerNamed, org.PlansListingAbroad = p.DataSecurityOfficerNamed, p.PlansListingAbroad
		org.LastRiskAssessment, org.LastPISelfInspection = p.LastRiskAssessment.Time(), p.LastPISelfInspection.Time()
		all, err := allSystems(t)
		if err != nil {
			return err
		}
		systems = make([]rules.System, 0, len(all))
		for _, sys := range all {
			switch sys.CIIStatus {
			case CIIIdentified:
				org.IsCIIOperator = true
				// The first annual assessment is due a year after the first identification.
				if on := sys.IdentifiedOn.Time(); !on.IsZero() && (org.CIIIdentifiedOn.IsZero() || on.Before(org.CIIIdentifiedOn)) {
					org.CIIIdentifiedOn = on
				}
			case CIICandidate:
				org.IsCIICandidate = true
			}
			systems = append(systems, sys.Fact())
		}
		return nil
	})
	return org, systems, err
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
		HasDRBackup: s.HasDRBackup, LastBackupTest: s.LastBackupTest.Time(), HasEmergencyPlan: s.HasEmergencyPlan, LastDrill: s.LastDrill.Time(),
	}
}
