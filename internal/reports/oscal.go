package reports

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"ciiguard/internal/calendar"
	"ciiguard/internal/catalog"
)

// oscalSpace is the name space of the report's OSCAL UUIDs: name-based (version 5), so
// that one version of a report always gives the same document.
var oscalSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:ciiguard:reports:oscal"))

func oscalUUID(parts ...string) string {
	return uuid.NewSHA1(oscalSpace, []byte(strings.Join(parts, "\x00"))).String()
}

// OSCAL writes a report version as OSCAL 1.1.2 assessment-results (the catalog's types):
// one result for the report's period, the duties it found open as findings (target the
// duty, state not-satisfied, the reason and the citation in both languages), the area
// counts as the result's properties, and the report's JSON SHA-256 in the metadata so that
// the two are tied. What OSCAL has no place for (the records of the year, the log vault,
// the assessor's sections) stays in the JSON and the PDF.
func OSCAL(c *Content, sha string) ([]byte, error) {
	doc := fmt.Sprintf("%s:%d:%d:%s", c.Organisation.USCC, c.Year, c.Version, sha)
	title := Title(c.Kind, c.Year)
	res := catalog.OSCALResult{
		UUID:        oscalUUID(doc, "result"),
		Title:       title.En + " / " + title.Zh,
		Description: fmt.Sprintf("Findings of %s (%s), %s to %s, as its assessment report states them.", c.Organisation.NameEn, c.Organisation.NameZh, c.From, c.To),
		Start:       chinaDayUTC(c.From, 0),
		End:         chinaDayUTC(c.To, 24*time.Hour-time.Second),
		Props: []catalog.OSCALProp{
			{Name: "met", NS: "urn:ciiguard", Value: strconv.Itoa(c.Findings.Totals.Met)},
			{Name: "gap", NS: "urn:ciiguard", Value: strconv.Itoa(c.Findings.Totals.Gap)},
			{Name: "overdue", NS: "urn:ciiguard", Value: strconv.Itoa(c.Findings.Totals.Overdue)},
			{Name: "not-applicable", NS: "urn:ciiguard", Value: strconv.Itoa(c.Findings.Totals.NotApplicable)},
		},
	}
	sel := catalog.OSCALControlSelection{Description: "The duties of the obligations catalog the report found open."}
	for _, d := range c.Findings.Open {
		sel.IncludeControls = append(sel.IncludeControls, catalog.OSCALControlID{ControlID: d.ObligationID})
		res.Findings = append(res.Findings, catalog.OSCALFinding{
			UUID:        oscalUUID(doc, "finding", d.ObligationID),
			Title:       d.Title.En + " / " + d.Title.Zh,
			Description: strings.TrimSpace(d.Citation.En + " / " + d.Citation.Zh + "\n\n" + d.Reason.En + "\n\n" + d.Reason.Zh),
			Props: []catalog.OSCALProp{
				{Name: "status", NS: "urn:ciiguard", Value: d.Status},
				{Name: "subjects", NS: "urn:ciiguard", Value: strconv.Itoa(d.Subjects)},
			},
			Target: catalog.OSCALTarget{Type: "objective-id", TargetID: d.ObligationID, Status: catalog.OSCALTargetStatus{State: "not-satisfied", Reason: d.Status}},
		})
	}
	if len(sel.IncludeControls) == 0 {
		sel.Description = "No duty was found open."
	}
	res.ReviewedControls.ControlSelections = []catalog.OSCALControlSelection{sel}
	out := map[string]catalog.OSCALAssessmentResults{"assessment-results": {
		UUID: oscalUUID(doc),
		Metadata: catalog.OSCALMetadata{Title: title.En + " / " + title.Zh, LastModified: c.GeneratedAt.UTC().Format("2006-01-02T15:04:05Z"),
			Version: strconv.Itoa(c.Version), OSCALVersion: catalog.OSCALVersion,
			Props: []catalog.OSCALProp{{Name: "report-json-sha256", NS: "urn:ciiguard", Value: sha}, {Name: "uscc", NS: "urn:ciiguard", Value: c.Organisation.USCC}}},
		ImportAP: catalog.OSCALImportAP{Href: "#ciiguard-obligations-catalog"},
		Results:  []catalog.OSCALResult{res},
	}}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return nil, fmt.Errorf("encode the report as OSCAL: %w", err)
	}
	return b, nil
}

// chinaDayUTC is the moment off after the start of a China day (YYYY-MM-DD) in UTC: the
// schema's date-time pattern takes Z where it means to take +08:00 (its escaped "\\+").
func chinaDayUTC(day string, off time.Duration) string {
	d, err := time.ParseInLocation(time.DateOnly, day, calendar.Shanghai)
	if err != nil {
		return ""
	}
	return d.Add(off).UTC().Format("2006-01-02T15:04:05Z")
}

// oscal answers one version as OSCAL assessment-results.
func (m *Module) oscal(w http.ResponseWriter, r *http.Request) error {
	id, v, err := versionParams(r)
	if err != nil {
		return err
	}
	rep, ver, err := m.Version(r.Context(), id, v)
	if err != nil {
		return err
	}
	c, err := ver.Decode()
	if err != nil {
		return err
	}
	b, err := OSCAL(&c, ver.SHA256)
	if err != nil {
		return err
	}
	return download(w, rep, ver, "oscal-assessment-results.json", b)
}
