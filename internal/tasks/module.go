// Package tasks is the remediation-task capability: from a gap (a finding that is not
// met) a person creates a task with an owner, a due date and a status; people comment on
// it and attach evidence (a file uploaded once is cited again, not uploaded twice); closing
// it with its evidence can submit the attestation the duty needs, which then waits for a
// second person's review (the evidence capability). Open tasks appear on their owner's
// dashboard, on the system's page and in the list, and their due dates feed the
// notification reminders.
package tasks

import (
	"context"
	"embed"
	"html/template"
	"log/slog"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json migrations
var files embed.FS

// Permissions of the tasks capability.
const (
	Read  auth.Permission = "tasks.read"
	Write auth.Permission = "tasks.write"
	// attest is the obligations capability's permission to attest a duty, asked before a
	// task is closed with an attestation (named here: capabilities do not import each other).
	attest auth.Permission = "findings.attest"
)

func init() {
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor)
	auth.Grant(Write, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst)
}

// systemFacts is the inventory's systems (the scope capability), for their names.
type systemFacts interface {
	Facts(ctx context.Context) (rules.Org, []rules.System, error)
}

// Module is the tasks capability.
type Module struct {
	*Service
	d      kernel.Deps
	pages  *web.Pages
	widget *template.Template
}

// Service keeps tasks.
type Service struct {
	db       *store.DB
	auth     *auth.Service
	obl      kernel.Obligations
	ev       kernel.Evidence
	attester kernel.Attester
	notifier kernel.Notifier
	systems  systemFacts
	now      func() time.Time
	log      *slog.Logger
}

// New returns the module.
func New() *Module { return &Module{Service: &Service{now: time.Now}} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "tasks" }

// Migrations implements kernel.Module: the files in migrations/.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "tasks")
}

// Provision implements kernel.Module.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	s := m.Service
	s.db, s.auth, s.log = d.DB, d.Auth, d.Log
	var err error
	if s.obl, err = kernel.Need[kernel.Obligations](d.Registry, m.Name()); err != nil {
		return err
	}
	if s.ev, err = kernel.Need[kernel.Evidence](d.Registry, m.Name()); err != nil {
		return err
	}
	if s.attester, err = kernel.Need[kernel.Attester](d.Registry, m.Name()); err != nil {
		return err
	}
	if s.notifier, err = kernel.Need[kernel.Notifier](d.Registry, m.Name()); err != nil {
		return err
	}
	s.systems, err = kernel.Need[systemFacts](d.Registry, m.Name())
	return err
}

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	var err error
	if m.pages, err = d.Web.LoadAssets(files, "templates/page_*.html"); err != nil {
		return err
	}
	if m.widget, err = template.New("").Funcs(viewFuncs).ParseFS(files, "templates/part_*.html"); err != nil {
		return err
	}
	s := d.Web
	s.Page("GET /tasks", Read, m.listPage)
	s.Page("GET /tasks/new", Write, m.newPage)
	s.Page("POST /tasks", Write, m.createPage)
	s.Page("GET /tasks/{id}", Read, m.taskPage)
	s.Page("POST /tasks/{id}/comments", Write, m.commentPage)
	s.PageWithLimit("POST /tasks/{id}/evidence", Write, m.ev.UploadLimit()+1<<20, m.evidencePage)
	s.Page("POST /tasks/{id}/status", Write, m.statusPage)
	s.Page("POST /tasks/{id}/close", Write, m.closePage)
	s.API("GET /api/v1/tasks", Read, m.apiList)
	s.API("POST /api/v1/tasks", Write, m.apiCreate)
	s.API("GET /api/v1/tasks/{id}", Read, m.apiGet)
	s.API("POST /api/v1/tasks/{id}/comments", Write, m.apiComment)
	s.API("POST /api/v1/tasks/{id}/evidence", Write, m.apiEvidence)
	s.API("POST /api/v1/tasks/{id}/status", Write, m.apiStatus)
	s.API("POST /api/v1/tasks/{id}/close", Write, m.apiClose)
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.tasks", Path: "/tasks", Perm: Read, Order: 35}}
}

// Widgets implements kernel.Dashboard: the signed-in user's open tasks.
func (m *Module) Widgets() []web.Widget {
	return []web.Widget{{Order: 5, Perm: Read, Render: m.renderWidget}}
}

// Sections implements kernel.SectionProvider: a system's page lists its tasks and offers
// to start one for each of its open findings.
func (m *Module) Sections() []kernel.Section {
	return []kernel.Section{{Page: kernel.PageSystem, Order: 20, Render: m.systemSection}}
}
