package incidents

import (
	"context"
	"strconv"
	"time"

	"ciiguard/internal/kernel"
)

// Incidents opened by other capabilities (kernel.Incidents): the threat capability opens one
// when an indicator is sighted in the organisation's logs.

var _ kernel.Incidents = (*Module)(nil)

// OpenFromSighting implements kernel.Incidents: the sighting is recorded as a person would
// record it (validated, graded, routed, audited), reported by the context's actor, and raised
// to s.RaiseTo when given, so that its first-report clock runs from the detection.
func (m *Module) OpenFromSighting(ctx context.Context, s kernel.SightingIncident) (kernel.IncidentRef, error) {
	// The caller's clock may run ahead of this capability's (a test or demo clock): a
	// detection is never recorded in this capability's future.
	if now := m.Service.now(); s.DetectedAt.After(now) {
		s.DetectedAt = now
	}
	in, err := m.Service.Create(ctx, Input{Title: s.Title, Description: s.Description, Type: s.Type, Subtype: s.Subtype,
		DetectedAt: s.DetectedAt.UTC().Format(time.RFC3339), Systems: s.Systems, Reporter: "ciiguard"})
	if err != nil {
		return kernel.IncidentRef{}, err
	}
	if s.RaiseTo != "" {
		if g, ok := ParseGrade(s.RaiseTo); ok && g > in.Grade() {
			if in, err = m.Service.RaiseGrade(ctx, in.ID, s.RaiseTo, s.RaiseReason); err != nil {
				return kernel.IncidentRef{}, err
			}
		}
	}
	return refOf(in), nil
}

// Incident implements kernel.Incidents.
func (m *Module) Incident(ctx context.Context, id int64) (kernel.IncidentRef, error) {
	in, err := m.Service.Get(ctx, id)
	if err != nil {
		return kernel.IncidentRef{}, err
	}
	return refOf(in), nil
}

func refOf(in Incident) kernel.IncidentRef {
	ref := kernel.IncidentRef{ID: in.ID, Path: "/incidents/" + strconv.FormatInt(in.ID, 10), Title: in.Title,
		Grade: in.Grade().Code(), Open: in.Status == StatusOpen}
	if in.Grade().Reportable() {
		due := FirstReportDue(in.DetectedAt, RouteByCode(in.Route))
		ref.FirstReportDue = &due
	}
	return ref
}
