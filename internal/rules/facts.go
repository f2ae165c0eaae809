package rules

import "time"

// Org is the organisation-level fact set, exposed to CEL as the variable `org`. The inventory
// code fills it from the records store; the catalog's test cases fill it from YAML. Field
// names in CEL are the `cel` tags, which are also the YAML keys (docs/catalog-schema.md).
// A zero time.Time means "date not set": isSet() is false for it.
type Org struct {
	Kind                      string    `cel:"kind" yaml:"kind" json:"kind" label:"组织类型|organisation kind"`                                                                                                                               // operator, regulator, supplier
	Sectors                   []string  `cel:"sectors" yaml:"sectors" json:"sectors" label:"所属行业|sectors"`                                                                                                                                // sector codes
	Region                    string    `cel:"region" yaml:"region" json:"region" label:"所在地区|region"`                                                                                                                                    // province-level region
	IsCIIOperator             bool      `cel:"is_cii_operator" yaml:"is_cii_operator" json:"is_cii_operator" label:"关键信息基础设施运营者|CII operator"`                                                                                            // a system is identified CII
	IsCIICandidate            bool      `cel:"is_cii_candidate" yaml:"is_cii_candidate" json:"is_cii_candidate" label:"有待认定的关基候选系统|has CII candidate systems"`                                                                            // a system is a self-assessed candidate
	IsCentralStateOrgan       bool      `cel:"is_central_state_organ" yaml:"is_central_state_organ" json:"is_central_state_organ" label:"中央和国家机关|central state organ"`                                                                    // 2-hour incident clock
	IsTelecomOperator         bool      `cel:"is_telecom_operator" yaml:"is_telecom_operator" json:"is_telecom_operator" label:"电信业务经营者|telecom operator"`                                                                                // holds a telecom business licence
	IsAppStore                bool      `cel:"is_app_store" yaml:"is_app_store" json:"is_app_store" label:"应用商店经营者|app store operator"`                                                                                                   // runs an app distribution platform
	PISubjects                int64     `cel:"pi_subjects" yaml:"pi_subjects" json:"pi_subjects" label:"个人信息主体人数|people whose personal information is held"`                                                                              // individuals whose PI it holds
	SensitivePISubjects       int64     `cel:"sensitive_pi_subjects" yaml:"sensitive_pi_subjects" json:"sensitive_pi_subjects" label:"敏感个人信息主体人数|people whose sensitive personal information is held"`                                    // of those, with sensitive PI
	ExportPISubjects          int64     `cel:"export_pi_subjects" yaml:"export_pi_subjects" json:"export_pi_subjects" label:"当年出境个人信息人数（不含免予申报情形）|people whose personal information was exported this year (exempt exports not counted)"` // non-sensitive PI exported since 1 January
	ExportSensitivePISubjects int64     `cel:"export_sensitive_pi_subjects" yaml:"export_sensitive_pi_subjects" json:"export_sensitive_pi_subjects" label:"当年出境敏感个人信息人数（不含免予申报情形）|people whose sensitive personal information was exported this year (exempt exports not counted)"`
	ExportsImportantData      bool      `cel:"exports_important_data" yaml:"exports_important_data" json:"exports_important_data" label:"向境外提供重要数据|exports important data"`
	HasImportantData          bool      `cel:"has_important_data" yaml:"has_important_data" json:"has_important_data" label:"处理重要数据|handles important data"`
	HasCoreData               bool      `cel:"has_core_data" yaml:"has_core_data" json:"has_core_data" label:"处理核心数据|handles core data"`
	DataSecurityOfficerNamed  bool      `cel:"data_security_officer_named" yaml:"data_security_officer_named" json:"data_security_officer_named" label:"已明确数据安全负责人|data security officer named"` // DSL Art. 27
	PlansListingAbroad        bool      `cel:"plans_listing_abroad" yaml:"plans_listing_abroad" json:"plans_listing_abroad" label:"拟赴国外上市|plans a listing abroad"`
	CIIIdentifiedOn           time.Time `cel:"cii_identified_on" yaml:"cii_identified_on" json:"cii_identified_on" label:"首次认定为关键信息基础设施日期|first identified as CII on"`                               // earliest identification notice of its systems
	LastRiskAssessment        time.Time `cel:"last_risk_assessment" yaml:"last_risk_assessment" json:"last_risk_assessment" label:"最近一次检测评估|last security test and risk assessment"`                 // annual CII test and assessment
	LastPISelfInspection      time.Time `cel:"last_pi_self_inspection" yaml:"last_pi_self_inspection" json:"last_pi_self_inspection" label:"最近一次个人信息保护自查|last personal-information self-inspection"` // PI self-inspection
}

