// Package scope is the capability that knows what an operator has to protect: the
// organisation profile (credit code, sectors, regulators, the flags that decide which
// parts of the regime apply) and the inventory of networks and information systems, each
// with its owner, responsible person, MLPS grade and filing, and its CII status — the
// operator's own self-assessment (candidate) kept apart from the protection-work
// department's notices (identified, de-identified). It gives the rules engine its facts
// (Module.Facts) and announces on the kernel's change bus when those facts change.
package scope

import (
	"context"
	"embed"
	"fmt"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json migrations
var files embed.FS

// Permissions of the capability. Regulators and suppliers hold neither: a regulator sees
// an operator's inventory only through an inspection.
const (
	Read  auth.Permission = "scope.read"
	Write auth.Permission = "scope.write"
	// ProfileWrite changes the organisation's profile: its sectors and the declarations
	// (security manager appointed, important data held or exported…) that decide which
	// duties apply to the whole organisation. That is the cybersecurity manager's and the
	// administrator's call, not a system owner's, who keeps its systems (Write).
	ProfileWrite auth.Permission = "scope.profile.write"
)

func init() {
	auth.Grant(Read, auth.RolesByKind[auth.Operator]...)
	auth.Grant(Write, auth.Admin, auth.SecurityManager, auth.SystemOwner)
	auth.Grant(ProfileWrite, auth.Admin, auth.SecurityManager)
}

// Module is the scope capability.
type Module struct {
	svc      *Service
	d        kernel.Deps
	pages    *web.Pages
	sections []kernel.Section // of system pages, from other capabilities
	// profileSections are other capabilities' parts of the profile page (the data
	// capability's held values, which supersede the typed-in ones once assets exist).
	profileSections []kernel.Section
}

// New returns the module; its service works once the module is provisioned.
func New() *Module { return &Module{svc: NewService(nil)} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "scope" }

// Migrations implements kernel.Module.
func (m *Module) Migrations() []store.Migration { return Migrations }

// Service returns the scope service (it works once the module is provisioned).
func (m *Module) Service() *Service { return m.svc }

// Facts gives the rules engine the context's organisation's facts: its profile and
// systems.
func (m *Module) Facts(ctx context.Context) (rules.Org, []rules.System, error) {
	return m.svc.Facts(ctx)
}

// SystemFacts gives the rules engine the organisation facts and only the systems ids, for
// an evaluation after those systems alone changed (Service.SystemFacts).
func (m *Module) SystemFacts(ctx context.Context, ids []int64) (rules.Org, []rules.System, error) {
	return m.svc.SystemFacts(ctx, ids)
}

// Provision implements kernel.Module: the service works on the installation's store and
// announces changes on its change bus.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	m.svc.db, m.svc.Changes = d.DB, d.Changes
	// The systems' maintenance from abroad derives from the supply-chain register when the
	// suppliers capability is installed.
	if ms := kernel.All[kernel.MaintenanceAbroad](d.Registry); len(ms) == 1 {
		m.svc.maintenance = ms[0]
	}
	return nil
}

// Register implements kernel.Module: routes, messages, templates and the OpenAPI paths.
func (m *Module) Register(d kernel.Deps) error {
	pages, err := d.Web.LoadAssets(files, "templates/*.html")
	if err != nil {
		return fmt.Errorf("scope templates: %w", err)
	}
	m.pages = pages
	m.sections = kernel.SectionsFor(d.Registry, kernel.PageSystem)
	m.profileSections = kernel.SectionsFor(d.Registry, kernel.PageProfile)
	s := d.Web
	s.Page("GET /scope/systems", Read, m.systemsPage)
	s.Page("GET /scope/systems/new", Write, m.systemNewPage)
	s.Page("POST /scope/systems", Write, m.systemCreate)
	s.Page("GET /scope/systems/{id}", Read, m.systemPage)
	s.Page("GET /scope/systems/{id}/edit", Write, m.systemEditPage)
	s.Page("POST /scope/systems/{id}", Write, m.systemUpdate)
	s.Page("POST /scope/systems/{id}/delete", Write, m.systemDelete)
	s.Page("GET /scope/systems/{id}/assess", Write, m.assessPage)
	s.Page("POST /scope/systems/{id}/assess", Write, m.assessSubmit)
	s.Page("POST /scope/systems/{id}/identify", Write, m.identifySubmit)
	s.Page("POST /scope/systems/{id}/major-change", Write, m.majorChangeSubmit)
	s.Page("POST /scope/systems/{id}/deidentify", Write, m.deidentifySubmit)
	s.Page("GET /scope/systems.csv", Read, m.exportCSV)
	s.Page("GET /scope/import", Write, m.importPage)
	s.Page("POST /scope/import", Write, m.importSubmit)
	s.Page("GET /scope/profile", Read, m.profilePage)
	s.Page("GET /scope/profile/edit", ProfileWrite, m.profileEditPage)
	s.Page("POST /scope/profile", ProfileWrite, m.profileSubmit)

	s.API("GET /api/v1/scope/profile", Read, m.apiProfile)
	s.API("PUT /api/v1/scope/profile", ProfileWrite, m.apiProfilePut)
	s.API("GET /api/v1/scope/facts", Read, m.apiFacts)
	s.API("GET /api/v1/scope/systems", Read, m.apiSystems)
	s.API("POST /api/v1/scope/systems", Write, m.apiSystemCreate)
	s.API("GET /api/v1/scope/systems/export", Read, m.exportCSV)
	s.APIWithLimit("POST /api/v1/scope/systems/import", Write, MaxImportBytes+4096, m.apiImport)
	s.API("GET /api/v1/scope/systems/{id}", Read, m.apiSystem)
	s.API("PUT /api/v1/scope/systems/{id}", Write, m.apiSystemPut)
	s.API("PATCH /api/v1/scope/systems/{id}", Write, m.apiSystemPatch)
	s.API("DELETE /api/v1/scope/systems/{id}", Write, m.apiSystemDelete)
	s.API("POST /api/v1/scope/systems/{id}/assessment", Write, m.apiAssess)
	s.API("POST /api/v1/scope/systems/{id}/identification", Write, m.apiIdentify)
	s.API("POST /api/v1/scope/systems/{id}/major-change", Write, m.apiMajorChange)
	s.API("POST /api/v1/scope/systems/{id}/deidentification", Write, m.apiDeidentify)

	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{
		{Key: "nav.scope_systems", Path: "/scope/systems", Perm: Read, Order: 100},
		{Key: "nav.scope_profile", Path: "/scope/profile", Perm: Read, Order: 110},
	}
}

// Widgets implements kernel.Dashboard.
func (m *Module) Widgets() []web.Widget {
	return []web.Widget{{Order: 100, Perm: Read, Render: m.widget}}
}
