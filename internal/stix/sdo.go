package stix

// The domain objects (section 4) and relationship objects (section 5) ciiguard uses. The
// property names are the specification's; required ones are checked by Validate.

// Indicator is a pattern that detects suspicious or malicious activity (section 4.7).
type Indicator struct {
	Common
	Name            string           `json:"name,omitzero"`
	Description     string           `json:"description,omitzero"`
	IndicatorTypes  []string         `json:"indicator_types,omitzero"`
	Pattern         string           `json:"pattern"`
	PatternType     string           `json:"pattern_type"`
	PatternVersion  string           `json:"pattern_version,omitzero"`
	ValidFrom       Timestamp        `json:"valid_from"`
	ValidUntil      Timestamp        `json:"valid_until,omitzero"`
	KillChainPhases []KillChainPhase `json:"kill_chain_phases,omitzero"`
	Extra           Extra            `json:"-"`
}

// Malware is malicious code (section 4.11).
type Malware struct {
	Common
	Name                      string           `json:"name,omitzero"`
	Description               string           `json:"description,omitzero"`
	MalwareTypes              []string         `json:"malware_types,omitzero"`
	IsFamily                  *bool            `json:"is_family,omitzero"`
	Aliases                   []string         `json:"aliases,omitzero"`
	KillChainPhases           []KillChainPhase `json:"kill_chain_phases,omitzero"`
	FirstSeen                 Timestamp        `json:"first_seen,omitzero"`
	LastSeen                  Timestamp        `json:"last_seen,omitzero"`
	OperatingSystemRefs       []string         `json:"operating_system_refs,omitzero"`
	ArchitectureExecutionEnvs []string         `json:"architecture_execution_envs,omitzero"`
	ImplementationLanguages   []string         `json:"implementation_languages,omitzero"`
	Capabilities              []string         `json:"capabilities,omitzero"`
	SampleRefs                []string         `json:"sample_refs,omitzero"`
	Extra                     Extra            `json:"-"`
}

// Infrastructure is a system used by an attacker or a defender (section 4.8): a botnet's
// command-and-control servers, a phishing site's hosting.
type Infrastructure struct {
	Common
	Name                string           `json:"name"`
	Description         string           `json:"description,omitzero"`
	InfrastructureTypes []string         `json:"infrastructure_types,omitzero"`
	Aliases             []string         `json:"aliases,omitzero"`
	KillChainPhases     []KillChainPhase `json:"kill_chain_phases,omitzero"`
	FirstSeen           Timestamp        `json:"first_seen,omitzero"`
	LastSeen            Timestamp        `json:"last_seen,omitzero"`
	Extra               Extra            `json:"-"`
}

// AttackPattern is a way adversaries attack (section 4.1), e.g. a MITRE ATT&CK technique.
type AttackPattern struct {
	Common
	Name            string           `json:"name"`
	Description     string           `json:"description,omitzero"`
	Aliases         []string         `json:"aliases,omitzero"`
	KillChainPhases []KillChainPhase `json:"kill_chain_phases,omitzero"`
	Extra           Extra            `json:"-"`
}

// Vulnerability is a flaw in software (section 4.20), named by a CVE or CNNVD reference.
type Vulnerability struct {
	Common
	Name        string `json:"name"`
	Description string `json:"description,omitzero"`
	Extra       Extra  `json:"-"`
}

// Identity is an individual, organisation or group (section 4.5): the regulator that
// publishes, the operator that shares.
type Identity struct {
	Common
	Name               string   `json:"name"`
	Description        string   `json:"description,omitzero"`
	Roles              []string `json:"roles,omitzero"`
	IdentityClass      string   `json:"identity_class,omitzero"`
	Sectors            []string `json:"sectors,omitzero"`
	ContactInformation string   `json:"contact_information,omitzero"`
	Extra              Extra    `json:"-"`
}

// Report is a collection of threat intelligence about one topic (section 4.16): a
// regulator's notification is a report whose object_refs are its indicators.
type Report struct {
	Common
	Name        string    `json:"name"`
	Description string    `json:"description,omitzero"`
	ReportTypes []string  `json:"report_types,omitzero"`
	Published   Timestamp `json:"published"`
	ObjectRefs  []string  `json:"object_refs"`
	Extra       Extra     `json:"-"`
}

// Note is added context about other objects (section 4.13).
type Note struct {
	Common
	Abstract   string   `json:"abstract,omitzero"`
	Content    string   `json:"content"`
	Authors    []string `json:"authors,omitzero"`
	ObjectRefs []string `json:"object_refs"`
	Extra      Extra    `json:"-"`
}

// Sighting is the belief that something was seen (section 5.2): an indicator's hit in an
// operator's log vault.
type Sighting struct {
	Common
	Description      string    `json:"description,omitzero"`
	FirstSeen        Timestamp `json:"first_seen,omitzero"`
	LastSeen         Timestamp `json:"last_seen,omitzero"`
	Count            *int      `json:"count,omitzero"`
	SightingOfRef    string    `json:"sighting_of_ref"`
	ObservedDataRefs []string  `json:"observed_data_refs,omitzero"`
	WhereSightedRefs []string  `json:"where_sighted_refs,omitzero"`
	Summary          *bool     `json:"summary,omitzero"`
	Extra            Extra     `json:"-"`
}

// Relationship links two objects (section 5.1), e.g. an indicator "indicates" malware.
type Relationship struct {
	Common
	RelationshipType string    `json:"relationship_type"`
	Description      string    `json:"description,omitzero"`
	SourceRef        string    `json:"source_ref"`
	TargetRef        string    `json:"target_ref"`
	StartTime        Timestamp `json:"start_time,omitzero"`
	StopTime         Timestamp `json:"stop_time,omitzero"`
	Extra            Extra     `json:"-"`
}
