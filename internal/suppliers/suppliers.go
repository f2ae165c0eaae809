// Package suppliers is the supply-chain capability: the organisation's suppliers (legal name,
// unified social credit code or foreign registration, country, ownership, contacts) and the
// network products and services they provide, with the systems of the inventory where each
// is used and the security certificate of critical network equipment and dedicated security
// products (CSL 2016 Art. 23, 2025 Art. 25; CIIR draft 2017 Art. 30). It implements
// kernel.Products for the other capabilities (the cybersecurity review) and contributes the
// fact set `suppliers` with which the catalog checks the supply-chain duties.
package suppliers

import (
	"context"
	"embed"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json migrations
var files embed.FS

// Permissions of the suppliers capability.
const (
	// Read shows suppliers, products and certificates.
	Read auth.Permission = "suppliers.read"
	// Write records suppliers and products and their certificates: the supply chain is the
	// administrator's, the cybersecurity manager's and the owners' of the systems using them.
	Write auth.Permission = "suppliers.write"
	// Respond lets a supplier organisation's users see and answer the security
	// questionnaires its customers sent it.
	Respond auth.Permission = "suppliers.answer"
	// Share lets a supplier organisation's users keep the certificates and review outcomes
	// of their own products and share them with the operators they supply.
	Share auth.Permission = "suppliers.share"
	// Configure keeps the installation's overrides of the certification catalogue.
	Configure auth.Permission = "catalogue.configure"
)

func init() {
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor)
	auth.Grant(Write, auth.Admin, auth.SecurityManager, auth.SystemOwner)
	auth.Grant(Respond, auth.SupplierUser)
	auth.Grant(Share, auth.SupplierUser)
	// The catalogue is national and the installation's: an override moves every
	// organisation's duty, so it is the installation's operations role's (as a holiday
	// schedule is), never a tenant administrator's.
	auth.Grant(Configure, auth.Operations)
}

// Module is the suppliers capability.
type Module struct {
	*Service
	d     kernel.Deps
	pages *web.Pages
}

// New returns the module.
func New() *Module { return &Module{Service: &Service{}} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "suppliers" }

