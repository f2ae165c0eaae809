package catalog

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"ciiguard/internal/rules"
)

// OSCALVersion is the OSCAL release the exports declare and the tests validate against.
const OSCALVersion = "1.1.2"

// OSCALNamespace qualifies ciiguard's own props and parts, as OSCAL asks of every extension.
const OSCALNamespace = "urn:ciiguard:oscal"

// The OSCAL document model, limited to what ciiguard reads and writes. Field names follow the
// OSCAL JSON format; empty fields are omitted because the schema forbids empty arrays.
type (
	// OSCALMetadata is the metadata block every OSCAL document carries.
	OSCALMetadata struct {
		Title        string      `json:"title"`
		LastModified string      `json:"last-modified"`
		Version      string      `json:"version"`
		OSCALVersion string      `json:"oscal-version"`
		Props        []OSCALProp `json:"props,omitempty"`
		Remarks      string      `json:"remarks,omitempty"`
	}
	// OSCALProp is a name/value property.
	OSCALProp struct {
		Name    string `json:"name"`
		Value   string `json:"value"`
		NS      string `json:"ns,omitempty"`
		Class   string `json:"class,omitempty"`
		Remarks string `json:"remarks,omitempty"`
	}
	// OSCALLink is a link to another resource.
	OSCALLink struct {
		Href string `json:"href"`
		Rel  string `json:"rel,omitempty"`
		Text string `json:"text,omitempty"`
	}
	// OSCALPart is a piece of control text.
	OSCALPart struct {
		ID    string      `json:"id,omitempty"`
		Name  string      `json:"name"`
		NS    string      `json:"ns,omitempty"`
		Class string      `json:"class,omitempty"`
		Title string      `json:"title,omitempty"`
		Props []OSCALProp `json:"props,omitempty"`
		Prose string      `json:"prose,omitempty"`
		Parts []OSCALPart `json:"parts,omitempty"`
	}
	// OSCALControl is a control (for ciiguard, an obligation).
	OSCALControl struct {
		ID       string         `json:"id"`
		Class    string         `json:"class,omitempty"`
		Title    string         `json:"title"`
		Props    []OSCALProp    `json:"props,omitempty"`
		Links    []OSCALLink    `json:"links,omitempty"`
		Parts    []OSCALPart    `json:"parts,omitempty"`
		Controls []OSCALControl `json:"controls,omitempty"`
	}
	// OSCALGroup groups controls (for ciiguard, one instrument).
	OSCALGroup struct {
		ID       string         `json:"id,omitempty"`
		Class    string         `json:"class,omitempty"`
		Title    string         `json:"title"`
		Props    []OSCALProp    `json:"props,omitempty"`
		Parts    []OSCALPart    `json:"parts,omitempty"`
		Groups   []OSCALGroup   `json:"groups,omitempty"`
		Controls []OSCALControl `json:"controls,omitempty"`
	}
	// OSCALCatalog is the catalog model.
	OSCALCatalog struct {
		UUID     string         `json:"uuid"`
		Metadata OSCALMetadata  `json:"metadata"`
		Groups   []OSCALGroup   `json:"groups,omitempty"`
		Controls []OSCALControl `json:"controls,omitempty"`
	}
)

