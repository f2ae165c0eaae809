package obligations

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
	"ciiguard/internal/web"
)

var widgetFuncs = template.FuncMap{
	"rmb": web.FormatRMB,
	"date": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2006-01-02")
	},
	"pct": func(a, b int) int {
		if b == 0 {
			return 0
		}
		return a * 100 / b
	},
}

type capRow struct {
	Capability string
	Met, Open  int
}

type sysRow struct {
	ID, Name  string
	Open, Met int
	Overdue   int
}

type widgetData struct {
	V        *web.View
	Run      Run
	Overdue  []Finding
	Due30    []Finding
	Due90    []Finding
	Caps     []capRow
	Systems  []sysRow
	Titles   map[string]catalog.Text
	Trend    template.HTML
	Evaluate bool
	Names    map[string]string // system id → name
	Eval     evalLine
}

func (m *Module) renderWidget(r *http.Request) (template.HTML, error) {
	ctx := r.Context()
	fs, run, ok := m.dashboardFindings(ctx)
	if !ok { // nothing evaluated in this process yet: read the stored findings
		var err error
		if fs, err = m.Findings(ctx, Filter{}); err != nil {
			return "", err
		}
		run = summarise(m.Base(), fs)
	}
	c, err := m.Catalog(ctx)
	if err != nil {
		return "", err
	}
	hist, err := m.History(ctx, 60)
	if err != nil {
		return "", err
	}
	v := m.d.Web.NewView(r, "", "")
	d := widgetData{V: v, Run: run, Titles: map[string]catalog.Text{}, Eval: m.evalLine(ctx)}
	now := time.Now()
	caps := map[string]*capRow{}
	sys := map[string]*sysRow{}
	names := map[string]string{}
	if _, systems, err := m.facts.Facts(ctx); err == nil {
		for _, s := range systems {
			names[strconv.FormatInt(s.ID, 10)] = s.Name
		}
	}
	for _, f := range fs {
		ob, ok := c.Obligation(f.ObligationID)
		if !ok || f.Status == rules.StatusNotApplicable {
			continue
		}
		d.Titles[f.ObligationID] = ob.Title
		cr := caps[ob.Capability]
		if cr == nil {
			cr = &capRow{Capability: ob.Capability}
			caps[ob.Capability] = cr
		}
		open := f.Status != rules.StatusMet
		if open {
			cr.Open++
		} else {
			cr.Met++
		}
		if f.SubjectKind == rules.SubjectSystem {
			sr := sys[f.SubjectID]
			if sr == nil {
				sr = &sysRow{ID: f.SubjectID, Name: names[f.SubjectID]}
				sys[f.SubjectID] = sr
			}
			if open {
				sr.Open++
			} else {
				sr.Met++
			}
			if f.Status == rules.StatusOverdue {
				sr.Overdue++
			}
		}
		switch {
		case f.Status == rules.StatusOverdue:
			d.Overdue = append(d.Overdue, f)
		case open && f.Due != nil && f.Due.Before(now.AddDate(0, 0, 30)):
			d.Due30 = append(d.Due30, f)
		case open && f.Due != nil && f.Due.Before(now.AddDate(0, 0, 90)):
			d.Due90 = append(d.Due90, f)
		}
	}
	for _, list := range [][]Finding{d.Overdue, d.Due30, d.Due90} {
		SortUrgent(list)
	}
	d.Overdue, d.Due30, d.Due90 = head(d.Overdue, 8), head(d.Due30, 8), head(d.Due90, 8)
	for _, cr := range caps {
		d.Caps = append(d.Caps, *cr)
	}
	sort.Slice(d.Caps, func(i, j int) bool { return d.Caps[i].Capability < d.Caps[j].Capability })
	for _, sr := range sys {
		if sr.Open > 0 {
			d.Systems = append(d.Systems, *sr)
		}
	}
	sort.Slice(d.Systems, func(i, j int) bool {
		a, b := d.Systems[i], d.Systems[j]
		if a.Overdue != b.Overdue {
			return a.Overdue > b.Overdue
		}
		if a.Open != b.Open {
			return a.Open > b.Open
		}
		return a.Name < b.Name
	})
	if len(d.Systems) > 8 {
		d.Systems = d.Systems[:8]
	}
	d.Names = names
	d.Trend = trendSVG(hist, v)
	d.Evaluate = web.Can(r, Evaluate)
	var buf bytes.Buffer
	if err := m.widget.ExecuteTemplate(&buf, "widget", d); err != nil {
		return "", fmt.Errorf("render obligations widget: %w", err)
	}
	return template.HTML(buf.String()), nil
}

func head(fs []Finding, n int) []Finding {
	if len(fs) > n {
		return fs[:n]
	}
	return fs
}

// trendSVG draws the share of applicable duties met, and the number open, over the
// recorded evaluations, as an inline SVG (no script, no library).
func trendSVG(runs []Run, v *web.View) template.HTML {
	if len(runs) < 2 {
		return template.HTML(`<p class="muted">` + template.HTMLEscapeString(v.T("dash.trend_empty")) + `</p>`)
	}
	const w, h, pad = 320.0, 90.0, 4.0
	maxOpen := 1
	for _, r := range runs {
		if r.Open() > maxOpen {
			maxOpen = r.Open()
		}
	}
	var met, open strings.Builder
	for i, r := range runs {
		x := pad + (w-2*pad)*float64(i)/float64(len(runs)-1)
		share := 0.0
		if r.Applicable() > 0 {
			share = float64(r.Met) / float64(r.Applicable())
		}
		fmt.Fprintf(&met, "%.1f,%.1f ", x, h-pad-(h-2*pad)*share)
		fmt.Fprintf(&open, "%.1f,%.1f ", x, h-pad-(h-2*pad)*float64(r.Open())/float64(maxOpen))
	}
	title := template.HTMLEscapeString(v.T("dash.trend_title"))
	return template.HTML(fmt.Sprintf(`<svg class="trend" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="%s"><title>%s</title>`+
		`<rect x="0" y="0" width="%.0f" height="%.0f" fill="#fafbfc" stroke="#d9dee5"/>`+
		`<polyline fill="none" stroke="#1b7f3b" stroke-width="2" points="%s"/>`+
		`<polyline fill="none" stroke="#b3261e" stroke-width="1.5" stroke-dasharray="4 3" points="%s"/></svg>`+
		`<p class="muted legend"><span style="color:#1b7f3b">━</span> %s &nbsp; <span style="color:#b3261e">┅</span> %s</p>`,
		w, h, title, title, w, h, met.String(), open.String(),
		template.HTMLEscapeString(v.T("dash.trend_met")), template.HTMLEscapeString(v.T("dash.trend_open"))))
}
