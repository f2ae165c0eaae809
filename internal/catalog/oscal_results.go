package catalog

import (
	"fmt"
	"strings"
	"time"

	"ciiguard/internal/rules"
)

// OSCAL assessment-results model (the parts ciiguard writes).
type (
	// OSCALAssessmentResults holds one or more assessment results.
	OSCALAssessmentResults struct {
		UUID     string        `json:"uuid"`
		Metadata OSCALMetadata `json:"metadata"`
		ImportAP OSCALImportAP `json:"import-ap"`
		Results  []OSCALResult `json:"results"`
	}
	// OSCALImportAP points at the assessment plan the results answer.
	OSCALImportAP struct {
		Href string `json:"href"`
	}
	// OSCALResult is one evaluation run.
	OSCALResult struct {
		UUID             string             `json:"uuid"`
		Title            string             `json:"title"`
		Description      string             `json:"description"`
		Start            string             `json:"start"`
		End              string             `json:"end,omitempty"`
		Props            []OSCALProp        `json:"props,omitempty"`
		ReviewedControls OSCALReviewed      `json:"reviewed-controls"`
		Observations     []OSCALObservation `json:"observations,omitempty"`
		Findings         []OSCALFinding     `json:"findings,omitempty"`
	}
	// OSCALReviewed lists the controls the run looked at.
	OSCALReviewed struct {
		ControlSelections []OSCALControlSelection `json:"control-selections"`
	}
	// OSCALControlSelection selects controls by id.
	OSCALControlSelection struct {
		Description     string           `json:"description,omitempty"`
		IncludeControls []OSCALControlID `json:"include-controls,omitempty"`
	}
	// OSCALControlID names one control.
	OSCALControlID struct {
		ControlID string `json:"control-id"`
	}
	// OSCALObservation records what was examined or tested.
	OSCALObservation struct {
		UUID             string            `json:"uuid"`
		Title            string            `json:"title,omitempty"`
		Description      string            `json:"description"`
		Props            []OSCALProp       `json:"props,omitempty"`
		Methods          []string          `json:"methods"`
		Subjects         []OSCALSubjectRef `json:"subjects,omitempty"`
		RelevantEvidence []OSCALEvidence   `json:"relevant-evidence,omitempty"`
		Collected        string            `json:"collected"`
	}
	// OSCALSubjectRef names what an observation is about.
	OSCALSubjectRef struct {
		SubjectUUID string      `json:"subject-uuid"`
		Type        string      `json:"type"`
		Title       string      `json:"title,omitempty"`
		Props       []OSCALProp `json:"props,omitempty"`
	}
	// OSCALEvidence points at evidence.
	OSCALEvidence struct {
		Href        string `json:"href,omitempty"`
		Description string `json:"description"`
	}
	// OSCALFinding is the outcome for one control and subject.
	OSCALFinding struct {
		UUID                string            `json:"uuid"`
		Title               string            `json:"title"`
		Description         string            `json:"description"`
		Props               []OSCALProp       `json:"props,omitempty"`
		Target              OSCALTarget       `json:"target"`
		RelatedObservations []OSCALRelatedObs `json:"related-observations,omitempty"`
	}
	// OSCALTarget is the control objective a finding is about, with its status.
	OSCALTarget struct {
		Type     string            `json:"type"`
		TargetID string            `json:"target-id"`
		Status   OSCALTargetStatus `json:"status"`
	}
	// OSCALTargetStatus is satisfied or not-satisfied.
	OSCALTargetStatus struct {
		State  string `json:"state"`
		Reason string `json:"reason,omitempty"`
	}
	// OSCALRelatedObs links a finding to an observation.
	OSCALRelatedObs struct {
		ObservationUUID string `json:"observation-uuid"`
	}
)

// ResultsOptions describes an assessment-results export.
type ResultsOptions struct {
	ExportOptions
	OrgID      string
	PlanHref   string    // the assessment plan; default "ciiguard-assessment-plan.json"
	Start, End time.Time // evaluation window; Start defaults to Now
}

