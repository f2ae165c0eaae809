package reports

import (
	"time"

	"ciiguard/internal/rules"
)

// Schema names the layout of a report's JSON; a reader refuses a schema it does not know.
const Schema = "ciiguard.assessment-report/1"

// Kinds of report.
const (
	// KindAnnual is the yearly security test and risk assessment report (CIIR 2021 Art. 17;
	// CSL 2016 Art. 38, CSL 2025 Art. 40: "检测评估情况和改进措施").
	KindAnnual = "annual"
	// KindChange is the report on new operation or a major change (CIIR 2021 Art. 11; the
	// 2017 draft's Art. 28 assessment on going live or a major change).
	KindChange = "change"
)

// States of a report.
const (
	StateDraft     = "draft"      // sections may be edited and the records regenerated
	StateSignedOff = "signed_off" // its current version is frozen; an edit starts a new version
	StateSubmitted = "submitted"  // the signed-off version was submitted to the regulator
)

// MaxListed bounds every list in a report (CII systems, open tasks): a report of an
// organisation with 10,000 systems stays readable and its size bounded; the counts above
// each list are whole, and the list says how many it leaves out.
const MaxListed = 500

// Content is one version of a report: what the PDF, the HTML page and the JSON show. Its
// canonical JSON (json.Marshal of this struct) is what is hashed, signed and submitted.
type Content struct {
	Schema       string       `json:"schema"`
	Kind         string       `json:"kind"`
	Year         int          `json:"year"`
	From         string       `json:"period_from"` // China date, YYYY-MM-DD
	To           string       `json:"period_to"`
	Version      int          `json:"version"`
	GeneratedAt  time.Time    `json:"generated_at"`
	Organisation Organisation `json:"organisation"`
	Basis        []rules.Text `json:"basis"` // the provisions the report answers
	Scope        Scope        `json:"scope"`
	Findings     Findings     `json:"findings"`
	Remediation  Remediation  `json:"remediation"`
	Records      []FactGroup  `json:"records"`
	Vault        Vault        `json:"log_vault"`
	Sections     []Section    `json:"sections"`
	SignOff      *SignOff     `json:"sign_off,omitempty"`
}

// Organisation is the reporting operator.
type Organisation struct {
	ID      int64    `json:"id"`
	NameZh  string   `json:"name_zh"`
	NameEn  string   `json:"name_en"`
	USCC    string   `json:"uscc"`
	Sectors []string `json:"sectors"`
	Region  string   `json:"region"`
}

// Scope is the inventory the report covers: counts of every system and the identified
// CII systems listed.
type Scope struct {
	Systems    int          `json:"systems"`
	Identified int          `json:"cii_identified"`
	Candidates int          `json:"cii_candidates"`
	Levels     []LevelCount `json:"mlps_levels"`
	CII        []SystemRow  `json:"cii_systems"`
	CIIOmitted int          `json:"cii_systems_omitted"` // identified systems beyond MaxListed
}

// LevelCount is how many systems (and CII systems) are graded at an MLPS level (0: not
// graded).
type LevelCount struct {
	Level   int64 `json:"level"`
	Systems int   `json:"systems"`
	CII     int   `json:"cii"`
	Tested  int   `json:"tested_in_period"` // level test (测评) within the report's period
}

// SystemRow is one identified CII system.
type SystemRow struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Level        int64  `json:"mlps_level"`
	IdentifiedOn string `json:"identified_on"`
	LastMLPSTest string `json:"last_mlps_test"`
	Filing       string `json:"filing_number"`
}

// Counts are findings by status.
type Counts struct {
	Met           int `json:"met"`
	Gap           int `json:"gap"`
	Overdue       int `json:"overdue"`
	NotApplicable int `json:"not_applicable"`
	Attest        int `json:"needs_attestation"`
	Error         int `json:"error"`
}

// Open is how many findings are gaps or overdue.
func (c Counts) Open() int { return c.Gap + c.Overdue }

// Findings are the organisation's current findings: totals, by area, and the duties with
// open findings, each with its reason.
type Findings struct {
	Totals Counts    `json:"totals"`
	Areas  []AreaRow `json:"areas"`
	Open   []DutyRow `json:"open"`
}

