package vulns

import (
	"time"
)

// Severities of a vulnerability, most serious first; "none" is a CVSS score of 0.0, which
// has no fix deadline.
var Severities = []string{"critical", "high", "medium", "low", "none"}

// Statuses of a vulnerability. Open and mitigating count against the fix deadline; fixed,
// not_affected and accepted (the risk accepted by the organisation, with a note) end it.
var Statuses = []string{"open", "mitigating", "fixed", "not_affected", "accepted"}

// closedStatus reports whether status ends the fix clock.
func closedStatus(status string) bool {
	return status == "fixed" || status == "not_affected" || status == "accepted"
}

// Vuln is one vulnerability in a product the organisation uses (an operator) or provides
// (a supplier organisation, or an operator that provides the product itself).
type Vuln struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	// CVE, CNVD and CNNVD are the public identifiers, each empty when there is none.
	CVE   string `json:"cve"`
	CNVD  string `json:"cnvd"`
	CNNVD string `json:"cnnvd"`
	// Description, and the report content of Product Vulnerability Provisions 2021 Art. 7:
	// the nature of the flaw, the harm it can do and the scope it affects (the products,
	// models and versions are the affected products).
	Description string `json:"description"`
	Nature      string `json:"nature"`
	Harm        string `json:"harm"`
	Scope       string `json:"scope"`
	// CVSSVector is the vector the severity comes from (CVSS 3.0, 3.1 or 4.0); empty when
	// the severity was given without one.
	CVSSVector  string  `json:"cvss_vector"`
	CVSSVersion string  `json:"cvss_version"`
	Score       float64 `json:"score"`
	Severity    string  `json:"severity"`
	Status      string  `json:"status"`
	StatusNote  string  `json:"status_note"`
	// Provider: the organisation provides the product (a supplier organisation always
	// does): the two-day report to MIIT's sharing platform runs (PVP 2021 Art. 7).
	Provider bool `json:"provider"`
	// NationalSecurity: the vulnerability endangers national security or the public
	// interest: the 24-hour report to the competent authority runs (NDSR 2024 Art. 10).
	NationalSecurity bool `json:"national_security"`
	// Disclosed: publicly disclosed by the provider or a platform; an undisclosed one may not
	// be provided abroad except to the product's provider (PVP 2021 Art. 9).
	Disclosed    bool       `json:"disclosed"`
	DiscoveredAt time.Time  `json:"discovered_at"`
	FixDue       *time.Time `json:"fix_due"`
	FixedAt      *time.Time `json:"fixed_at"`
	// ReportedMIITAt and ReportedAuthorityAt are when the reports were made, with the
	// reference the receiver gave.
	ReportedMIITAt      *time.Time `json:"reported_miit_at"`
	MIITReference       string     `json:"miit_reference"`
	ReportedAuthorityAt *time.Time `json:"reported_authority_at"`
	AuthorityName       string     `json:"authority_name"`
	AuthorityReference  string     `json:"authority_reference"`
	Source              string     `json:"source"` // manual, csv:<import id>, csaf:<import id>
	Products            []Affected `json:"products"`
	// Systems are the inventory systems where an affected product is used (from the
	// product records), read at the time of asking.
	Systems   []SystemRef `json:"systems"`
	Clocks    []Clock     `json:"clocks"`
	CreatedBy string      `json:"created_by"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// Affected is one affected product: a product record of the organisation's register
// (ProductID, with its name and version as recorded) or, where the organisation keeps no
// register (a supplier's own products), the product, model and version as written.
type Affected struct {
	ProductID int64  `json:"product_id,omitempty"`
	Name      string `json:"name"`
	Model     string `json:"model"`
	Version   string `json:"version"`
	Supplier  string `json:"supplier,omitempty"`
}

// SystemRef is an affected system of the inventory.
type SystemRef struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	CIIStatus string `json:"cii_status"`
}

// Policy is the organisation's fix deadline per severity, in days from discovery. No
// instrument sets these numbers (CSL 2016 Art. 34 and the 2017 draft Art. 24 say only
// "promptly"): the defaults are ours, labelled as such, and each organisation sets its own.
type Policy struct {
	CriticalDays int       `json:"critical_days"`
	HighDays     int       `json:"high_days"`
	MediumDays   int       `json:"medium_days"`
	LowDays      int       `json:"low_days"`
	Default      bool      `json:"default"` // nothing set yet: ciiguard's defaults apply
	UpdatedBy    string    `json:"updated_by,omitempty"`
	UpdatedAt    time.Time `json:"updated_at,omitzero"`
}

// DefaultPolicy is ciiguard's default fix deadlines (not from any instrument).
var DefaultPolicy = Policy{CriticalDays: 7, HighDays: 30, MediumDays: 90, LowDays: 180, Default: true}

// Days is the fix deadline of severity in days; ok is false for a severity without one.
func (p Policy) Days(severity string) (int, bool) {
	switch severity {
	case "critical":
		return p.CriticalDays, true
	case "high":
		return p.HighDays, true
	case "medium":
		return p.MediumDays, true
	case "low":
		return p.LowDays, true
	}
	return 0, false
}