// ExportResults writes findings as OSCAL assessment-results: one result for the run, the
// evaluated obligations as reviewed controls, and for each finding that applies an
// observation (a TEST for rule checks, an EXAMINE of the attestation evidence otherwise) and a
// finding whose target is the obligation's statement, satisfied when met. The ciiguard status,
// due date and fine range travel as props. not_applicable findings are summarised in a prop
// rather than listed, because OSCAL has no state for them.
func (c *Catalog) ExportResults(findings []rules.Finding, o ResultsOptions) ([]byte, error) {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
		o.Now = now
	}
	start := o.Start
	if start.IsZero() {
		start = now
	}
	href := o.PlanHref
	if href == "" {
		href = "ciiguard-assessment-plan.json"
	}
	runID := deterministicUUID("results", o.OrgID, oscalTime(start))
	res := OSCALResult{
		UUID:        deterministicUUID("result", runID),
		Title:       "ciiguard evaluation " + start.UTC().Format(time.DateOnly),
		Description: fmt.Sprintf("Obligations evaluated by ciiguard for organisation %s.", nonEmpty(o.OrgID)),
		Start:       oscalTime(start),
	}
	if !o.End.IsZero() {
		res.End = oscalTime(o.End)
	}
	seen := map[string]bool{}
	var sel OSCALControlSelection
	counts := map[rules.Status]int{}
	for _, f := range findings {
		if _, ok := c.obligations[f.ObligationID]; !ok {
			return nil, fmt.Errorf("catalog: results: finding for unknown obligation %q", f.ObligationID)
		}
		if !seen[f.ObligationID] {
			seen[f.ObligationID] = true
			sel.IncludeControls = append(sel.IncludeControls, OSCALControlID{ControlID: f.ObligationID})
		}
		counts[f.Status]++
		if f.Status == rules.StatusNotApplicable {
			continue
		}
		ob := c.obligations[f.ObligationID]
		key := []string{runID, f.ObligationID, string(f.SubjectKind), f.SubjectID}
		obs := OSCALObservation{
			UUID:        deterministicUUID(append(key, "observation")...),
			Description: nonEmpty(f.Reason.En + "\n\n" + f.Reason.Zh),
			Methods:     []string{"TEST"},
			Collected:   oscalTime(now),
			Subjects: []OSCALSubjectRef{{
				SubjectUUID: deterministicUUID("subject", o.OrgID, string(f.SubjectKind), f.SubjectID),
				Type:        subjectType(f.SubjectKind),
				Title:       strings.TrimSpace(string(f.SubjectKind) + " " + f.SubjectID),
			}},
		}
		if ob.Attestation != nil {
			obs.Methods = []string{"EXAMINE"}
		}
		for _, h := range f.Evidence {
			obs.RelevantEvidence = append(obs.RelevantEvidence, OSCALEvidence{
				Href: "urn:sha256:" + h, Description: "Attestation evidence attested by " + nonEmpty(f.AttestedBy)})
		}
		fd := OSCALFinding{
			UUID:        deterministicUUID(append(key, "finding")...),
			Title:       bilingualTitle(ob.Title),
			Description: nonEmpty(f.Reason.En),
			Props:       []OSCALProp{prop("status", string(f.Status)), prop("subject-kind", string(f.SubjectKind))},
			Target: OSCALTarget{Type: "statement-id", TargetID: ob.ID + "_smt.en",
				Status: OSCALTargetStatus{State: "not-satisfied"}},
			RelatedObservations: []OSCALRelatedObs{{ObservationUUID: obs.UUID}},
		}
		if f.SubjectID != "" {
			fd.Props = append(fd.Props, prop("subject-id", f.SubjectID))
		}
		if f.Status == rules.StatusMet {
			fd.Target.Status.State = "satisfied"
		} else {
			fd.Target.Status.Reason = strings.ReplaceAll(string(f.Status), "_", "-")
		}
		if f.Due != nil {
			fd.Props = append(fd.Props, prop("due", oscalTime(*f.Due)))
		}
		if f.Penalty != nil {
			p := prop("penalty", f.Penalty.ID)
			p.Remarks = fmt.Sprintf("fine %d-%d", f.Penalty.Min, f.Penalty.Max)
			fd.Props = append(fd.Props, p)
		}
		res.Observations = append(res.Observations, obs)
		res.Findings = append(res.Findings, fd)
	}
	if len(sel.IncludeControls) == 0 {
		return nil, fmt.Errorf("catalog: results for %q: no findings", o.OrgID)
	}
	sel.Description = "Obligations evaluated"
	res.ReviewedControls.ControlSelections = []OSCALControlSelection{sel}
	for _, st := range []rules.Status{rules.StatusMet, rules.StatusGap, rules.StatusOverdue, rules.StatusNeedsAttestation, rules.StatusNotApplicable} {
		res.Props = append(res.Props, prop("count-"+strings.ReplaceAll(string(st), "_", "-"), fmt.Sprint(counts[st])))
	}
	md := o.metadata("ciiguard assessment results for " + nonEmpty(o.OrgID))
	doc := OSCALAssessmentResults{
		UUID:     runID,
		Metadata: md,
		ImportAP: OSCALImportAP{Href: href},
		Results:  []OSCALResult{res},
	}
	return marshalOSCAL("assessment-results", doc)
}

func subjectType(k rules.SubjectKind) string {
	if k == rules.SubjectSystem {
		return "inventory-item"
	}
	return "party"
}
