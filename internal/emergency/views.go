package emergency

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"ciiguard/internal/web"
)

// widgetData is the dashboard widget: what falls due next.
type widgetData struct {
	V             *web.View
	NextDrill     string // the earliest next-drill date of a drilled system
	NeverDrilled  int    // systems with a plan or backup but no drill
	NextReview    string // the earliest plan review date
	RevisionDue   []Plan
	ReviewOverdue []Plan
	Today         string
}

func (m *Module) renderWidget(r *http.Request) (template.HTML, error) {
	rs, err := m.records(r.Context())
	if err != nil {
		return "", err
	}
	if len(rs.plans) == 0 && len(rs.drills) == 0 && len(rs.backups) == 0 {
		return "", nil
	}
	facts := ComputeFacts(rs, nil, m.Now())
	d := widgetData{V: m.d.Web.NewView(r, "", ""), Today: today(m.Now())}
	for _, f := range facts {
		if f.LastDrill.IsZero() {
			d.NeverDrilled++
			continue
		}
		if s := f.NextDrillDue.Format("2006-01-02"); d.NextDrill == "" || s < d.NextDrill {
			d.NextDrill = s
		}
	}
	for _, p := range rs.plans {
		if p.ReviewOn != "" && (d.NextReview == "" || p.ReviewOn < d.NextReview) {
			d.NextReview = p.ReviewOn
		}
		if p.RevisionDue {
			d.RevisionDue = append(d.RevisionDue, p)
		}
		if p.ReviewOverdue {
			d.ReviewOverdue = append(d.ReviewOverdue, p)
		}
	}
	var buf bytes.Buffer
	if err := m.widget.ExecuteTemplate(&buf, "widget", d); err != nil {
		return "", fmt.Errorf("render emergency widget: %w", err)
	}
	return template.HTML(buf.String()), nil
}

// sectionData is the system page's section.
type sectionData struct {
	V      *web.View
	Facts  Facts
	Plans  []Plan
	Drill  *Drill
	Backup *BackupTest
}

// systemSection shows, on a system's page, the plans that cover it, its last drill and
// its latest backup test.
func (m *Module) systemSection(r *http.Request, id string) (template.HTML, error) {
	if !web.Can(r, Read) {
		return "", nil
	}
	sys, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return "", nil
	}
	rs, err := m.records(r.Context())
	if err != nil {
		return "", err
	}
	d := sectionData{V: m.d.Web.NewView(r, "", ""), Facts: systemFacts(rs.inForce(), sys, m.Now())}
	for _, p := range rs.plans {
		if p.Covers(sys) && !p.Retired() {
			d.Plans = append(d.Plans, p)
		}
	}
	for i := range rs.drills { // newest first
		if covers(rs.drills[i].Systems, sys) {
			d.Drill = &rs.drills[i]
			break
		}
	}
	for i := range rs.backups { // newest first
		if len(rs.backups[i].Systems) > 0 && covers(rs.backups[i].Systems, sys) {
			d.Backup = &rs.backups[i]
			break
		}
	}
	var buf bytes.Buffer
	if err := m.widget.ExecuteTemplate(&buf, "section", d); err != nil {
		return "", fmt.Errorf("render emergency section: %w", err)
	}
	return template.HTML(buf.String()), nil
}