// AreaRow is the findings of one area of the catalog (its capability: scope, assess …).
type AreaRow struct {
	Area   string     `json:"area"`
	Name   rules.Text `json:"name"`
	Counts Counts     `json:"counts"`
}

// DutyRow is one duty with open findings: on how many subjects, the worst status, the
// earliest due date and the reason of its first open finding.
type DutyRow struct {
	ObligationID string     `json:"obligation_id"`
	Title        rules.Text `json:"title"`
	Citation     rules.Text `json:"citation"`
	Area         string     `json:"area"`
	Status       string     `json:"status"` // overdue when any is, else gap
	Subjects     int        `json:"subjects"`
	Due          string     `json:"due,omitempty"`
	Reason       rules.Text `json:"reason"`
}

// Remediation is the plan: the open remediation tasks with owners and dates.
type Remediation struct {
	Available bool      `json:"available"` // false: the installation keeps no tasks
	Tasks     []TaskRow `json:"tasks"`
	More      bool      `json:"more"` // more open tasks than MaxListed: the list is the nearest due`
}

// TaskRow is one open remediation task.
type TaskRow struct {
	ID           int64  `json:"id"`
	Title        string `json:"title"`
	Owner        string `json:"owner"`
	Due          string `json:"due"`
	Status       string `json:"status"`
	ObligationID string `json:"obligation_id,omitempty"`
}

// FactGroup is one capability's records as its fact set tells them (incidents of the
// year, drills, supply chain, people …), each fact with its label in both languages.
type FactGroup struct {
	Name  string     `json:"name"` // the fact set's CEL variable
	Title rules.Text `json:"title"`
	Rows  []FactRow  `json:"rows"`
	// Empty says the capability holds no record for the organisation (every fact is zero,
	// no or none): the report says so in one line instead of a table of zeros, so an
	// operator without an app store is not shown an app store's figures.
	Empty bool `json:"empty"`
}

// FactRow is one fact.
type FactRow struct {
	Fact  string     `json:"fact"`
	Label rules.Text `json:"label"`
	Value rules.Text `json:"value"`
}

// Vault is the log vault's coverage and latest signed checkpoint.
type Vault struct {
	Available     bool   `json:"available"`
	RetentionDays int64  `json:"retention_days"`
	Sources       int64  `json:"sources"`
	Size          uint64 `json:"size"`
	RootHex       string `json:"root_hex"`
	Checkpoint    string `json:"checkpoint"`
	VerifierKey   string `json:"verifier_key"`
}

// Section is the assessor's own text: one per key, in both languages.
type Section struct {
	Key   string     `json:"key"`
	Title rules.Text `json:"title"`
	Zh    string     `json:"zh"`
	En    string     `json:"en"`
}

// SignOff is the security manager's sign-off of a version.
type SignOff struct {
	UserID int64     `json:"user_id"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Report is a report and the state of its current version.
type Report struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Year      int        `json:"year"`
	State     string     `json:"state"`
	Version   int        `json:"version"` // the current (latest) version
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	SignedAt  *time.Time `json:"signed_off_at,omitempty"`
}

// Version is one stored version of a report with its canonical JSON and its SHA-256.
type Version struct {
	ReportID int64     `json:"report_id"`
	Version  int       `json:"version"`
	JSON     []byte    `json:"-"`
	SHA256   string    `json:"sha256"`
	Frozen   bool      `json:"frozen"` // signed off: never changed again
	At       time.Time `json:"at"`
}

// SectionKeys are the assessor's sections, in order, with their titles.
var SectionKeys = []Section{
	{Key: "summary", Title: rules.Text{Zh: "评估概述", En: "Summary of the assessment"}},
	{Key: "method", Title: rules.Text{Zh: "检测评估方法与过程", En: "Method and conduct of the test and assessment"}},
	{Key: "risks", Title: rules.Text{Zh: "主要风险分析", En: "Main risks found"}},
	{Key: "improvements", Title: rules.Text{Zh: "改进措施", En: "Improvements"}},
	{Key: "conclusion", Title: rules.Text{Zh: "评估结论", En: "Conclusion"}},
}
