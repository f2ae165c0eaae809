package review

import "time"

// Procurement is a purchase of a network product or service recorded before it is approved:
// what is bought, from whom, for which systems, for how much, and the operator's own
// assessment of whether it may affect national security (CSR 2022 Art. 5).
type Procurement struct {
	ID          int64       `json:"id"`
	Title       string      `json:"title"`      // what is bought
	ProductID   int64       `json:"product_id"` // a registered product (kernel.Products), 0 for free text
	Product     string      `json:"product"`    // its name (and version), as recorded
	ProductType string      `json:"product_type"`
	Supplier    string      `json:"supplier"`
	Country     string      `json:"country"` // ISO 3166-1 alpha-2 of the supplier, "" when unknown
	Systems     []SystemRef `json:"systems"`
	// AmountRMB is the purchase amount in whole yuan: the base of the CIIR Art. 41 penalty.
	AmountRMB  int64      `json:"amount_rmb"`
	Assessment Assessment `json:"assessment"`
	// Required says the review is required: a system is an identified CII and the
	// assessment found a national-security risk.
	Required   bool       `json:"review_required"`
	CaseID     int64      `json:"case_id,omitempty"` // the review case, when one was opened
	Status     string     `json:"status"`            // pending or approved
	ApprovedBy string     `json:"approved_by,omitempty"`
	ApprovedAt *time.Time `json:"approved_at,omitempty"`
	// Imported marks a record taken over from before ciiguard (approved outside the gate).
	Imported  bool      `json:"imported"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Procurement statuses.
const (
	StatusPending  = "pending"
	StatusApproved = "approved"
)

// SystemRef is an inventory system a procurement is for, as it was when recorded.
type SystemRef struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	CII       bool   `json:"cii"`        // identified as critical information infrastructure
	MLPSLevel int64  `json:"mlps_level"` // 0 = not graded
}

// CII says whether the procurement is for an identified CII system.
func (p Procurement) CII() bool {
	for _, s := range p.Systems {
		if s.CII {
			return true
		}
	}
	return false
}

// Assessment is the operator's own national-security risk assessment of a purchase, kept as
// evidence (CSR 2022 Art. 5: the operator judges the risk of putting the product into use).
// Each answer is one of the risk factors the review weighs (CSR 2022 Art. 10, as republished
// — secondary); a "yes" to any of them means the purchase may affect national security.
type Assessment struct {
	Control    bool `json:"control"`     // could CII be illegally controlled, interfered with or destroyed through it
	Continuity bool `json:"continuity"`  // would an interruption of supply or support harm the CII's continuity
	SupplyRisk bool `json:"supply_risk"` // opaque, single-source, or exposed to political, diplomatic or trade interruption
	Data       bool `json:"data"`        // could core or important data, or much personal information, be stolen, leaked or taken abroad
	Compliance bool `json:"compliance"`  // is there doubt the supplier complies with Chinese law
	// SupplierNotCleared is not an answer but a presumption: a supplier shared a review
	// outcome "not cleared" for the product when the purchase was recorded
	// (kernel.SharedReviews; sharedreviews.go); SupplierReview names it.
	SupplierNotCleared bool   `json:"supplier_not_cleared"`
	SupplierReview     string `json:"supplier_review,omitempty"`
	Notes              string `json:"notes"`    // the reasoning, in the assessor's words
	Evidence           string `json:"evidence"` // SHA-256 of the signed questionnaire kept as evidence, optional
	By                 string `json:"by"`
}

// Questions are the assessment's questions, by JSON key, in the order the form asks them.
var Questions = []string{"control", "continuity", "supply_risk", "data", "compliance"}

// Answer returns the answer to question q.
func (a Assessment) Answer(q string) bool {
	return map[string]bool{"control": a.Control, "continuity": a.Continuity, "supply_risk": a.SupplyRisk, "data": a.Data, "compliance": a.Compliance}[q]
}

// Risky says the assessment found a factor by which the purchase may affect national security,
// or presumes one from a supplier's outcome "not cleared".
func (a Assessment) Risky() bool {
	return a.Control || a.Continuity || a.SupplyRisk || a.Data || a.Compliance || a.SupplierNotCleared
}

// ReviewRequired decides whether a purchase must go through the cybersecurity review: a CII
// operator's purchase for an identified CII system that may affect national security (CSR
// 2022 Art. 2 and 5; CIIR 2021 Art. 19).
func ReviewRequired(forCII bool, a Assessment) bool { return forCII && a.Risky() }

// ProductTypes are the kinds of product and service, as the products contract names them.
var ProductTypes = []string{"critical_network_equipment", "security_product", "software", "cloud", "maintenance", "outsourced_development", "other"}

// Case kinds.
const (
	KindProcurement = "procurement"    // a CII operator's purchase (CSR 2022 Art. 5)
	KindListing     = "listing_abroad" // a platform with >1M users' PI listing abroad (CSR 2022 Art. 7)
)

// Case is one cybersecurity review, from the application being prepared to its outcome.
type Case struct {
	ID            int64     `json:"id"`
	Kind          string    `json:"kind"`
	ProcurementID int64     `json:"procurement_id,omitempty"`
	Title         string    `json:"title"`
	State         State     `json:"state"`
	Since         time.Time `json:"since"` // China date the current state began (receipt, written notice …)
	Materials     Materials `json:"materials"`
	Complex       bool      `json:"complex"`        // initial review extended by 15 working days (Art. 11)
	ExtraDays     int       `json:"extension_days"` // special procedure extended by this many working days (Art. 14)
	Pauses        []Pause   `json:"pauses"`         // of the current state's clock (Art. 15)
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// Materials is the Art. 8 checklist: what the application holds.
type Materials struct {
	Declaration    bool `json:"declaration"`     // 申报书
	ImpactAnalysis bool `json:"impact_analysis"` // analysis of the impact on national security
	PurchaseDocs   bool `json:"purchase_docs"`   // purchase documents, agreements, draft contract
	ListingDocs    bool `json:"listing_docs"`    // the IPO materials to be filed (listing abroad)
	OtherByRequest bool `json:"other"`           // other materials the review office asked for
}

// MaterialItems are the checklist's items for a kind of case, in order; the last (other)
// is never required.
func MaterialItems(kind string) []string {
	if kind == KindListing {
		return []string{"declaration", "impact_analysis", "listing_docs", "other"}
	}
	return []string{"declaration", "impact_analysis", "purchase_docs", "other"}
}

// Has says whether the checklist item is ticked.
func (m Materials) Has(item string) bool {
	return map[string]bool{"declaration": m.Declaration, "impact_analysis": m.ImpactAnalysis, "purchase_docs": m.PurchaseDocs,
		"listing_docs": m.ListingDocs, "other": m.OtherByRequest}[item]
}

// Missing lists the required items of kind's checklist not yet ticked.
func (m Materials) Missing(kind string) []string {
	var out []string
	items := MaterialItems(kind)
	for _, it := range items[:len(items)-1] {
		if !m.Has(it) {
			out = append(out, it)
		}
	}
	return out
}

// Pause is a period during which the clock stood still because the review office asked for
// more material (CSR 2022 Art. 15): from the day of the request to the day it was supplied.
type Pause struct {
	From time.Time  `json:"from"` // China date of the request
	To   *time.Time `json:"to"`   // China date the material was supplied; nil while it is awaited
	Note string     `json:"note,omitempty"`
}