// System is one information system or network in the inventory, exposed to CEL as the
// variable `system` for obligations with `subject: system`.
type System struct {
	ID                        int64     `cel:"id" yaml:"id" json:"id" label:"系统编号|system id"`
	Name                      string    `cel:"name" yaml:"name" json:"name" label:"系统名称|system name"`
	Owner                     string    `cel:"owner" yaml:"owner" json:"owner" label:"所属部门|owning department"`                                          // owning department
	ResponsiblePerson         string    `cel:"responsible_person" yaml:"responsible_person" json:"responsible_person" label:"安全责任人|responsible person"` // MIIT14 task 1
	Sector                    string    `cel:"sector" yaml:"sector" json:"sector" label:"行业|sector"`
	MLPSLevel                 int64     `cel:"mlps_level" yaml:"mlps_level" json:"mlps_level" label:"等级保护级别|MLPS level"` // 0 = not graded, 1-5
	GradedOn                  time.Time `cel:"graded_on" yaml:"graded_on" json:"graded_on" label:"定级日期|graded on"`
	GoLive                    time.Time `cel:"go_live" yaml:"go_live" json:"go_live" label:"上线日期|go-live date"`
	FilingNumber              string    `cel:"filing_number" yaml:"filing_number" json:"filing_number" label:"备案编号|filing number"` // MLPS filing (备案) number
	FiledOn                   time.Time `cel:"filed_on" yaml:"filed_on" json:"filed_on" label:"备案日期|filed on"`
	LastMLPSTest              time.Time `cel:"last_mlps_test" yaml:"last_mlps_test" json:"last_mlps_test" label:"最近一次等级测评|last MLPS level test"` // last level test (测评)
	LastSelfInspection        time.Time `cel:"last_self_inspection" yaml:"last_self_inspection" json:"last_self_inspection" label:"最近一次自查|last self-inspection"`
	CIIStatus                 string    `cel:"cii_status" yaml:"cii_status" json:"cii_status" label:"关基认定状态|CII status"` // none, candidate, identified, deidentified
	IdentifiedOn              time.Time `cel:"identified_on" yaml:"identified_on" json:"identified_on" label:"认定日期|identified on"`
	MajorChangeOn             time.Time `cel:"major_change_on" yaml:"major_change_on" json:"major_change_on" label:"重大变化日期|major change on"`
	HoldsPersonalInfo         bool      `cel:"holds_personal_info" yaml:"holds_personal_info" json:"holds_personal_info" label:"存有个人信息|holds personal information"`
	HoldsImportantData        bool      `cel:"holds_important_data" yaml:"holds_important_data" json:"holds_important_data" label:"存有重要数据|holds important data"`
	DataStoredAbroad          bool      `cel:"data_stored_abroad" yaml:"data_stored_abroad" json:"data_stored_abroad" label:"数据存储在境外|data stored abroad"`
	MaintenanceAbroad         bool      `cel:"maintenance_abroad" yaml:"maintenance_abroad" json:"maintenance_abroad" label:"境外远程维护|maintained from abroad"`
	MaintenanceAbroadReported bool      `cel:"maintenance_abroad_reported" yaml:"maintenance_abroad_reported" json:"maintenance_abroad_reported" label:"境外维护已报告|maintenance from abroad reported"`
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
	// SystemExtra holds the values of the per-system fact sets (FactSet.PerSystem): by set
	// name, then by system id. A system without an entry reads the set's zero value.
	SystemExtra map[string]map[int64]any
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
