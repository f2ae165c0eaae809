package appstore

import (
	"context"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// Permissions of the app store capability. The app store operator is an operator
// organisation (its scope profile says app_store); its roles split the work as a platform
// does: the managers keep the platform's record, its policy and the blacklist, the
// system owners run developer verification and app review, analysts answer complaints.
const (
	// Read shows the platform, developers, apps, reviews and complaints.
	Read auth.Permission = "appstore.read"
	// Manage records the platform (filing, documents, clocks, permission policy), the
	// malicious-app list and the blacklist, and takes apps down or reinstates them.
	Manage auth.Permission = "appstore.manage"
	// Review registers and verifies developers, registers apps, uploads packages, decides
	// reviews and publishes.
	Review auth.Permission = "appstore.review"
	// Complaints assigns, answers and closes users' complaints.
	Complaints auth.Permission = "appstore.complaints"
)

func init() {
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor)
	auth.Grant(Manage, auth.Admin, auth.SecurityManager)
	auth.Grant(Review, auth.Admin, auth.SecurityManager, auth.SystemOwner)
	auth.Grant(Complaints, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst)
}

// Module is the app store capability.
type Module struct {
	*Service
	d      kernel.Deps
	pages  *web.Pages
	ev     kernel.Evidence
	public *publicGuard
}

// New returns the module; nothing is opened until Provision.
func New() *Module { return &Module{Service: &Service{}} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "appstore" }

// Migrations implements kernel.Module.
func (m *Module) Migrations() []store.Migration { return Migrations }

