// Package oversight is the regulator's workspace and the operator's side of it: what an
// operator files with its protection-work department (保护工作部门, CIIR 2021 Art. 3) —
// annual reports, incident reports, change reports, review cases, standard-contract
// filings — kept immutably as submissions, the regulator's inbox with its clocks and
// answers, the registry of operators the regulator supervises with the identification
// notices it records, its penalty cases, and its inspections (CIIR 2021 Arts 26–28): the
// one way it reads an operator's own records, inside a scope and a time box, every read
// recorded on both sides, reproduced as a signed bundle (ciiguard bundle verify).
//
// Outside an inspection the regulator never reads an operator's records: it sees what it
// recorded itself and what the operator submitted. A submission is stored in the
// regulator's tenant (it is the regulator's record once filed), with a receipt in the
// operator's tenant; the operator reads its submissions and their answers through its
// receipts, the regulator through its own tenant. Other capabilities file through kernel.Submissions.
package oversight

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

// Permissions of the oversight capability.
const (
	// Inbox shows the regulator its inbox, its registry and its cases.
	Inbox auth.Permission = "oversight.inbox"
	// Answer acknowledges, asks for more information on, or accepts a submission, and
	// keeps the registry (operators, identification notices).
	Answer auth.Permission = "oversight.answer"
	// Penalize opens and decides penalty cases.
	Penalize auth.Permission = "oversight.penalize"
	// Filed shows an operator what it filed and the regulator's answers.
	Filed auth.Permission = "oversight.filed"
	// File names the operator's protection-work department and files submissions, and
	// answers an inspection with the operator's response.
	File auth.Permission = "oversight.file"
	// Inspect opens inspections, reads the operator's records inside an open inspection's
	// scope and time box, reproduces them, and records findings, orders to correct, and
	// refusals or obstruction (CIIR 2021 Arts 26–28, 42).
	Inspect auth.Permission = "oversight.inspect"
)

func init() {
	auth.Grant(Inbox, auth.RegulatorAdmin, auth.RegulatorAnalyst, auth.Inspector)
	auth.Grant(Answer, auth.RegulatorAdmin, auth.RegulatorAnalyst)
	auth.Grant(Penalize, auth.RegulatorAdmin)
	auth.Grant(Filed, auth.Admin, auth.SecurityManager, auth.Auditor)
	auth.Grant(File, auth.Admin, auth.SecurityManager)
	auth.Grant(Inspect, auth.RegulatorAdmin, auth.Inspector)
}

// Module is the oversight capability.
type Module struct {
	*Service
	d      kernel.Deps
	pages  *web.Pages
	widget *template.Template
}

// New returns the module.
func New() *Module { return &Module{Service: &Service{Now: time.Now}} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "oversight" }

// Migrations implements kernel.Module.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "oversight")
}

var _ kernel.Submissions = (*Module)(nil)

// Provision implements kernel.Module.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	m.Service.db, m.Service.auth = d.DB, d.Auth
	if ev, err := kernel.Need[kernel.Evidence](d.Registry, m.Name()); err == nil {
		m.Service.ev = ev
	}
	if id, err := kernel.Need[kernel.Identification](d.Registry, m.Name()); err == nil {
		m.Service.ident = id
	}
	m.Service.inspectable = kernel.All[kernel.Inspectable](d.Registry)
	if vs := kernel.All[kernel.VaultEvents](d.Registry); len(vs) == 1 {
		m.Service.logs = vs[0]
	}
	if cs := kernel.All[kernel.EvidenceContent](d.Registry); len(cs) == 1 {
		m.Service.content = cs[0]
	}
	if ks := kernel.All[kernel.InstallationKey](d.Registry); len(ks) == 1 {
		m.Service.key = ks[0]
	}
	if d.Changes != nil {
		m.Service.changed = func(tx *store.Tx, org int64) { d.Changes.Changed(tx, org, 0) }
	}
	return nil
}
