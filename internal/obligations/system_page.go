package obligations

import (
	"context"
	"html/template"
	"net/http"
	"strconv"

	"ciiguard/internal/catalog"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/web"
)

// Sections implements kernel.SectionProvider: a system's page (the scope capability's)
// shows the system's findings and the attestations on file for it, with their evidence,
// without scope knowing of either.
func (m *Module) Sections() []kernel.Section {
	return []kernel.Section{
		{Page: kernel.PageSystem, Order: 10, Render: m.systemFindingsSection},
		{Page: kernel.PageSystem, Order: 40, Render: m.systemAttestationsSection},
	}
}

// systemNames returns the context's organisation's systems by id (decimal, as findings
// name their subject) and their ids in the order a Chinese reader looks for names (the
// scope capability lists them by pinyin).
func (m *Module) systemNames(ctx context.Context) (map[string]string, []string, error) {
	_, systems, err := m.facts.Facts(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[string]string, len(systems))
	order := make([]string, 0, len(systems))
	for _, s := range systems {
		id := strconv.FormatInt(s.ID, 10)
		names[id] = s.Name
		order = append(order, id)
	}
	return names, order, nil
}

// systemSectionData is what the two sections of a system's page show.
type systemSectionData struct {
	SystemID     string
	Items        []Finding
	Attestations []Attestation
	Titles       map[string]catalog.Text
	Cites        map[string]catalog.Text // penalty id -> citation
	Recommended  map[string]bool
	Open         int
}

func (m *Module) sectionData(r *http.Request, id string) (systemSectionData, error) {
	d := systemSectionData{SystemID: id, Titles: map[string]catalog.Text{}, Cites: map[string]catalog.Text{}, Recommended: map[string]bool{}}
	c, err := m.Catalog(r.Context())
	if err != nil {
		return d, err
	}
	for _, o := range c.Obligations {
		d.Titles[o.ID] = o.Title
		d.Recommended[o.ID] = c.DraftOnly(o)
	}
	for _, p := range c.Penalties {
		d.Cites[p.ID] = c.CitePenalty(p)
	}
	return d, nil
}

// systemFindingsSection lists every finding about one system, the most urgent first:
// status, duty, reason, due date and fine, each duty linked to its page.
func (m *Module) systemFindingsSection(r *http.Request, id string) (template.HTML, error) {
	if !web.Can(r, FindingsRead) {
		return "", nil
	}
	d, err := m.sectionData(r, id)
	if err != nil {
		return "", err
	}
	fs, err := m.Findings(r.Context(), Filter{SubjectKind: string(rules.SubjectSystem), SubjectID: id})
	if err != nil {
		return "", err
	}
	SortUrgent(fs)
	for _, f := range fs {
		if f.Status != rules.StatusNotApplicable {
			d.Items = append(d.Items, f)
			if f.Status != rules.StatusMet && !d.Recommended[f.ObligationID] {
				d.Open++
			}
		}
	}
	v := m.d.Web.NewView(r, "", "")
	v.Data = d
	return m.pages.Fragment("section_system_findings.html", v)
}

// systemAttestationsSection lists the attestations on file for one system, with links
// to their evidence.
func (m *Module) systemAttestationsSection(r *http.Request, id string) (template.HTML, error) {
	if !web.Can(r, FindingsRead) {
		return "", nil
	}
	d, err := m.sectionData(r, id)
	if err != nil {
		return "", err
	}
	all, err := m.Attestations(r.Context(), "")
	if err != nil {
		return "", err
	}
	for _, a := range all {
		if a.SubjectKind == string(rules.SubjectSystem) && a.SubjectID == id {
			d.Attestations = append(d.Attestations, a)
		}
	}
	v := m.d.Web.NewView(r, "", "")
	v.Data = d
	return m.pages.Fragment("section_system_attestations.html", v)
}
