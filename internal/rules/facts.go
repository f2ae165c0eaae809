package rules

import "time"

// Org is the organisation-level fact set, exposed to CEL as the variable `org`. The inventory
// code fills it from the records store; the catalog's test cases fill it from YAML. Field
// names in CEL are the `cel` tags, which are also the YAML keys (docs/catalog-schema.md).
// A zero time.Time means "date not set": isSet() is false for it.
type Org struct {
	Kind                      string    `cel:"kind" yaml:"kind" json:"kind"`                                                                   // operator, regulator, supplier
	Sectors                   []string  `cel:"sectors" yaml:"sectors" json:"sectors"`                                                          // sector codes
	Region                    string    `cel:"region" yaml:"region" json:"region"`                                                             // province-level region
	IsCIIOperator             bool      `cel:"is_cii_operator" yaml:"is_cii_operator" json:"is_cii_operator"`                                  // a system is identified CII
	IsCIICandidate            bool      `cel:"is_cii_candidate" yaml:"is_cii_candidate" json:"is_cii_candidate"`                               // a system is a self-assessed candidate
	IsCentralStateOrgan       bool      `cel:"is_central_state_organ" yaml:"is_central_state_organ" json:"is_central_state_organ"`             // 2-hour incident clock
	IsTelecomOperator         bool      `cel:"is_telecom_operator" yaml:"is_telecom_operator" json:"is_telecom_operator"`                      // holds a telecom business licence
	IsAppStore                bool      `cel:"is_app_store" yaml:"is_app_store" json:"is_app_store"`                                           // runs an app distribution platform
	SecurityOrgEstablished    bool      `cel:"security_org_established" yaml:"security_org_established" json:"security_org_established"`       // dedicated security organisation
	SecurityManagerAppointed  bool      `cel:"security_manager_appointed" yaml:"security_manager_appointed" json:"security_manager_appointed"` // responsible manager named
	SecurityManagerVetted     bool      `cel:"security_manager_vetted" yaml:"security_manager_vetted" json:"security_manager_vetted"`          // manager background-checked
	LogRetentionDays          int64     `cel:"log_retention_days" yaml:"log_retention_days" json:"log_retention_days"`                         // vault retention
	LogSources                int64     `cel:"log_sources" yaml:"log_sources" json:"log_sources"`                                              // sources sending to the vault
	PISubjects                int64     `cel:"pi_subjects" yaml:"pi_subjects" json:"pi_subjects"`                                              // individuals whose PI it holds
	SensitivePISubjects       int64     `cel:"sensitive_pi_subjects" yaml:"sensitive_pi_subjects" json:"sensitive_pi_subjects"`                // of those, with sensitive PI
	ExportPISubjects          int64     `cel:"export_pi_subjects" yaml:"export_pi_subjects" json:"export_pi_subjects"`                         // non-sensitive PI exported since 1 January
	ExportSensitivePISubjects int64     `cel:"export_sensitive_pi_subjects" yaml:"export_sensitive_pi_subjects" json:"export_sensitive_pi_subjects"`
	ExportsImportantData      bool      `cel:"exports_important_data" yaml:"exports_important_data" json:"exports_important_data"`
	HasImportantData          bool      `cel:"has_important_data" yaml:"has_important_data" json:"has_important_data"`
	HasCoreData               bool      `cel:"has_core_data" yaml:"has_core_data" json:"has_core_data"`
	DataSecurityOfficerNamed  bool      `cel:"data_security_officer_named" yaml:"data_security_officer_named" json:"data_security_officer_named"` // DSL Art. 27
	PlansListingAbroad        bool      `cel:"plans_listing_abroad" yaml:"plans_listing_abroad" json:"plans_listing_abroad"`
	LastRiskAssessment        time.Time `cel:"last_risk_assessment" yaml:"last_risk_assessment" json:"last_risk_assessment"`          // annual CII test and assessment
	LastPISelfInspection      time.Time `cel:"last_pi_self_inspection" yaml:"last_pi_self_inspection" json:"last_pi_self_inspection"` // PI self-inspection
}

