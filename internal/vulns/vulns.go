// Package vulns is the vulnerability capability: vulnerabilities in the network products an
// organisation uses (an operator) or provides (a supplier organisation), with their CVE,
// CNVD and CNNVD identifiers, severity from a CVSS 3.0, 3.1 or 4.0 vector (parsed and
// scored by github.com/pandatix/go-cvss), the affected products and, through the product
// register, the affected systems of the inventory; a status and a fix deadline by the
// organisation's policy per severity; the product provider's report to MIIT's sharing
// platform within 2 days (Provisions on the Management of Security Vulnerabilities of
// Network Products 2021, Art. 7) and the 24-hour report where national security or the
// public interest is endangered (Regulation on Network Data Security Management 2024,
// Art. 10) as clocks in China time; an export of a record that refuses to send an
// undisclosed vulnerability abroad except to the product's provider (PVP Art. 9); imports
// from CSV and from a vendor's CSAF 2.0 advisory through a preview; and the fact set
// `vulns` for the catalog's duties.
//
// Products are the suppliers capability's records, reached through kernel.Products; the
// systems are the scope capability's, reached through the Inventory interface. Every row
// carries org_id and every statement goes through the tenant-checked store.
package vulns

import (
	"context"
	"embed"
	"html/template"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json migrations
var files embed.FS

// Permissions of the vulnerability capability.
const (
	// Read shows the vulnerabilities, their clocks and affected systems.
	Read auth.Permission = "vulns.read"
	// Write records vulnerabilities, imports them, moves their status, records reports and
	// exports records.
	Write auth.Permission = "vulns.write"
	// Configure sets the fix deadline policy.
	Configure auth.Permission = "vulns.configure"
	// ShareAdvisories shares a supplier organisation's advisories with the operators it supplies, and
	// revokes the shares: the supplier's users only.
	ShareAdvisories auth.Permission = "vulns.share"
)

func init() {
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor, auth.SupplierUser)
	auth.Grant(Write, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.SupplierUser)
	auth.Grant(Configure, auth.Admin, auth.SecurityManager, auth.SupplierUser)
	auth.Grant(ShareAdvisories, auth.SupplierUser)
}

// Module is the vulnerability capability.
type Module struct {
	*Service
	d      kernel.Deps
	pages  *web.Pages
	widget *template.Template
}

// New returns the module.
func New() *Module { return &Module{Service: &Service{Now: time.Now}} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "vulns" }

// Migrations implements kernel.Module.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "vulns")
}

// Provision implements kernel.Module: the product register and the inventory are used when
// the installation has them (without a register, products are kept as written).
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	s := m.Service
	s.db, s.orgs = d.DB, d.Auth
	if p, err := kernel.Need[kernel.Products](d.Registry, m.Name()); err == nil {
		s.products = p
	}
	if inv, err := kernel.Need[Inventory](d.Registry, m.Name()); err == nil {
		s.inv = inv
	}
	if c, err := kernel.Need[kernel.SupplierCustomers](d.Registry, m.Name()); err == nil {
		s.customersOf = c
	}
	if n, err := kernel.Need[kernel.Notifier](d.Registry, m.Name()); err == nil {
		s.notifier = n
	}
	s.log = d.Log
	if d.Changes != nil {
		s.changed = func(tx *store.Tx, org int64) { d.Changes.Changed(tx, org, 0) }
		s.ranOut = func(ctx context.Context, org int64) { d.Changes.ChangedNow(ctx, org, 0) }
	}
	return nil
}

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	var err error
	if m.pages, err = d.Web.LoadAssets(files, "templates/page_*.html"); err != nil {
		return err
	}
	if m.widget, err = template.New("widget").ParseFS(files, "templates/widget.html"); err != nil {
		return err
	}
	s := d.Web
	s.Page("GET /vulns", Read, m.listPage)
	s.Page("POST /vulns", Write, m.createPage)
	s.Page("POST /vulns/policy", Configure, m.policyPage)
	s.PageWithLimit("POST /vulns/imports", Write, maxImportBody, m.previewPage)
	s.Page("GET /vulns/imports/{id}", Read, m.importPage)
	s.Page("POST /vulns/imports/{id}/commit", Write, m.commitPage)
	s.Page("GET /vulns/{id}", Read, m.detailPage)
	s.Page("POST /vulns/{id}/status", Write, m.statusPage)
	s.Page("POST /vulns/{id}/reports", Write, m.reportPage)
	s.Page("POST /vulns/{id}/export", Write, m.exportPage)
	s.Page("POST /vulns/{id}/shares", ShareAdvisories, m.sharePage)
	s.Page("POST /vulns/{id}/shares/{operator}/revoke", ShareAdvisories, m.revokePage)
	s.Page("GET /vulns/shared/{id}", Read, m.receivedPage)

	s.API("GET /api/v1/vulns", Read, m.apiList)
	s.API("POST /api/v1/vulns", Write, m.apiCreate)
	s.API("GET /api/v1/vulns/policy", Read, m.apiPolicy)
	s.API("PUT /api/v1/vulns/policy", Configure, m.apiSetPolicy)
	s.API("GET /api/v1/vulns/{id}", Read, m.apiGet)
	s.API("POST /api/v1/vulns/{id}/status", Write, m.apiStatus)
	s.API("POST /api/v1/vulns/{id}/reports", Write, m.apiReport)
	s.API("POST /api/v1/vulns/{id}/export", Write, m.apiExport)
	s.API("POST /api/v1/vulns/cvss", Read, m.apiCVSS)
	s.API("GET /api/v1/advisories/{id}/shares", Read, m.apiShares)
	s.API("POST /api/v1/advisories/{id}/shares", ShareAdvisories, m.apiShare)
	s.API("POST /api/v1/advisories/{id}/shares/{operator}/revoke", ShareAdvisories, m.apiRevoke)
	s.API("GET /api/v1/shared-advisories", Read, m.apiReceived)
	s.API("GET /api/v1/shared-advisories/{id}", Read, m.apiReceivedOne)
	s.APIWithLimit("POST /api/v1/vulns/imports", Write, maxImportBody, m.apiPreview)
	s.API("GET /api/v1/vulns/imports/{id}", Read, m.apiImport)
	s.API("POST /api/v1/vulns/imports/{id}/commit", Write, m.apiCommit)
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.vulns", Path: "/vulns", Perm: Read, Order: 47}}
}

// FactSets implements kernel.FactProvider: the `vulns` variable of the catalog's rules.
func (m *Module) FactSets() []kernel.FactSet { return []kernel.FactSet{FactSet(m.Service)} }

// FactSet returns the vulns fact set read from s.
func FactSet(s *Service) kernel.FactSet {
	return kernel.NewFacts("vulns", "vulnerabilities in products used or provided: fix deadlines and report clocks", s.Facts)
}