// Migrations implements kernel.Module: the files in migrations/.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "suppliers")
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
	now := m.Service.Now
	*m.Service = *NewService(d.DB, inv, ev)
	if now != nil {
		m.Service.Now = now
	}
	if d.Auth != nil {
		m.Service.orgs = d.Auth
	}
	if d.Changes != nil {
		m.Service.changed = func(tx *store.Tx, org int64) { d.Changes.Changed(tx, org, 0) }
		m.Service.changedAll = d.Changes.ChangedForAll
	}
	// The cybersecurity review of the products, when the review capability is installed.
	if rs := kernel.All[kernel.ProductReviews](d.Registry); len(rs) == 1 {
		m.Service.reviews = rs[0]
	}
	// The transfers abroad an arrangement's access to data links to, when the data
	// capability is installed.
	if ts := kernel.All[kernel.DataTransfers](d.Registry); len(ts) == 1 {
		m.Service.transfers = ts[0]
	}
	// Follow-up tasks on questionnaire findings, when the tasks capability is installed.
	if ts := kernel.All[kernel.Tasks](d.Registry); len(ts) == 1 {
		m.Service.tasks = ts[0]
	}
	return nil
}

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	var err error
	if m.pages, err = d.Web.LoadAssets(files, "templates/page_*.html"); err != nil {
		return err
	}
	s := d.Web
	s.Page("GET /suppliers", Read, m.listPage)
	s.Page("GET /suppliers/new", Write, m.newPage)
	s.Page("POST /suppliers", Write, m.createPage)
	s.PageWithLimit("POST /suppliers/import", Write, MaxImportBytes+1<<16, m.importPage)
	s.Page("GET /suppliers/{id}", Read, m.supplierPage)
	s.Page("POST /suppliers/{id}", Write, m.updatePage)
	s.Page("POST /suppliers/{id}/products", Write, m.createProductPage)
	s.Page("GET /suppliers/{id}/products/{pid}", Read, m.productPage)
	s.Page("POST /suppliers/{id}/products/{pid}/certificate", Write, m.certificatePage)
	s.Page("POST /suppliers/{id}/products/{pid}/catalogue", Write, m.cataloguePage)
	s.Page("POST /suppliers/{id}/products/{pid}/assessments", Write, m.assessmentPage)
	s.Page("POST /suppliers/{id}/products/{pid}/assessments/{aid}/approve", Write, m.approvePage)
	s.Page("POST /suppliers/{id}/products/{pid}/assessments/{aid}/withdraw", Write, m.withdrawApprovalPage)
	s.Page("POST /suppliers/{id}/agreements", Write, m.agreementPage)
	s.Page("POST /suppliers/{id}/reviews", Write, m.reviewPage)
	s.Page("POST /suppliers/{id}/maintenance", Write, m.maintenancePage)
	s.Page("POST /suppliers/{id}/maintenance/{mid}/report", Write, m.reportPage)
	s.Page("POST /suppliers/{id}/maintenance/{mid}/data", Write, m.dataLinkPage)
	s.Page("POST /suppliers/{id}/platform-org", Write, m.platformOrgPage)
	s.Page("POST /suppliers/{id}/sub-suppliers", Write, m.subSupplierPage)
	s.Page("POST /suppliers/{id}/questionnaires", Write, m.sendQuestionnairePage)
	s.Page("GET /suppliers/{id}/questionnaires/{qid}", Read, m.questionnairePage)
	s.Page("POST /suppliers/{id}/questionnaires/{qid}/decision", Write, m.decidePage)
	s.Page("POST /suppliers/{id}/findings/{fid}/close", Write, m.closeFindingPage)
	s.Page("POST /suppliers/{id}/findings/{fid}/tasks", Write, m.followUpPage)
	s.Page("GET /questionnaire-templates", Read, m.templatesPage)
	s.PageWithLimit("POST /questionnaire-templates", Write, MaxTemplateBytes+1<<16, m.importTemplatePage)
	s.Page("GET /questionnaire-templates/{id}", Read, m.templatePage)
	s.Page("POST /questionnaire-templates/{id}/retire", Write, m.retirePage)
	s.Page("POST /questionnaire-templates/{id}/reinstate", Write, m.reinstatePage)
	s.Page("GET /questionnaires", Respond, m.inboxPage)
	s.Page("GET /questionnaires/{id}", Respond, m.answerPage)
	s.Page("POST /questionnaires/{id}", Respond, m.submitAnswersPage)
	s.Page("GET /credentials", Share, m.credentialsPage)
	s.Page("POST /credentials", Share, m.createCredentialPage)
	s.Page("GET /credentials/{id}", Share, m.credentialPage)
	s.Page("POST /credentials/{id}/shares", Share, m.shareCredentialPage)
	s.Page("POST /credentials/{id}/shares/{operator}/revoke", Share, m.revokeCredentialPage)
	s.Page("GET /shared-credentials", Read, m.sharedCredentialsPage)
	s.Page("GET /shared-credentials/{id}", Read, m.sharedCredentialPage)
	s.Page("GET /product-catalogue", Read, m.catalogueListPage)
	s.Page("GET /catalogue-overrides", Configure, m.overridesPage)
	s.Page("POST /catalogue-overrides/not-applicable", Configure, m.notApplicablePage)
	s.Page("POST /catalogue-overrides/threshold", Configure, m.thresholdPage)
	s.Page("POST /catalogue-overrides/added", Configure, m.addEntryPage)
	s.Page("POST /catalogue-overrides/{code}/withdraw", Configure, m.withdrawPage)
	s.Page("POST /shared-credentials/{id}/links", Write, m.linkCredentialPage)
	s.Page("POST /shared-credentials/{id}/links/{product}/delete", Write, m.unlinkCredentialPage)

	s.API("GET /api/v1/suppliers", Read, m.apiList)
	s.API("POST /api/v1/suppliers", Write, m.apiCreate)
	s.APIWithLimit("POST /api/v1/suppliers/import", Write, MaxImportBytes+1<<10, m.apiImport)
	s.API("GET /api/v1/suppliers/{id}", Read, m.apiGet)
	s.API("PUT /api/v1/suppliers/{id}", Write, m.apiUpdate)
	s.API("POST /api/v1/suppliers/{id}/products", Write, m.apiCreateProduct)
	s.API("GET /api/v1/products", Read, m.apiProducts)
	s.API("GET /api/v1/product-catalogue", Read, m.apiCatalogue)
	s.API("GET /api/v1/products/{id}", Read, m.apiProduct)
	s.API("PUT /api/v1/products/{id}", Write, m.apiUpdateProduct)
	s.API("PUT /api/v1/products/{id}/certificate", Write, m.apiCertificate)
	s.API("POST /api/v1/products/{id}/assessments", Write, m.apiAssessment)
	s.API("POST /api/v1/assessments/{id}/approve", Write, apiAssessmentAction(m, m.ApproveAssessment))
	s.API("POST /api/v1/assessments/{id}/withdraw", Write, apiAssessmentAction(m, m.WithdrawApproval))
	s.API("POST /api/v1/suppliers/{id}/agreements", Write, m.apiAgreement)
	s.API("POST /api/v1/suppliers/{id}/reviews", Write, m.apiReview)
	s.API("POST /api/v1/suppliers/{id}/maintenance", Write, m.apiMaintenance)
	s.API("POST /api/v1/maintenance/{id}/report", Write, m.apiReport)
	s.API("PUT /api/v1/maintenance/{id}/data", Write, m.apiDataLink)
	s.API("PUT /api/v1/suppliers/{id}/platform-org", Write, m.apiPlatformOrg)
	s.API("GET /api/v1/supplier-organisations", Read, m.apiPlatformOrgs)
	s.API("POST /api/v1/suppliers/{id}/sub-suppliers", Write, m.apiSubSupplier)
	s.API("GET /api/v1/suppliers/{id}/questionnaires", Read, m.apiSupplierQuestionnaires)
	s.API("POST /api/v1/suppliers/{id}/questionnaires", Write, m.apiSendQuestionnaire)
	s.API("GET /api/v1/supplier-questionnaires/{id}", Read, m.apiQuestionnaire)
	s.API("POST /api/v1/supplier-questionnaires/{id}/decision", Write, m.apiDecide)
	s.API("POST /api/v1/supplier-findings/{id}/close", Write, m.apiCloseFinding)
	s.API("POST /api/v1/supplier-findings/{id}/tasks", Write, m.apiFollowUp)
	s.API("GET /api/v1/questionnaire-templates", Read, m.apiTemplates)
	s.APIWithLimit("POST /api/v1/questionnaire-templates", Write, MaxTemplateBytes+1<<16, m.apiImportTemplate)
	s.API("GET /api/v1/questionnaire-templates/{id}", Read, m.apiTemplate)
	s.API("POST /api/v1/questionnaire-templates/{id}/retire", Write, m.apiRetireTemplate)
	s.API("POST /api/v1/questionnaire-templates/{id}/reinstate", Write, m.apiReinstateTemplate)
	s.API("GET /api/v1/questionnaires", Respond, m.apiInbox)
	s.API("GET /api/v1/questionnaires/{id}", Respond, m.apiReceived)
	s.API("POST /api/v1/questionnaires/{id}/answers", Respond, m.apiAnswer)
	s.API("GET /api/v1/credentials", Share, m.apiCredentials)
	s.API("POST /api/v1/credentials", Share, m.apiCreateCredential)
	s.API("GET /api/v1/credentials/{id}", Share, m.apiCredential)
	s.API("POST /api/v1/credentials/{id}/shares", Share, m.apiShareCredential)
	s.API("POST /api/v1/credentials/{id}/shares/{operator}/revoke", Share, m.apiRevokeCredential)
	s.API("GET /api/v1/shared-credentials", Read, m.apiSharedCredentials)
	s.API("GET /api/v1/shared-credentials/{id}", Read, m.apiSharedCredential)
	s.API("GET /api/v1/catalogue-overrides", Configure, m.apiOverrides)
	s.API("PUT /api/v1/catalogue-overrides/{code}", Configure, m.apiSetOverride)
	s.API("POST /api/v1/catalogue-overrides/{code}/withdraw", Configure, m.apiWithdrawOverride)
	s.API("POST /api/v1/shared-credentials/{id}/links", Write, m.apiLinkCredential)
	s.API("DELETE /api/v1/shared-credentials/{id}/links/{product}", Write, m.apiUnlinkCredential)
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.suppliers", Path: "/suppliers", Perm: Read, Order: 45},
		{Key: "nav.questionnaires", Path: "/questionnaires", Perm: Respond, Order: 46},
		{Key: "nav.credentials", Path: "/credentials", Perm: Share, Order: 46},
		{Key: "nav.shared_credentials", Path: "/shared-credentials", Perm: Read, Order: 45},
		{Key: "nav.catalogue_overrides", Path: "/catalogue-overrides", Perm: Configure, Order: 90}}
}

// FactSets implements kernel.FactProvider: the `suppliers` variable of the catalog's rules.
func (m *Module) FactSets() []kernel.FactSet {
	return []kernel.FactSet{FactSet(m.Service), SystemFactSet(m.Service)}
}

// SystemFactSet returns the per-system fact set `supply` read from s.
func SystemFactSet(s *Service) kernel.FactSet {
	return kernel.NewSystemFacts("supply", "what the supply-chain register says of each system (maintenance from abroad)", s.SystemFacts)
}

// FactSet returns the suppliers fact set read from s.
func FactSet(s *Service) kernel.FactSet {
	return kernel.NewFacts("suppliers", "suppliers, their products, certificates and agreements", s.Facts)
}
