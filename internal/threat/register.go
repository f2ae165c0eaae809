package threat

import (
	"ciiguard/internal/kernel"
)

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	var err error
	if m.pages, err = d.Web.LoadAssets(files, "templates/*.html"); err != nil {
		return err
	}
	s := d.Web
	// The operator's side.
	s.Page("GET /threat", Read, m.homePage)
	s.Page("GET /threat/inbox/{id}", Read, m.inboxPage)
	s.Page("POST /threat/inbox/{id}/acknowledge", Respond, m.acknowledgePage)
	s.Page("POST /threat/inbox/{id}/answer", Respond, m.answerPage)
	s.PageWithLimit("POST /threat/imports", Respond, maxImportBody, m.previewPage)
	s.Page("GET /threat/imports/{id}", Read, m.importPage)
	s.Page("POST /threat/imports/{id}/commit", Respond, m.commitPage)
	s.Page("GET /threat/hits/{id}", Read, m.hitPage)
	s.Page("POST /threat/hits/{id}/triage", Respond, m.triagePage)
	s.Page("POST /threat/hits/{id}/share", Respond, m.sharePage)
	s.Page("POST /threat/settings", Configure, m.settingsPage)
	s.API("GET /api/v1/threat/inbox", Read, m.apiInbox)
	s.API("GET /api/v1/threat/inbox/{id}", Read, m.apiInboxItem)
	s.API("POST /api/v1/threat/inbox/{id}/acknowledge", Respond, m.apiAcknowledge)
	s.API("POST /api/v1/threat/inbox/{id}/answer", Respond, m.apiAnswer)
	s.API("GET /api/v1/threat/indicators", Read, m.apiIndicators)
	s.APIWithLimit("POST /api/v1/threat/imports", Respond, maxImportBody, m.apiPreview)
	s.API("GET /api/v1/threat/imports/{id}", Read, m.apiImport)
	s.API("POST /api/v1/threat/imports/{id}/commit", Respond, m.apiCommit)
	s.API("GET /api/v1/threat/hunts", Read, m.apiHunts)
	s.API("GET /api/v1/threat/hits", Read, m.apiHits)
	s.API("GET /api/v1/threat/hits/{id}", Read, m.apiHit)
	s.API("POST /api/v1/threat/hits/{id}/triage", Respond, m.apiTriage)
	s.API("POST /api/v1/threat/hits/{id}/share", Respond, m.apiShare)
	s.API("PUT /api/v1/threat/settings", Configure, m.apiSettings)

	// The regulator's side.
	s.Page("GET /threat/regulator", Watch, m.regulatorPage)
	s.PageWithLimit("POST /threat/regulator/notifications", Publish, maxPublishBody, m.publishPage)
	s.Page("GET /threat/regulator/notifications/{id}", Watch, m.notificationPage)
	s.API("GET /api/v1/threat/notifications", Watch, m.apiNotifications)
	s.APIWithLimit("POST /api/v1/threat/notifications", Publish, maxPublishBody, m.apiPublish)
	s.API("GET /api/v1/threat/notifications/{id}", Watch, m.apiNotification)
	s.API("GET /api/v1/threat/sightings", Watch, m.apiSightings)
	return nil
}