// deterministicUUID derives a version-5-style UUID from a name, so that exporting the same
// catalog twice yields the same identifiers and a diff shows only real changes.
func deterministicUUID(parts ...string) string {
	h := sha1.Sum([]byte("ciiguard\x00" + strings.Join(parts, "\x00")))
	h[6] = (h[6] & 0x0f) | 0x50
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func oscalTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func prop(name, value string) OSCALProp {
	return OSCALProp{Name: name, Value: value, NS: OSCALNamespace}
}

// bilingual renders a Text as one prose string for tools that read a single language.
func bilingual(t Text) string {
	switch {
	case t.Zh == "":
		return t.En
	case t.En == "":
		return t.Zh
	}
	return t.Zh + "\n\n" + t.En
}

// ExportOptions names an export. Version is the catalog release (for example the program's
// version); Now stamps last-modified (zero means time.Now()).
type ExportOptions struct {
	Title   string
	Version string
	Now     time.Time
}

func (o ExportOptions) metadata(defTitle string) OSCALMetadata {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	title, version := o.Title, o.Version
	if title == "" {
		title = defTitle
	}
	if version == "" {
		version = "unversioned"
	}
	return OSCALMetadata{Title: title, LastModified: oscalTime(now), Version: version, OSCALVersion: OSCALVersion}
}

// ExportOSCAL writes the catalog as an OSCAL catalog: one group per instrument (its versions
// as props), one control per obligation with props for article, version, equivalents, binds,
// capability, subject, cadence and penalty, and parts for the Chinese and English statements
// and, where present, the evidence an attestation needs and the rule expressions.
func (c *Catalog) ExportOSCAL(o ExportOptions) ([]byte, error) {
	doc := OSCALCatalog{
		UUID:     deterministicUUID("catalog", o.Title, o.Version),
		Metadata: o.metadata("ciiguard obligations catalog"),
	}
	for _, in := range c.Instruments {
		g := OSCALGroup{ID: strings.ToLower(in.ID), Class: "instrument", Title: bilingualTitle(in.Title)}
		g.Props = append(g.Props, prop("instrument-id", in.ID))
		for _, v := range in.Versions {
			p := prop("version", v.ID)
			p.Remarks = strings.TrimSpace(fmt.Sprintf("adopted %s; in force %s", v.Adopted, v.InForce))
			g.Props = append(g.Props, p)
		}
		if in.Issuer.Zh != "" || in.Issuer.En != "" {
			g.Parts = append(g.Parts, OSCALPart{Name: "issuer", NS: OSCALNamespace, Prose: bilingual(in.Issuer)})
		}
		for _, ob := range c.Find(Filter{Instrument: in.ID}) {
			g.Controls = append(g.Controls, obligationControl(c, ob))
		}
		doc.Groups = append(doc.Groups, g)
	}
	return marshalOSCAL("catalog", doc)
}

func bilingualTitle(t Text) string {
	if t.Zh != "" && t.En != "" {
		return t.Zh + " / " + t.En
	}
	return bilingual(t)
}

func obligationControl(c *Catalog, ob *Obligation) OSCALControl {
	ctl := OSCALControl{ID: ob.ID, Class: "obligation", Title: bilingualTitle(ob.Title)}
	ctl.Props = append(ctl.Props,
		prop("instrument", ob.Instrument),
		prop("version", ob.Version),
		prop("subject", ob.Subject),
		prop("capability", ob.Capability),
		prop("cadence", ob.Cadence),
		prop("title-zh", nonEmpty(ob.Title.Zh)),
		prop("title-en", nonEmpty(ob.Title.En)),
	)
	if ob.Article != "" {
		ctl.Props = append(ctl.Props, prop("article", ob.Article))
	}
	for _, e := range ob.Equivalents {
		p := prop("equivalent", e.Version+" Art. "+e.Article)
		ctl.Props = append(ctl.Props, p)
	}
	for _, b := range ob.Binds {
		ctl.Props = append(ctl.Props, prop("binds", b))
	}
	if p, ok := c.penalties[ob.Penalty]; ok {
		pr := prop("penalty", p.ID)
		unit := "RMB"
		if p.MultipleOf != "" {
			unit = "x " + p.MultipleOf
		}
		pr.Remarks = fmt.Sprintf("Art. %s (%s): %d-%d %s", p.Article, p.Version, p.Fine.Min, p.Fine.Max, unit)
		ctl.Props = append(ctl.Props, pr)
	}
	ctl.Parts = append(ctl.Parts,
		OSCALPart{ID: ob.ID + "_smt.zh", Name: "statement", Class: "zh", Prose: nonEmpty(ob.Summary.Zh)},
		OSCALPart{ID: ob.ID + "_smt.en", Name: "statement", Class: "en", Prose: nonEmpty(ob.Summary.En)},
	)
	if ob.Attestation != nil {
		ctl.Parts = append(ctl.Parts, OSCALPart{ID: ob.ID + "_evidence", Name: "assessment-objective", NS: OSCALNamespace,
			Class: "attestation", Prose: bilingual(ob.Attestation.Evidence),
			Props: []OSCALProp{prop("validity-days", fmt.Sprint(ob.Attestation.ValidityDays))}})
	}
	var rulesParts []OSCALPart
	for _, r := range []struct{ name, expr string }{{"applies", ob.Applies}, {"check", ob.Check}, {"due", ob.Due}} {
		if strings.TrimSpace(r.expr) != "" {
			rulesParts = append(rulesParts, OSCALPart{Name: r.name, NS: OSCALNamespace, Class: "cel", Prose: r.expr})
		}
	}
	if len(rulesParts) > 0 {
		ctl.Parts = append(ctl.Parts, OSCALPart{ID: ob.ID + "_rule", Name: "rule", NS: OSCALNamespace, Parts: rulesParts})
	}
	if ob.Deadline != nil {
		ctl.Parts = append(ctl.Parts, OSCALPart{ID: ob.ID + "_deadline", Name: "deadline", NS: OSCALNamespace, Prose: bilingual(*ob.Deadline)})
	}
	return ctl
}

// nonEmpty keeps OSCAL's "no blank strings" rule for optional texts of custom policies.
func nonEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return strings.TrimSpace(s)
}

