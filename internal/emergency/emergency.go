// Package emergency is the emergency-response capability: emergency plans (应急预案) of the
// organisation or of some systems, with their version, approval, contacts and review date;
// drills (应急演练) with their findings, whose follow-up items become remediation tasks and
// which can call for a plan's revision (Emergency Response Law 2024 Art. 28); and backup and
// recovery tests with where the backup is kept and whether the recovery point and time
// objectives were met. Its per-system fact set `emergency` lets the catalog check the plan,
// drill and backup duties (CSL 2016 Arts. 25 and 34(3)-(4), CIIR 2021 Art. 15(3) …) on
// these records instead of on checkboxes of the inventory, which it replaced.
package emergency

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

// Permissions of the emergency capability.
const (
	// Read shows plans, drills, backup tests and the cadences.
	Read auth.Permission = "emergency.read"
	// Write records plans, revisions, drills (and their follow-up tasks), backup tests and
	// the cadences.
	Write auth.Permission = "emergency.write"
)

func init() {
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor)
	auth.Grant(Write, auth.Admin, auth.SecurityManager, auth.SystemOwner)
}

// Module is the emergency capability.
type Module struct {
	*Service
	d      kernel.Deps
	pages  *web.Pages
	widget *template.Template
}

// New returns the module.
func New() *Module { return &Module{Service: &Service{Now: time.Now}} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "emergency" }

// Migrations implements kernel.Module.
func (m *Module) Migrations() []store.Migration { return Migrations }

// Provision implements kernel.Module.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	var err error
	if m.Service.inv, err = kernel.Need[Inventory](d.Registry, m.Name()); err != nil {
		return err
	}
	if m.Service.tasks, err = kernel.Need[kernel.Tasks](d.Registry, m.Name()); err != nil {
		return err
	}
	m.Service.db, m.Service.auth = d.DB, d.Auth
	if d.Changes != nil {
		m.Service.changed = func(tx *store.Tx, org int64) { d.Changes.Changed(tx, org, 0) }
	}
	return nil
}

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	var err error
	if m.pages, err = d.Web.LoadAssets(pageFS{files}, "templates/page_*.html"); err != nil {
		return err
	}
	if m.widget, err = template.ParseFS(files, "templates/part_*.html"); err != nil {
		return err
	}
	s := d.Web
	s.Page("GET /emergency", Read, m.overviewPage)
	s.Page("POST /emergency/settings", Write, m.settingsPage)
	s.Page("GET /emergency/plans/new", Write, m.newPlanPage)
	s.Page("POST /emergency/plans", Write, m.createPlanPage)
	s.Page("GET /emergency/plans/{id}", Read, m.planPage)
	s.Page("POST /emergency/plans/{id}/revise", Write, m.revisePage)
	s.Page("POST /emergency/plans/{id}/retire", Write, m.retirePage)
	s.Page("GET /emergency/drills/new", Write, m.newDrillPage)
	s.Page("POST /emergency/drills", Write, m.createDrillPage)
	s.Page("GET /emergency/drills/{id}", Read, m.drillPage)
	s.Page("GET /emergency/backup-tests/new", Write, m.newBackupPage)
	s.Page("POST /emergency/backup-tests", Write, m.createBackupPage)

	s.API("GET /api/v1/emergency", Read, m.apiOverview)
	s.API("PUT /api/v1/emergency/settings", Write, m.apiSettings)
	s.API("POST /api/v1/emergency/plans", Write, m.apiCreatePlan)
	s.API("GET /api/v1/emergency/plans/{id}", Read, m.apiPlan)
	s.API("POST /api/v1/emergency/plans/{id}/revise", Write, m.apiRevise)
	s.API("POST /api/v1/emergency/plans/{id}/retire", Write, m.apiRetire)
	s.API("POST /api/v1/emergency/drills", Write, m.apiCreateDrill)
	s.API("GET /api/v1/emergency/drills/{id}", Read, m.apiDrill)
	s.API("POST /api/v1/emergency/backup-tests", Write, m.apiCreateBackup)
	s.API("GET /api/v1/emergency/facts", Read, m.apiFacts)
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.emergency", Path: "/emergency", Perm: Read, Order: 17}}
}

// Widgets implements kernel.Dashboard: the next drill and plan review due.
func (m *Module) Widgets() []web.Widget {
	return []web.Widget{{Order: 30, Perm: Read, Render: m.renderWidget}}
}

// Sections implements kernel.SectionProvider: a system's page shows its plan, last drill
// and last backup test.
func (m *Module) Sections() []kernel.Section {
	return []kernel.Section{{Page: kernel.PageSystem, Order: 15, Render: m.systemSection}}
}

// FactSets implements kernel.FactProvider: the per-system `emergency` variable.
func (m *Module) FactSets() []kernel.FactSet { return []kernel.FactSet{FactSet(m.Service)} }

// FactSet returns the emergency fact set read from s.
func FactSet(s *Service) kernel.FactSet {
	return kernel.NewSystemFacts("emergency", "emergency plans, drills and backup tests per system", s.Facts)
}
