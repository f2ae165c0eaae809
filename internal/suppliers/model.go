package suppliers

import (
	"time"

	"ciiguard/internal/calendar"
)

// Supplier is a provider of network products or services to the organisation.
type Supplier struct {
	ID   int64  `json:"id"`
	Name string `json:"name"` // legal name, as registered
	// USCC is the unified social credit code of a supplier registered in China (GB 32100);
	// ForeignReg the registration number of one registered elsewhere.
	USCC       string `json:"uscc"`
	ForeignReg string `json:"foreign_registration"`
	Country    string `json:"country"` // ISO 3166-1 alpha-2 of the registration
	Ownership  string `json:"ownership"`
	Contacts   string `json:"contacts"`
	// PlatformOrgID is the supplier's own organisation on this installation, when the
	// operator linked it (0 otherwise): the supplier then sees the operator among its
	// customers and may share its advisories with it (kernel.SupplierCustomers).
	PlatformOrgID int64     `json:"platform_org_id"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// Abroad says the supplier is registered outside the mainland (Hong Kong, Macao and Taiwan
// count as outside, as the data-export rules count them).
func (s Supplier) Abroad() bool { return s.Country != "CN" }

// SupplierInput is a supplier as a person enters it (form, API, CSV row).
type SupplierInput struct {
	Name       string `json:"name"`
	USCC       string `json:"uscc"`
	ForeignReg string `json:"foreign_registration"`
	Country    string `json:"country"`
	Ownership  string `json:"ownership"`
	Contacts   string `json:"contacts"`
}

// Certificate is a product's security certification or test (CSL 2016 Art. 23, 2025 Art. 25):
// the certificate's number, the body that issued it, what it covers and when it expires.
type Certificate struct {
	Number  string    `json:"number"`
	Body    string    `json:"body"`
	Scope   string    `json:"scope"`
	Expires time.Time `json:"expires"` // the last day it is valid, midnight China time
}

// ValidOn says the certificate covers the China-time calendar day of at.
func (c *Certificate) ValidOn(at time.Time) bool {
	if c == nil || c.Number == "" {
		return false
	}
	return !chinaDay(at).After(c.Expires)
}

// chinaDay is midnight China time of the day at falls on.
func chinaDay(at time.Time) time.Time {
	t := at.In(calendar.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, calendar.Shanghai)
}

// Product is a network product or service the organisation uses, and who supplies it.
type Product struct {
	ID           int64  `json:"id"`
	SupplierID   int64  `json:"supplier_id"`
	SupplierName string `json:"supplier_name"`
	// SupplierOrgID is the supplier's linked organisation on this installation (0: none).
	SupplierOrgID int64   `json:"supplier_org_id,omitempty"`
	Country       string  `json:"country"`
	Name          string  `json:"name"`
	Version       string  `json:"version"`
	Type          string  `json:"type"`
	Donated       bool    `json:"donated"` // received as a donation (draft CIIR 2017 Art. 32)
	Systems       []int64 `json:"systems"` // inventory systems where it is used
	// Category is the product's entry of the certification catalogue (catalogue.go),
	// CategoryNotListed for none, "" when nobody said; Specs its figures for an equipment
	// entry's range, by metric.
	Category  string             `json:"catalogue_category"`
	Specs     map[string]float64 `json:"catalogue_specs"`
	Cert      *Certificate       `json:"certificate,omitempty"`
	CreatedBy string             `json:"created_by"`
	CreatedAt time.Time          `json:"created_at"`
}

// ProductInput is a product as a person enters it.
type ProductInput struct {
	Name    string  `json:"name"`
	Version string  `json:"version"`
	Type    string  `json:"type"`
	Donated bool    `json:"donated"`
	Systems []int64 `json:"systems"`
	// Category and Specs place the product on the certification catalogue (optional).
	Category string             `json:"catalogue_category"`
	Specs    map[string]float64 `json:"catalogue_specs"`
}

// CertificateInput is a certificate as a person enters it; Expires is YYYY-MM-DD.
type CertificateInput struct {
	Number  string `json:"number"`
	Body    string `json:"body"`
	Scope   string `json:"scope"`
	Expires string `json:"expires"`
}

// Limits of free text.
const (
	maxName  = 200
	maxShort = 100
	maxText  = 4000
)

// ExpiresDay is the certificate's last valid day, YYYY-MM-DD in China time.
func (c *Certificate) ExpiresDay() string {
	if c == nil || c.Expires.IsZero() {
		return ""
	}
	return c.Expires.In(calendar.Shanghai).Format("2006-01-02")
}
