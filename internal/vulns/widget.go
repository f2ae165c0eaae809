package vulns

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"sort"

	"ciiguard/internal/web"
)

// widgetMax is the most clocks the dashboard card lists; the list page has the rest.
const widgetMax = 8

// widgetClock is one clock on the dashboard card.
type widgetClock struct {
	ID    int64
	Title string
	Row   clockRow
}

// renderWidget shows on the dashboard the organisation's vulnerability clocks without an
// end — overdue ones first, then the soonest due — so that a two-day or 24-hour report is
// seen where people look first; nothing when none runs.
func (m *Module) renderWidget(r *http.Request) (template.HTML, error) {
	vs, err := m.List(r.Context())
	if err != nil {
		return "", err
	}
	var cs []widgetClock
	total := 0
	for _, v := range vs {
		for _, c := range m.row(r, v).Clocks {
			if c.C.State != ClockRunning && c.C.State != ClockOverdue {
				continue
			}
			total++
			cs = append(cs, widgetClock{ID: v.ID, Title: v.Title, Row: c})
		}
	}
	if len(cs) == 0 {
		return "", nil
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Row.C.Due.Before(cs[j].Row.C.Due) })
	if len(cs) > widgetMax {
		cs = cs[:widgetMax]
	}
	v := m.d.Web.NewView(r, "", "")
	var buf bytes.Buffer
	if err := m.widget.ExecuteTemplate(&buf, "widget", map[string]any{"V": v, "Clocks": cs, "More": total - len(cs)}); err != nil {
		return "", fmt.Errorf("render vulnerability widget: %w", err)
	}
	return template.HTML(buf.String()), nil
}

// Widgets implements kernel.Dashboard: the vulnerability clocks, after the incidents' and
// the review's.
func (m *Module) Widgets() []web.Widget {
	return []web.Widget{{Order: -85, Perm: Read, Render: m.renderWidget}}
}
