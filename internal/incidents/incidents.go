// Package incidents is the incidents capability: cybersecurity incidents graded by the IRM
// 2025 annex, the reporting clocks of IRM Art. 4 and CIIR Art. 18 counted from detection in
// China time, reports in the regulator's form (first, follow-up, summary) generated from the
// record in Chinese and English, versioned until sent and exported as JSON and PDF, each
// sending recorded on time or late to the minute, and a timeline of everything done. Its
// fact set `incidents` lets the catalog check the reporting duties instead of asking for an
// attestation.
package incidents

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

// Permissions of the incidents capability.
const (
	// Read shows incidents, clocks and reports.
	Read auth.Permission = "incidents.read"
	// Write registers incidents, re-measures impact, raises grades, drafts reports and adds
	// notes and evidence.
	Write auth.Permission = "incidents.write"
	// Send records that a report went to an authority; it stops a clock, so it is the
	// security manager's (and the administrator's).
	Send auth.Permission = "incidents.send"
)

func init() {
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor)
	auth.Grant(Write, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst)
	auth.Grant(Send, auth.Admin, auth.SecurityManager)
}

// Module is the incidents capability.
type Module struct {
	*Service
	d      kernel.Deps
	pages  *web.Pages
	widget *template.Template
	pdf    *cjkfont.Loader // the installation's CJK font (cjkfont.Default)
	// tasks lists the remediation tasks linked to an incident ("incident:<id>") when the
	// installation has a tasks capability (kernel.Tasks); nil shows none.
	tasks kernel.Tasks
	// majorFull and majorMain are the unconfirmed 重大 outage thresholds (flags).
	majorFull, majorMain time.Duration
}

// New returns the module.
func New() *Module { return &Module{Service: &Service{Now: time.Now}, pdf: cjkfont.Default} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "incidents" }

// Migrations implements kernel.Module: the files in migrations/.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "incidents")
}

// Flags implements kernel.Configurable: the grading thresholds the brief could not confirm,
// and the CJK font the PDF reports embed.
func (m *Module) Flags(fs *flag.FlagSet) {
	fs.DurationVar(&m.majorFull, "incident-major-full-outage", 2*time.Hour, "UNCONFIRMED 重大 threshold: CII wholly out of service this long (2023 draft: 2h)")
	fs.DurationVar(&m.majorMain, "incident-major-main-outage", 6*time.Hour, "UNCONFIRMED 重大 threshold: CII main function out of service this long (2023 draft: 6h)")
	cjkfont.Flag(fs)
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
	if m.majorFull == 0 {
		m.majorFull = 2 * time.Hour
	}
	if m.majorMain == 0 {
		m.majorMain = 6 * time.Hour
	}
	now := m.Service.Now
	*m.Service = *NewService(d.DB, inv, ev)
	if now != nil {
		m.Service.Now = now
	}
	m.Service.Thresholds = DefaultThresholds(m.majorFull, m.majorMain)
	m.Service.log = d.Log
	// Alerts go through the installation's notifier when it has one (kernel.Notifier).
	if ns := kernel.All[kernel.Notifier](d.Registry); len(ns) == 1 {
		m.Service.notices = &notices{to: ns[0], sent: map[string]bool{}}
	}
	if ts := kernel.All[kernel.Tasks](d.Registry); len(ts) == 1 {
		m.tasks = ts[0]
	}
	if ss := kernel.All[kernel.Submissions](d.Registry); len(ss) == 1 {
		m.Service.subs = ss[0]
	}
	if d.Changes != nil {
		m.Service.changed = func(tx *store.Tx, org int64) { d.Changes.Changed(tx, org, 0) }
		m.Service.ranOut = func(ctx context.Context, org int64) { d.Changes.ChangedNow(ctx, org, 0) }
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
	s.Page("GET /incidents", Read, m.listPage)
	s.Page("GET /incidents/new", Write, m.newPage)
	s.Page("POST /incidents", Write, m.createPage)
	s.Page("GET /incidents/{id}", Read, m.detailPage)
	s.Page("POST /incidents/{id}/impact", Write, m.impactPage)
	s.Page("POST /incidents/{id}/grade", Write, m.gradePage)
	s.Page("POST /incidents/{id}/close", Write, m.closePage)
	s.Page("POST /incidents/{id}/notes", Write, m.notePage)
	s.Page("POST /incidents/{id}/evidence", Write, m.evidencePage)
	s.Page("POST /incidents/{id}/tasks", Write, m.taskPage)
	s.Page("POST /incidents/{id}/reports", Write, m.newReportPage)
	s.Page("GET /incidents/{id}/reports/{rid}", Read, m.reportPage)
	s.Page("POST /incidents/{id}/reports/{rid}", Write, m.saveReportPage)
	s.Page("POST /incidents/{id}/reports/{rid}/send", Send, m.sendPage)
	s.Page("GET /incidents/{id}/reports/{rid}/pdf", Read, m.reportPDF)

	s.API("GET /api/v1/incidents", Read, m.apiList)
	s.API("POST /api/v1/incidents", Write, m.apiCreate)
	s.API("GET /api/v1/incidents/{id}", Read, m.apiGet)
	s.API("POST /api/v1/incidents/{id}/grade", Write, m.apiGrade)
	s.API("POST /api/v1/incidents/{id}/close", Write, m.apiClose)
	s.API("POST /api/v1/incidents/{id}/tasks", Write, m.apiAddTask)
	s.API("POST /api/v1/incidents/{id}/reports", Write, m.apiNewReport)
	s.API("GET /api/v1/incidents/{id}/reports/{rid}", Read, m.apiReport)
	s.API("PUT /api/v1/incidents/{id}/reports/{rid}", Write, m.apiSaveReport)
	s.API("POST /api/v1/incidents/{id}/reports/{rid}/send", Send, m.apiSend)
	s.API("GET /api/v1/incidents/{id}/reports/{rid}/pdf", Read, m.reportPDF)
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.incidents", Path: "/incidents", Perm: Read, Order: 15}}
}

// Widgets implements kernel.Dashboard: the running clocks come first on the home page.
func (m *Module) Widgets() []web.Widget {
	return []web.Widget{{Order: -100, Perm: Read, Render: m.renderWidget}}
}

// FactSets implements kernel.FactProvider: the `incidents` variable of the catalog's rules.
func (m *Module) FactSets() []kernel.FactSet {
	return []kernel.FactSet{FactSet(m.Service)}
}

// FactSet returns the incidents fact set read from s.
func FactSet(s *Service) kernel.FactSet {
	return kernel.NewFacts("incidents", "incidents, reporting clocks and reports", s.Facts)
}
