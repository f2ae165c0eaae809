package oversight

import (
	"html/template"

	"ciiguard/internal/kernel"
	"ciiguard/internal/kernel/reportbundle"
	"ciiguard/internal/web"
)

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	var err error
	if m.pages, err = d.Web.LoadAssets(files, "templates/page_*.html", "templates/part_*.html"); err != nil {
		return err
	}
	if m.widget, err = template.New("widget").ParseFS(files, "templates/widget.html"); err != nil {
		return err
	}
	s := d.Web
	// The operator's side.
	s.Page("GET /filings", Filed, m.filingsPage)
	s.Page("POST /filings/regulator", File, m.setRegulatorPage)
	s.PageWithLimit("POST /filings", File, maxFileBody, m.filePage)
	s.Page("GET /filings/{id}", Filed, m.filingPage)
	s.API("GET /api/v1/filings/regulator", Filed, m.apiRegulator)
	s.API("PUT /api/v1/filings/regulator", File, m.apiSetRegulator)
	s.API("GET /api/v1/filings", Filed, m.apiFiled)
	s.APIWithLimit("POST /api/v1/filings", File, maxFileBody, m.apiFile)
	s.API("GET /api/v1/filings/{id}", Filed, m.apiFiledOne)
	s.API("GET /api/v1/filings/notices", Filed, m.apiReceivedNotices)

	// The regulator's side.
	s.Page("GET /oversight", Inbox, m.inboxPage)
	s.Page("GET /oversight/inbox/{id}", Inbox, m.itemPage)
	s.Page("POST /oversight/inbox/{id}/answer", Answer, m.answerPage)
	s.Page("GET /oversight/inbox/{id}/attachment", Inbox, m.attachment)
	s.API("GET /api/v1/oversight/inbox", Inbox, m.apiInbox)
	s.API("GET /api/v1/oversight/inbox/{id}", Inbox, m.apiItem)
	s.API("POST /api/v1/oversight/inbox/{id}/answers", Answer, m.apiAnswer)
	s.API("GET /api/v1/oversight/inbox/{id}/attachment", Inbox, m.attachment)
	s.API("GET /api/v1/oversight/cases", Inbox, m.apiCases)
	s.API("POST /api/v1/oversight/cases", Penalize, m.apiOpenCase)
	s.API("GET /api/v1/oversight/cases/{id}", Inbox, m.apiCase)
	s.API("PUT /api/v1/oversight/cases/{id}/decision", Penalize, m.apiDecide)
	s.Page("GET /oversight/cases", Inbox, m.casesPage)
	s.Page("POST /oversight/cases", Penalize, m.openCasePage)
	s.Page("GET /oversight/cases/{id}", Inbox, m.casePage)
	s.Page("POST /oversight/cases/{id}/decision", Penalize, m.decidePage)
	s.Page("POST /oversight/cases/{id}/close", Penalize, m.endCasePage((*Service).CloseCase))
	s.Page("POST /oversight/cases/{id}/withdraw", Penalize, m.endCasePage((*Service).WithdrawCase))
	s.API("POST /api/v1/oversight/cases/{id}/close", Penalize, apiRecordAction(m, (*Service).CloseCase))
	s.API("POST /api/v1/oversight/cases/{id}/withdraw", Penalize, apiRecordAction(m, (*Service).WithdrawCase))
	s.API("GET /api/v1/filings/cases", Filed, m.apiReceivedCases)

	// The registry and its identification notices (registry.go, notices.go).
	s.Page("GET /oversight/registry", Inbox, m.registryPage)
	s.Page("POST /oversight/registry", Answer, m.addOperatorPage)
	s.Page("GET /oversight/registry/export", Inbox, m.exportRegistry)
	s.Page("GET /oversight/registry/{id}", Inbox, m.entryPage)
	s.Page("POST /oversight/registry/{id}", Answer, m.updateEntryPage)
	s.Page("POST /oversight/registry/{id}/notices", Answer, m.recordNoticePage)
	s.API("GET /api/v1/oversight/registry", Inbox, m.apiRegistry)
	s.API("POST /api/v1/oversight/registry", Answer, m.apiAddOperator)
	s.API("GET /api/v1/oversight/registry/export", Inbox, m.exportRegistry)
	s.API("GET /api/v1/oversight/registry/{id}", Inbox, m.apiEntry)
	// Signed report bundles filed outside ciiguard (imports.go).
	s.PageWithLimit("POST /oversight/registry/{id}/imports", Answer, reportbundle.MaxSize+1<<16, m.importPage)
	s.APIWithLimit("POST /api/v1/oversight/registry/{id}/imports", Answer, reportbundle.MaxSize+1<<16, m.apiImport)
	s.API("GET /api/v1/oversight/registry/{id}/imports", Inbox, m.apiImports)
	s.Page("GET /oversight/imports/{id}", Inbox, m.importOnePage)
	s.Page("POST /oversight/imports/{id}/answer", Answer, m.answerImportPage)
	s.Page("POST /oversight/imports/{id}/receipt", Answer, m.receipt)
	s.API("GET /api/v1/oversight/imports/{id}", Inbox, m.apiImportOne)
	s.API("POST /api/v1/oversight/imports/{id}/answers", Answer, m.apiAnswerImport)
	s.API("POST /api/v1/oversight/imports/{id}/receipt", Answer, m.receipt)
	s.Page("GET /oversight/imports/{id}/report.pdf", Inbox, m.importFile)
	s.Page("GET /oversight/imports/{id}/report.json", Inbox, m.importFile)
	s.API("PUT /api/v1/oversight/registry/{id}", Answer, m.apiUpdateEntry)
	s.API("POST /api/v1/oversight/registry/{id}/notices", Answer, m.apiRecordNotice)
	// The department's requirement of when annual reports fall due (annual.go).
	s.Page("POST /oversight/registry/annual-setting", Answer, m.setAnnualSettingPage)
	s.API("GET /api/v1/oversight/settings/annual", Inbox, m.apiAnnualSetting)
	s.API("PUT /api/v1/oversight/settings/annual", Answer, m.apiSetAnnualSetting)
	// The dashboard of the home page (dashboard.go).
	s.API("GET /api/v1/oversight/dashboard", Inbox, m.apiDashboard)

	// Inspections (inspections.go, inspection_reads.go, inspection_bundle.go).
	m.registerInspections(s)
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{
		{Key: "nav.filings", Path: "/filings", Perm: Filed, Order: 880},
		{Key: "nav.oversight", Path: "/oversight", Perm: Inbox, Order: 100},
		{Key: "nav.registry", Path: "/oversight/registry", Perm: Inbox, Order: 110},
		{Key: "nav.cases", Path: "/oversight/cases", Perm: Inbox, Order: 120},
		{Key: "nav.inspections", Path: "/oversight/inspections", Perm: Inbox, Order: 115},
	}
}

// Widgets implements kernel.Dashboard: the regulator's inbox counts on its home page.
func (m *Module) Widgets() []web.Widget {
	return []web.Widget{{Order: 5, Perm: Inbox, Render: m.renderWidget}}
}
