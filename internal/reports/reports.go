// Package reports is the assessment reports capability: the annual security test and risk
// assessment report of a CII operator (CIIR 2021 Art. 17; CSL 2016 Art. 38 / CSL 2025
// Art. 40, "检测评估情况和改进措施") and the report on new operation or a major change,
// generated from the organisation's records through the kernel's contracts (inventory,
// findings, remediation tasks, the capabilities' fact sets, the log vault), with sections
// for the assessor's own text, a sign-off by the security manager that freezes the version,
// output as HTML, PDF (CJK font embedded, table of contents, page numbers, the SHA-256 of
// the JSON printed) and JSON, and a submission signed with the installation's Ed25519 key.
// Its fact set `reports` lets the catalog check the annual report duty.
package reports

import (
	"context"
	"embed"
	"flag"
	"path/filepath"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/kernel/cjkfont"
	"ciiguard/internal/kernel/reportbundle"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json migrations
var files embed.FS

// Permissions of the reports capability.
const (
	// Read shows reports and downloads them.
	Read auth.Permission = "reports.read"
	// Write generates reports, regenerates their records and edits the assessor's sections.
	Write auth.Permission = "reports.write"
	// Sign signs a version off and submits it to the regulator: the security manager's
	// alone (CIIR 2021 Art. 14: the security management body's head answers for the
	// assessment).
	Sign auth.Permission = "reports.signoff"
)

func init() {
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor)
	auth.Grant(Write, auth.Admin, auth.SecurityManager, auth.Analyst)
	auth.Grant(Sign, auth.SecurityManager)
}

// Module is the reports capability.
type Module struct {
	*Service
	d     kernel.Deps
	pages *web.Pages
	font  *cjkfont.Loader
	key   *Signer
	subs  kernel.Submissions // nil: the installation has no regulator's workspace
}

// New returns the module.
func New() *Module { return &Module{Service: &Service{Now: time.Now}, font: cjkfont.Default} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "reports" }

// Migrations implements kernel.Module: the files in migrations/.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "reports")
}

// Flags implements kernel.Configurable: the CJK font of the PDFs (shared with every
// capability that renders PDFs).
func (m *Module) Flags(fs *flag.FlagSet) { cjkfont.Flag(fs) }

// Provision implements kernel.Module: the contracts the report is generated from and the
// installation's signing key.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	inv, err := kernel.Need[Inventory](d.Registry, m.Name())
	if err != nil {
		return err
	}
	obl, err := kernel.Need[kernel.Obligations](d.Registry, m.Name())
	if err != nil {
		return err
	}
	src := Sources{Inventory: inv, Obligations: obl, AreaName: m.areaName}
	// The remediation plan and the log vault are optional: without them the report says
	// the section is not available.
	if ps := kernel.All[kernel.RemediationPlan](d.Registry); len(ps) == 1 {
		src.Plan = ps[0]
	}
	if vs := kernel.All[kernel.LogVault](d.Registry); len(vs) == 1 {
		src.Vault = vs[0]
	}
	if ss := kernel.All[kernel.Submissions](d.Registry); len(ss) == 1 {
		m.subs = ss[0]
	}
	for _, p := range kernel.All[kernel.FactProvider](d.Registry) {
		src.Facts = append(src.Facts, p.FactSets()...)
	}
	now := m.Service.Now
	*m.Service = *NewService(d.DB, src, m.orgOf)
	if now != nil {
		m.Service.Now = now
	}
	m.Service.filings = m.subs
	if d.Changes != nil {
		m.Service.changed = func(tx *store.Tx, org int64) { d.Changes.Changed(tx, org, 0) }
	}
	if d.DataDir != "" {
		if m.key, err = LoadOrCreateKey(filepath.Join(d.DataDir, "reports")); err != nil {
			return err
		}
	}
	return nil
}

// areaName names a catalog area with the obligations capability's messages ("cap.<area>").
func (m *Module) areaName(area string) rules.Text {
	msgs := m.d.Web.Messages
	key := "cap." + area
	if !msgs.Has(web.LangZH, key) {
		return rules.Text{Zh: area, En: area}
	}
	return rules.Text{Zh: msgs.T(web.LangZH, key), En: msgs.T(web.LangEN, key)}
}

// orgOf describes the context's organisation for a report's header.
func (m *Module) orgOf(ctx context.Context) (Organisation, error) {
	id, ok := store.OrgFrom(ctx)
	if !ok {
		return Organisation{}, store.ErrNotFound
	}
	o, err := m.d.Auth.GetOrg(ctx, id)
	if err != nil {
		return Organisation{}, err
	}
	return Organisation{ID: o.ID, NameZh: o.NameZH, NameEn: o.NameEN, USCC: o.USCC}, nil
}

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	var err error
	if m.pages, err = d.Web.LoadAssets(files, "templates/page_*.html"); err != nil {
		return err
	}
	s := d.Web
	s.Page("GET /reports", Read, m.listPage)
	s.Page("POST /reports", Write, m.createPage)
	s.Page("GET /reports/{id}", Read, m.reportPage)
	s.Page("POST /reports/{id}/sections", Write, m.sectionsPage)
	s.Page("POST /reports/{id}/regenerate", Write, m.regeneratePage)
	s.Page("POST /reports/{id}/signoff", Sign, m.signOffPage)
	s.Page("POST /reports/{id}/submit", Sign, m.submitPage)
	s.Page("GET /reports/{id}/versions/{v}/report.pdf", Read, m.pdf)
	s.Page("GET /reports/{id}/versions/{v}/report.json", Read, m.json)
	s.Page("GET /reports/{id}/versions/{v}/oscal.json", Read, m.oscal)
	s.Page("POST /reports/{id}/versions/{v}/bundle", Sign, m.bundle)
	s.PageWithLimit("POST /reports/{id}/receipts", Write, reportbundle.MaxReceiptSize+1<<16, m.receiptPage)

	s.API("GET /api/v1/reports", Read, m.apiList)
	s.API("POST /api/v1/reports", Write, m.apiCreate)
	s.API("GET /api/v1/reports/{id}", Read, m.apiGet)
	s.API("PUT /api/v1/reports/{id}/sections", Write, m.apiSections)
	s.API("POST /api/v1/reports/{id}/regenerate", Write, m.apiRegenerate)
	s.API("POST /api/v1/reports/{id}/signoff", Sign, m.apiSignOff)
	s.API("POST /api/v1/reports/{id}/submit", Sign, m.apiSubmit)
	s.API("GET /api/v1/reports/{id}/versions/{v}/report.pdf", Read, m.pdf)
	s.API("GET /api/v1/reports/{id}/versions/{v}/report.json", Read, m.json)
	s.API("GET /api/v1/reports/{id}/versions/{v}/oscal.json", Read, m.oscal)
	s.API("POST /api/v1/reports/{id}/versions/{v}/bundle", Sign, m.bundle)
	s.APIWithLimit("POST /api/v1/reports/{id}/receipts", Write, reportbundle.MaxReceiptSize+1<<16, m.apiImportReceipt)
	s.API("GET /api/v1/reports/{id}/receipts", Read, m.apiReceipts)
	s.API("GET /api/v1/reports/key", Read, m.apiKey)
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.reports", Path: "/reports", Perm: Read, Order: 17}}
}

// FactSets implements kernel.FactProvider: the `reports` variable of the catalog's rules.
func (m *Module) FactSets() []kernel.FactSet {
	return []kernel.FactSet{FactSet(m.Service)}
}
