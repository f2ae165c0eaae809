// Package people is the people capability: the operator's dedicated security organisation
// (专门安全管理机构) with its head and security manager, key posts (关键岗位) and who holds
// them, security background checks (安全背景审查, CIIR 2021 Art. 14) with their next due
// day, certifications with expiry, and training — courses, attendance (also imported from
// CSV), days per person per calendar year against a configurable policy whose default is the
// 2017 draft's minimums. Its fact set `people` lets the catalog check the organisation,
// vetting, certification and training duties instead of asking for an attestation.
//
// Records about staff are personal information: the permission people.hr (the security
// manager's) is needed to see who they are, their checks, certificates and training; the
// other operator roles see counts.
package people

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

// Permissions of the people capability.
const (
	// Read shows the security organisation as counts: posts, courses, the policy, how many
	// people are vetted, certified and trained — never who.
	Read auth.Permission = "people.read"
	// Write records what is not personal: key posts, courses and the training policy.
	Write auth.Permission = "people.write"
	// HR shows and records personal information about staff: names, the unit's head and
	// manager, key-post holders, background checks and their results, certificates,
	// attendance. Only the security manager holds it: the security organisation is theirs
	// to run (CIIR 2021 Art. 15), and the administrator, system owners, analysts and
	// auditors need the counts, not the people (PIPL Art. 6, minimum necessary).
	HR auth.Permission = "people.hr"
)

func init() {
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor)
	auth.Grant(Write, auth.Admin, auth.SecurityManager)
	auth.Grant(HR, auth.SecurityManager)
}

// Module is the people capability.
type Module struct {
	*Service
	d      kernel.Deps
	pages  *web.Pages
	widget *template.Template
}

// New returns the module.
func New() *Module { return &Module{Service: &Service{Now: time.Now}} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "people" }

// Migrations implements kernel.Module.
func (m *Module) Migrations() []store.Migration { return migrations }

// Provision implements kernel.Module.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	now := m.Service.Now
	*m.Service = *NewService(d.DB)
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
	s.Page("GET /people", Read, m.overviewPage)
	s.Page("POST /people/unit", HR, m.unitPage)
	s.Page("POST /people/persons", HR, m.addPersonPage)
	s.Page("GET /people/persons/{id}", HR, m.personPage)
	s.Page("POST /people/persons/{id}", HR, m.updatePersonPage)
	s.Page("POST /people/persons/{id}/vettings", HR, m.vettingPage)
	s.Page("POST /people/persons/{id}/certifications", HR, m.certificationPage)
	s.Page("POST /people/posts", Write, m.addPostPage)
	s.Page("POST /people/posts/{id}/holders", HR, m.addHolderPage)
	s.Page("POST /people/posts/{id}/holders/{person}/since", HR, m.holderSincePage)
	s.Page("POST /people/posts/{id}/holders/{person}/remove", HR, m.removeHolderPage)
	s.Page("POST /people/courses", Write, m.addCoursePage)
	s.Page("POST /people/courses/{id}/attendance", HR, m.attendPage)
	s.PageWithLimit("POST /people/import", HR, MaxImportBytes+1<<16, m.importPage)
	s.Page("POST /people/policy", Write, m.policyPage)

	s.API("GET /api/v1/people", Read, m.apiSummary)
	s.API("GET /api/v1/people/training.csv", Read, m.apiTrainingCSV)
	s.API("PUT /api/v1/people/unit", HR, m.apiUnit)
	s.API("GET /api/v1/people/persons", HR, m.apiPersons)
	s.API("POST /api/v1/people/persons", HR, m.apiAddPerson)
	s.API("GET /api/v1/people/persons/{id}", HR, m.apiPerson)
	s.API("PUT /api/v1/people/persons/{id}", HR, m.apiUpdatePerson)
	s.API("POST /api/v1/people/persons/{id}/vettings", HR, m.apiVetting)
	s.API("POST /api/v1/people/persons/{id}/certifications", HR, m.apiCertification)
	s.API("POST /api/v1/people/posts", Write, m.apiAddPost)
	s.API("POST /api/v1/people/posts/{id}/holders", HR, m.apiAddHolder)
	s.API("PUT /api/v1/people/posts/{id}/holders/{person}", HR, m.apiHolderSince)
	s.API("DELETE /api/v1/people/posts/{id}/holders/{person}", HR, m.apiRemoveHolder)
	s.API("POST /api/v1/people/courses", Write, m.apiAddCourse)
	s.API("POST /api/v1/people/courses/{id}/attendance", HR, m.apiAttend)
	s.APIWithLimit("POST /api/v1/people/attendance/import", HR, MaxImportBytes+1<<16, m.apiImport)
	s.API("PUT /api/v1/people/policy", Write, m.apiPolicy)
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.people", Path: "/people", Perm: Read, Order: 450}}
}

// Widgets implements kernel.Dashboard: the people duties' state as counts.
func (m *Module) Widgets() []web.Widget {
	return []web.Widget{{Order: 450, Perm: Read, Render: m.renderWidget}}
}

// FactSets implements kernel.FactProvider: the `people` variable of the catalog's rules.
func (m *Module) FactSets() []kernel.FactSet {
	return []kernel.FactSet{FactSet(m.Service)}
}

// FactSet returns the people fact set read from s.
func FactSet(s *Service) kernel.FactSet {
	return kernel.NewFacts("people", "the security organisation, background checks, certificates and training", s.Facts)
}