// System is one information system or network in the inventory, exposed to CEL as the
// variable `system` for obligations with `subject: system`.
type System struct {
	ID                        int64     `cel:"id" yaml:"id" json:"id"`
	Name                      string    `cel:"name" yaml:"name" json:"name"`
	Owner                     string    `cel:"owner" yaml:"owner" json:"owner"`                                        // owning department
	ResponsiblePerson         string    `cel:"responsible_person" yaml:"responsible_person" json:"responsible_person"` // MIIT14 task 1
	Sector                    string    `cel:"sector" yaml:"sector" json:"sector"`
	MLPSLevel                 int64     `cel:"mlps_level" yaml:"mlps_level" json:"mlps_level"` // 0 = not graded, 1-5
	GradedOn                  time.Time `cel:"graded_on" yaml:"graded_on" json:"graded_on"`
	GoLive                    time.Time `cel:"go_live" yaml:"go_live" json:"go_live"`
	FilingNumber              string    `cel:"filing_number" yaml:"filing_number" json:"filing_number"` // MLPS filing (备案) number
	FiledOn                   time.Time `cel:"filed_on" yaml:"filed_on" json:"filed_on"`
	LastMLPSTest              time.Time `cel:"last_mlps_test" yaml:"last_mlps_test" json:"last_mlps_test"` // last level test (测评)
	LastSelfInspection        time.Time `cel:"last_self_inspection" yaml:"last_self_inspection" json:"last_self_inspection"`
	CIIStatus                 string    `cel:"cii_status" yaml:"cii_status" json:"cii_status"` // none, candidate, identified, deidentified
	IdentifiedOn              time.Time `cel:"identified_on" yaml:"identified_on" json:"identified_on"`
	MajorChangeOn             time.Time `cel:"major_change_on" yaml:"major_change_on" json:"major_change_on"`
	HoldsPersonalInfo         bool      `cel:"holds_personal_info" yaml:"holds_personal_info" json:"holds_personal_info"`
	HoldsImportantData        bool      `cel:"holds_important_data" yaml:"holds_important_data" json:"holds_important_data"`
	DataStoredAbroad          bool      `cel:"data_stored_abroad" yaml:"data_stored_abroad" json:"data_stored_abroad"`
	MaintenanceAbroad         bool      `cel:"maintenance_abroad" yaml:"maintenance_abroad" json:"maintenance_abroad"`
	MaintenanceAbroadReported bool      `cel:"maintenance_abroad_reported" yaml:"maintenance_abroad_reported" json:"maintenance_abroad_reported"`
	HasDRBackup               bool      `cel:"has_dr_backup" yaml:"has_dr_backup" json:"has_dr_backup"`
	LastBackupTest            time.Time `cel:"last_backup_test" yaml:"last_backup_test" json:"last_backup_test"`
	HasEmergencyPlan          bool      `cel:"has_emergency_plan" yaml:"has_emergency_plan" json:"has_emergency_plan"`
	LastDrill                 time.Time `cel:"last_drill" yaml:"last_drill" json:"last_drill"`
}

// Facts is everything one evaluation reads: the organisation, its systems, the clock, the
// attestations on file and the values of fact sets registered by capabilities.
type Facts struct {
	OrgID        string // becomes Finding.SubjectID of organisation findings
	Org          Org
	Systems      []System
	Now          time.Time     // evaluation time; the zero value means time.Now()
	Attestations []Attestation // attestations on file for this organisation
	// Extra holds the value of each registered fact set, keyed by its CEL variable name
	// (see RegisterFacts). A missing entry evaluates as the zero value of the set's type.
	Extra map[string]any
}

// Attestation is a person's signed statement, with evidence, that an attestation duty is met
// for one subject over a period.
type Attestation struct {
	ObligationID    string
	SubjectKind     SubjectKind
	SubjectID       string    // "" for the organisation; the system id in decimal for a system
	ValidFrom       time.Time // first moment the statement covers
	ValidUntil      time.Time // last moment it covers; zero means ValidFrom + the duty's validity_days
	EvidenceSHA256s []string  // content hashes of the evidence files
	By              string    // who attested (user name or id)
}
