package review

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"sort"
)

// renderWidget shows the organisation's running review clocks on the dashboard, the
// soonest last day first; nothing when none runs.
func (m *Module) renderWidget(r *http.Request) (template.HTML, error) {
	cases, err := m.Cases(r.Context())
	if err != nil {
		return "", err
	}
	var clocks []clockView
	for _, c := range cases {
		clk, ok, err := ClockOf(m.Cal, c, m.Now())
		if err != nil {
			return "", err
		}
		if ok {
			clocks = append(clocks, newClockView(c, clk))
		}
	}
	if len(clocks) == 0 {
		return "", nil
	}
	// Paused clocks (no last day) go last; the others by their last day.
	sort.SliceStable(clocks, func(i, j int) bool {
		a, b := clocks[i].Due, clocks[j].Due
		if a.IsZero() != b.IsZero() {
			return b.IsZero()
		}
		return a.Before(b)
	})
	v := m.d.Web.NewView(r, "", "")
	var buf bytes.Buffer
	if err := m.widget.ExecuteTemplate(&buf, "widget", map[string]any{"V": v, "Clocks": clocks}); err != nil {
		return "", fmt.Errorf("render review widget: %w", err)
	}
	return template.HTML(buf.String()), nil
}
