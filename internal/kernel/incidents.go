package kernel

import (
	"context"
	"time"
)

// SightingIncident is an incident another capability opens from a sighting: an indicator of
// compromise seen in the organisation's logs (the threat capability's hits).
type SightingIncident struct {
	Title       string
	Description string
	// Type and Subtype are the GB/T 20986-2023 category and subcategory codes the
	// incidents capability uses ("malware"/"botnet", "attack"/"phishing" …).
	Type, Subtype string
	// DetectedAt is when the sighting was found (not when the event happened).
	DetectedAt time.Time
	// Systems are the organisation's inventory systems it touches (a leaked data asset's
	// systems, say): one identified as CII puts the incident on the 1-hour route.
	Systems []int64
	// RaiseTo, when not empty, is a grade code ("relatively_major" …) the incident is raised
	// to at once, with RaiseReason: a regulator's warning of a serious threat makes the
	// sighting reportable before any impact is measured.
	RaiseTo, RaiseReason string
}

// IncidentRef is what another capability shows of an incident.
type IncidentRef struct {
	ID    int64  `json:"id"`
	Path  string `json:"path"` // the incident's page ("/incidents/42")
	Title string `json:"title"`
	Grade string `json:"grade"` // grade code in force
	Open  bool   `json:"open"`  // handling has not ended
	// FirstReportDue is the first report's deadline while the incident is reportable.
	FirstReportDue *time.Time `json:"first_report_due,omitempty"`
}

// Incidents opens incidents for other capabilities and tells their state. The incidents
// capability implements it; where it is absent a sighting stays an alert.
type Incidents interface {
	// OpenFromSighting records an incident for the context's organisation, by the context's
	// audit actor, graded and routed like one a person records, and returns it.
	OpenFromSighting(ctx context.Context, s SightingIncident) (IncidentRef, error)
	// Incident is one of the context's organisation's incidents: store.ErrNotFound when it
	// is not theirs.
	Incident(ctx context.Context, id int64) (IncidentRef, error)
}
