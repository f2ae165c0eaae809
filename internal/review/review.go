// Package review is the cybersecurity review capability: a CII operator's purchases of
// network products and services recorded with its own national-security risk assessment
// (CSR 2022 Art. 5), the review cases of the Cybersecurity Review Measures with their
// working-day clocks counted on China's official calendar (paused while material is
// supplied, Art. 15), the review of a listing abroad (Art. 7), and the procurement gate: a
// purchase for a CII system whose review is required and has not cleared cannot be approved
// (CIIR 2021 Art. 19), and the refusal shows the 1–10× fine it would risk (CIIR Art. 41).
// Its fact set `review` lets the catalog check the review duties instead of asking for an
// attestation.
package review

import (
	"context"
	"embed"
	"flag"
	"html/template"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/kernel/cjkfont"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json migrations
var files embed.FS

// Permissions of the review capability.
const (
	// Read shows procurements, review cases and their clocks.
	Read auth.Permission = "review.read"
	// Write records procurements and their assessments and keeps review cases up to date.
	Write auth.Permission = "review.write"
	// Approve approves a procurement (the gate still refuses one whose review has not
	// cleared it): the security manager's and the administrator's.
	Approve auth.Permission = "review.approve"
)

func init() {
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor)
	auth.Grant(Write, auth.Admin, auth.SecurityManager, auth.SystemOwner)
	auth.Grant(Approve, auth.Admin, auth.SecurityManager)
}

// Module is the review capability.
type Module struct {
	*Service
	d      kernel.Deps
	pages  *web.Pages
	widget *template.Template
	font   *cjkfont.Loader // the installation's CJK font for the annex PDF (cjkfont.Default)
}

// New returns the module.
func New() *Module { return &Module{Service: &Service{Now: time.Now}, font: cjkfont.Default} }

// Flags implements kernel.Configurable: the CJK font the bid annex PDF embeds.
func (m *Module) Flags(fs *flag.FlagSet) { cjkfont.Flag(fs) }

// Name implements kernel.Module.
func (m *Module) Name() string { return "review" }

// Migrations implements kernel.Module: the files in migrations/.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "review")
}

// Provision implements kernel.Module.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	inv, err := kernel.Need[Inventory](d.Registry, m.Name())
	if err != nil {
		return err
	}
	ev, err := kernel.Need[kernel.Evidence](d.Registry, m.Name())
	if err != nil {
		return err
	}
	// The product register is optional: without it a procurement names its product in
	// free text.
	var products kernel.Products
	if ps := kernel.All[kernel.Products](d.Registry); len(ps) == 1 {
		products = ps[0]
	}
	now := m.Service.Now
	*m.Service = *NewService(d.DB, inv, ev, products)
	if ss := kernel.All[kernel.SharedReviews](d.Registry); len(ss) == 1 {
		m.Service.shared = ss[0]
	}
	if now != nil {
		m.Service.Now = now
	}
	if d.Changes != nil {
		m.Service.changed = func(tx *store.Tx, org int64) { d.Changes.Changed(tx, org, 0) }
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
	s.Page("GET /review", Read, m.listPage)
	s.Page("GET /review/procurements/new", Write, m.newPage)
	s.Page("POST /review/procurements", Write, m.createPage)
	s.Page("GET /review/procurements/{id}", Read, m.procurementPage)
	s.Page("POST /review/procurements/{id}/approve", Approve, m.approvePage)
	s.Page("GET /review/procurements/{id}/annex.docx", Read, m.annexDOCX)
	s.Page("GET /review/procurements/{id}/annex.pdf", Read, m.annexPDF)
	s.Page("POST /review/policy", SetPolicy, m.policyPage)
	s.Page("POST /review/cases", Write, m.openListingPage)
	s.Page("GET /review/cases/{id}", Read, m.casePage)
	s.Page("POST /review/cases/{id}/materials", Write, m.materialsPage)
	s.Page("POST /review/cases/{id}/move", Write, m.movePage)
	s.Page("POST /review/cases/{id}/pause", Write, m.pausePage)
	s.Page("POST /review/cases/{id}/resume", Write, m.resumePage)
	s.Page("POST /review/cases/{id}/extend", Write, m.extendPage)

	s.API("GET /api/v1/review/procurements", Read, m.apiProcurements)
	s.API("POST /api/v1/review/procurements", Write, m.apiCreateProcurement)
	s.API("GET /api/v1/review/procurements/{id}", Read, m.apiProcurement)
	s.API("POST /api/v1/review/procurements/{id}/approve", Approve, m.apiApprove)
	s.API("GET /api/v1/review/procurements/{id}/annex.docx", Read, m.annexDOCX)
	s.API("GET /api/v1/review/procurements/{id}/annex.pdf", Read, m.annexPDF)
	s.API("GET /api/v1/review/policy", Read, m.apiPolicy)
	s.API("PUT /api/v1/review/policy", SetPolicy, m.apiSetPolicy)
	s.API("GET /api/v1/review/cases", Read, m.apiCases)
	s.API("POST /api/v1/review/cases", Write, m.apiOpenListing)
	s.API("GET /api/v1/review/cases/{id}", Read, m.apiCase)
	s.API("PUT /api/v1/review/cases/{id}/materials", Write, m.apiMaterials)
	s.API("POST /api/v1/review/cases/{id}/move", Write, m.apiMove)
	s.API("POST /api/v1/review/cases/{id}/pause", Write, m.apiPause)
	s.API("POST /api/v1/review/cases/{id}/resume", Write, m.apiResume)
	s.API("POST /api/v1/review/cases/{id}/extend", Write, m.apiExtend)
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.review", Path: "/review", Perm: Read, Order: 16}}
}

// Widgets implements kernel.Dashboard: the running review clocks, after the incidents'.
func (m *Module) Widgets() []web.Widget {
	return []web.Widget{{Order: -90, Perm: Read, Render: m.renderWidget}}
}

// FactSets implements kernel.FactProvider: the `review` variable of the catalog's rules.
func (m *Module) FactSets() []kernel.FactSet {
	return []kernel.FactSet{FactSet(m.Service)}
}

// FactSet returns the review fact set read from s.
func FactSet(s *Service) kernel.FactSet {
	return kernel.NewFacts("review", "purchases, cybersecurity review cases and their clocks", s.Facts)
}