// Provision implements kernel.Module: the evidence store (licences, verification records)
// and the notifier (one-time codes) are looked up in the registry.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	ev, err := kernel.Need[kernel.Evidence](d.Registry, m.Name())
	if err != nil {
		return err
	}
	n, err := kernel.Need[kernel.Notifier](d.Registry, m.Name())
	if err != nil {
		return err
	}
	now, cal := m.Service.Now, m.Service.Calendar
	*m.Service = *NewService(d.DB, ev, n)
	if now != nil {
		m.Service.Now = now
	}
	if cal != nil {
		m.Service.Calendar = cal
	}
	if d.Changes != nil {
		m.Service.changed = func(tx *store.Tx, org int64) { d.Changes.Changed(tx, org, 0) }
	}
	// The threat capability's collections and the regulator's sharing group are optional:
	// without them the capability's own malicious-app list stands alone and take-downs
	// are not shared.
	if tc, err := kernel.Need[kernel.ThreatCollections](d.Registry, m.Name()); err == nil {
		m.Service.threat = tc
	}
	if sh, err := kernel.Need[kernel.ThreatSharing](d.Registry, m.Name()); err == nil {
		m.Service.share = sh
	}
	m.ev = ev
	m.public = newPublicGuard(d.DB, m.Service.Now)
	return nil
}

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	var err error
	if m.pages, err = d.Web.LoadAssets(files, "templates/page_*.html"); err != nil {
		return err
	}
	s := d.Web
	s.Page("GET /appstore", Read, m.platformPage)
	s.Page("POST /appstore/platform", Manage, m.savePlatformPage)
	s.Page("POST /appstore/documents", Manage, m.addDocumentPage)
	s.Page("POST /appstore/documents/{id}/retire", Manage, m.retireDocumentPage)
	s.Page("POST /appstore/malware", Manage, m.addMalwarePage)
	s.Page("POST /appstore/blacklist", Manage, m.blacklistPage)
	s.Page("POST /appstore/blacklist/{id}/lift", Manage, m.liftPage)
	s.Page("GET /appstore/developers", Read, m.developersPage)
	s.Page("POST /appstore/developers", Review, m.registerDeveloperPage)
	s.Page("GET /appstore/developers/{id}", Read, m.developerPage)
	s.Page("POST /appstore/developers/{id}", Review, m.updateDeveloperPage)
	s.Page("POST /appstore/developers/{id}/code", Review, m.sendCodePage)
	s.Page("POST /appstore/developers/{id}/confirm", Review, m.confirmPhonePage)
	s.Page("POST /appstore/developers/{id}/decision", Review, m.decideDeveloperPage)
	s.Page("GET /appstore/apps", Read, m.appsPage)
	s.Page("POST /appstore/apps", Review, m.createAppPage)
	s.Page("GET /appstore/apps/{id}", Read, m.appPage)
	s.Page("POST /appstore/apps/{id}/filing", Review, m.filingPage)
	s.PageWithLimit("POST /appstore/apps/{id}/versions", Review, MaxUpload, m.uploadPage)
	s.Page("POST /appstore/apps/{id}/takedown", Manage, m.takedownPage)
	s.Page("POST /appstore/takedowns/{id}/reinstate", Manage, m.reinstatePage)
	s.Page("POST /appstore/takedowns/{id}/share", Manage, m.shareTakedownPage)
	s.Page("POST /appstore/versions/{id}/review", Review, m.reviewPage)
	s.Page("POST /appstore/versions/{id}/publish", Review, m.publishPage)
	s.Page("POST /appstore/versions/{id}/takedown", Manage, m.takedownVersionPage)
	s.Page("GET /appstore/complaints", Read, m.complaintsPage)
	s.Page("POST /appstore/complaints/{id}", Complaints, m.handleComplaintPage)

	s.Page("GET /public/appstore/{org}/complaints", auth.Public, m.publicFormPage)
	s.PageWithLimit("POST /public/appstore/{org}/complaints", auth.Public, publicMaxBody, m.publicSubmitPage)
	s.Page("GET /public/appstore/pow.js", auth.Public, m.powScript)
	s.Page("GET /public/appstore/{org}/receipt", auth.Public, m.receiptFormPage)
	s.PageWithLimit("POST /public/appstore/{org}/receipt", auth.Public, receiptMaxBody, m.receiptLookupPage)

	s.API("GET /api/v1/appstore/platform", Read, m.apiPlatform)
	s.API("PUT /api/v1/appstore/platform", Manage, m.apiSavePlatform)
	s.API("POST /api/v1/appstore/documents", Manage, m.apiAddDocument)
	s.API("POST /api/v1/appstore/documents/{id}/retire", Manage, withReason(m.RetireDocument))
	s.API("POST /api/v1/appstore/malware", Manage, m.apiAddMalware)
	s.API("POST /api/v1/appstore/blacklist", Manage, m.apiBlacklist)
	s.API("POST /api/v1/appstore/blacklist/{id}/lift", Manage, m.apiLift)
	s.API("GET /api/v1/appstore/developers", Read, m.apiDevelopers)
	s.API("POST /api/v1/appstore/developers", Review, m.apiRegisterDeveloper)
	s.API("GET /api/v1/appstore/developers/{id}", Read, m.apiDeveloper)
	s.API("PUT /api/v1/appstore/developers/{id}", Review, m.apiUpdateDeveloper)
	s.API("POST /api/v1/appstore/developers/{id}/code", Review, m.apiSendCode)
	s.API("POST /api/v1/appstore/developers/{id}/confirm", Review, m.apiConfirmPhone)
	s.API("POST /api/v1/appstore/developers/{id}/decision", Review, m.apiDecideDeveloper)
	s.API("GET /api/v1/appstore/apps", Read, m.apiApps)
	s.API("POST /api/v1/appstore/apps", Review, m.apiCreateApp)
	s.API("GET /api/v1/appstore/apps/{id}", Read, m.apiApp)
	s.API("PUT /api/v1/appstore/apps/{id}/filing", Review, m.apiFiling)
	s.APIWithLimit("POST /api/v1/appstore/apps/{id}/versions", Review, MaxUpload, m.apiUpload)
	s.API("POST /api/v1/appstore/apps/{id}/takedown", Manage, m.apiTakedown)
	s.API("POST /api/v1/appstore/takedowns/{id}/reinstate", Manage, withReason(m.Reinstate))
	s.API("POST /api/v1/appstore/takedowns/{id}/share", Manage, m.apiShareTakedown)
	s.API("POST /api/v1/appstore/versions/{id}/review", Review, m.apiReview)
	s.API("POST /api/v1/appstore/versions/{id}/publish", Review, m.apiPublish)
	s.API("POST /api/v1/appstore/versions/{id}/takedown", Manage, m.apiTakedownVersion)
	s.API("GET /api/v1/appstore/complaints", Read, m.apiComplaints)
	s.API("PUT /api/v1/appstore/complaints/{id}", Complaints, m.apiHandleComplaint)
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.appstore", Path: "/appstore", Perm: Read, Order: 48}}
}

// FactSets implements kernel.FactProvider: the `appstore` variable of the catalog's rules.
func (m *Module) FactSets() []kernel.FactSet {
	return []kernel.FactSet{FactSet(m.Service)}
}
