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

	"ciiguard/internal/calendar"
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
		return t.In(calendar.Shanghai).Format("2006-01-02") // the Beijing day, as every page shows it
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
	V       *web.View
	Run     Run
	Overdue []Finding
	Due30   []Finding
	Due90   []Finding
	// OverdueN, Due30N and Due90N count each list in full; the card shows the first 8.
	OverdueN, Due30N, Due90N int
	Caps                     []capRow
	Systems                  []sysRow
	Titles                   map[string]catalog.Text
	Trend                    template.HTML
	Evaluate                 bool
	Names                    map[string]string // system id → name
	Eval                     evalLine
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
		shown := shownStatus(c, f)
		// Counted as the findings list counts them (shownStatus, isOpen, dueWindow), so
		// that each number here is the length of the list it links to.
		if !ok || f.Status == rules.StatusNotApplicable || shown == shownRecommended {
			continue
		}
		d.Titles[f.ObligationID] = ob.Title
		cr := caps[ob.Capability]
		if cr == nil {
			cr = &capRow{Capability: ob.Capability}
			caps[ob.Capability] = cr
		}
		open := isOpen(shown)
		if open {
			cr.Open++
		} else if f.Status == rules.StatusMet {
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
			} else if f.Status == rules.StatusMet {
				sr.Met++
			}
			if f.Status == rules.StatusOverdue {
				sr.Overdue++
			}
		}
		switch dueWindow(shown, f.Due, now) {
		case "overdue":
			d.Overdue = append(d.Overdue, f)
		case "30":
			d.Due30 = append(d.Due30, f)
		case "30-90":
			d.Due90 = append(d.Due90, f)
		}
	}
	for _, list := range [][]Finding{d.Overdue, d.Due30, d.Due90} {
		SortUrgent(list)
	}
	d.OverdueN, d.Due30N, d.Due90N = len(d.Overdue), len(d.Due30), len(d.Due90)
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

// trendSVG draws the share of applicable duties met (left axis, 0–100 %) and the number
// open (right axis, 0 to the largest) over the recorded evaluations, as an inline SVG (no
// script, no library). The first, middle and last dates label the time axis; each
// evaluation is a point that can be hovered or reached with the keyboard (tabindex) and
// shows its date and values, and a table with the same figures follows for screen
// readers and print.
func trendSVG(runs []Run, v *web.View) template.HTML {
	if len(runs) < 2 {
		return template.HTML(`<p class="muted">` + template.HTMLEscapeString(v.T("dash.trend_empty")) + `</p>`)
	}
	const w, h = 340.0, 150.0
	const left, right, top, bottom = 34.0, 30.0, 8.0, 24.0
	pw, ph := w-left-right, h-top-bottom
	maxOpen := 1
	for _, r := range runs {
		if r.Open() > maxOpen {
			maxOpen = r.Open()
		}
	}
	esc := template.HTMLEscapeString
	day := func(r Run) string { return r.At.In(calendar.Shanghai).Format("2006-01-02") }
	x := func(i int) float64 { return left + pw*float64(i)/float64(len(runs)-1) }
	share := func(r Run) float64 {
		if r.Applicable() == 0 {
			return 0
		}
		return float64(r.Met) / float64(r.Applicable())
	}
	var b, met, open, points, rows strings.Builder
	for i, r := range runs {
		ym := top + ph*(1-share(r))
		yo := top + ph*(1-float64(r.Open())/float64(maxOpen))
		fmt.Fprintf(&met, "%.1f,%.1f ", x(i), ym)
		fmt.Fprintf(&open, "%.1f,%.1f ", x(i), yo)
		label := v.T("dash.trend_point", day(r), int(share(r)*100+0.5), r.Met, r.Applicable(), r.Open())
		anchor := "middle"
		if i == 0 {
			anchor = "start"
		} else if i == len(runs)-1 {
			anchor = "end"
		}
		fmt.Fprintf(&points, `<g class="pt" tabindex="0" role="img" aria-label="%s"><title>%s</title>`+
			`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="transparent"/>`+
			`<circle cx="%.1f" cy="%.1f" r="2.5" fill="#1b7f3b"/><circle cx="%.1f" cy="%.1f" r="2" fill="#b3261e"/>`+
			`<text class="pt-label" x="%.1f" y="%.1f" text-anchor="%s">%s</text></g>`,
			esc(label), esc(label), x(i)-pw/float64(2*(len(runs)-1)), top, pw/float64(len(runs)-1), ph,
			x(i), ym, x(i), yo, x(i), top+9, anchor, esc(label))
		fmt.Fprintf(&rows, "<tr><td>%s</td><td>%d%%</td><td>%s</td><td>%s</td></tr>", esc(day(r)), int(share(r)*100+0.5), esc(v.Num(r.Met)), esc(v.Num(r.Open())))
	}
	title := esc(v.T("dash.trend_title"))
	fmt.Fprintf(&b, `<figure class="trend-figure"><svg class="trend" viewBox="0 0 %.0f %.0f" width="100%%" role="group" aria-label="%s"><title>%s</title>`, w, h, title, title)
	// Axes, their gridlines and labels: 0, 50 and 100 %% met on the left; 0 and the most
	// open items on the right; dates below.
	for _, p := range []float64{0, 0.5, 1} {
		y := top + ph*(1-p)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#d9dee5"/><text class="axis" x="%.1f" y="%.1f" text-anchor="end">%d%%</text>`,
			left, y, left+pw, y, left-4, y+3, int(p*100))
	}
	fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="start">%s</text><text class="axis" x="%.1f" y="%.1f" text-anchor="start">0</text>`,
		left+pw+4, top+3, esc(v.Num(maxOpen)), left+pw+4, top+ph+3)
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#5b6878"/>`, left, top+ph, left+pw, top+ph)
	for _, i := range []int{0, (len(runs) - 1) / 2, len(runs) - 1} {
		anchor := map[bool]string{true: "start", false: "middle"}[i == 0]
		if i == len(runs)-1 {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="%s">%s</text>`, x(i), h-6, anchor, esc(day(runs[i])))
	}
	fmt.Fprintf(&b, `<polyline fill="none" stroke="#1b7f3b" stroke-width="2" points="%s"/>`+
		`<polyline fill="none" stroke="#b3261e" stroke-width="1.5" stroke-dasharray="4 3" points="%s"/>%s</svg>`,
		met.String(), open.String(), points.String())
	fmt.Fprintf(&b, `<figcaption class="muted legend"><span style="color:#1b7f3b">━</span> %s &nbsp; <span style="color:#b3261e">┅</span> %s</figcaption>`,
		esc(v.T("dash.trend_met")), esc(v.T("dash.trend_open")))
	fmt.Fprintf(&b, `<details class="trend-table"><summary>%s</summary><div class="table-wrap"><table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table></div></details></figure>`,
		esc(v.T("dash.trend_table")), esc(v.T("dash.trend_date")), esc(v.T("dash.trend_met")), esc(v.T("status.met")), esc(v.T("dash.trend_open")), rows.String())
	return template.HTML(b.String())
}