func marshalOSCAL(root string, doc any) ([]byte, error) {
	b, err := json.MarshalIndent(map[string]any{root: doc}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("catalog: encode OSCAL %s: %w", root, err)
	}
	return b, nil
}

// OSCAL profile model (the parts ciiguard writes).
type (
	// OSCALProfile selects controls from a catalog.
	OSCALProfile struct {
		UUID     string        `json:"uuid"`
		Metadata OSCALMetadata `json:"metadata"`
		Imports  []OSCALImport `json:"imports"`
		Merge    *OSCALMerge   `json:"merge,omitempty"`
	}
	// OSCALImport names the catalog and the controls taken from it.
	OSCALImport struct {
		Href            string           `json:"href"`
		IncludeControls []OSCALSelection `json:"include-controls,omitempty"`
	}
	// OSCALSelection selects controls by id.
	OSCALSelection struct {
		WithIDs []string `json:"with-ids,omitempty"`
	}
	// OSCALMerge says how the selected controls are arranged.
	OSCALMerge struct {
		AsIs bool `json:"as-is,omitempty"`
	}
)

// ProfileOptions describes an organisation's profile export.
type ProfileOptions struct {
	ExportOptions
	OrgID       string
	CatalogHref string // where the catalog export lives; default "ciiguard-catalog.json"
}

// Applicable returns the ids of obligations that apply to at least one subject in findings
// (any status but not_applicable), sorted.
func Applicable(findings []rules.Finding) []string {
	set := map[string]bool{}
	for _, f := range findings {
		if f.Status != rules.StatusNotApplicable {
			set[f.ObligationID] = true
		}
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// ExportProfile writes an organisation's applicable obligations (for example
// Applicable(findings)) as an OSCAL profile over the catalog export. Ids unknown to the catalog
// are refused, so a stale list cannot produce a profile that points at nothing.
func (c *Catalog) ExportProfile(ids []string, o ProfileOptions) ([]byte, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("catalog: profile for %q: no applicable obligations", o.OrgID)
	}
	sorted := append([]string(nil), ids...)
	sort.Strings(sorted)
	for _, id := range sorted {
		if _, ok := c.obligations[id]; !ok {
			return nil, fmt.Errorf("catalog: profile for %q: no obligation %q", o.OrgID, id)
		}
	}
	href := o.CatalogHref
	if href == "" {
		href = "ciiguard-catalog.json"
	}
	md := o.metadata("Applicable obligations of " + o.OrgID)
	md.Props = []OSCALProp{prop("organisation", nonEmpty(o.OrgID))}
	doc := OSCALProfile{
		UUID:     deterministicUUID("profile", o.OrgID, o.Version, strings.Join(sorted, ",")),
		Metadata: md,
		Imports:  []OSCALImport{{Href: href, IncludeControls: []OSCALSelection{{WithIDs: sorted}}}},
		Merge:    &OSCALMerge{AsIs: true},
	}
	return marshalOSCAL("profile", doc)
}
