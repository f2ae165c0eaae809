package obligations_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
)

// TestTrendChartReadable reads the dashboard's trend chart as a user would: axis labels
// (0 %, 50 %, 100 %, the first and last dates), and one focusable point per day with the
// day's date and figures, checked against the history the API gives (the share met worked
// out here, rounded to the nearest per cent).
func TestTrendChartReadable(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "security@grid.demo")
	zh(t, c)
	waitEvaluated(t, c)
	_, body := c.Do("GET", "/api/v1/findings/history?limit=60", nil, nil)
	var raw struct {
		Runs []map[string]any `json:"runs"`
	}
	if err := json.Unmarshal([]byte(body), &raw); err != nil || len(raw.Runs) < 2 {
		t.Fatalf("history: %v %s", err, body)
	}
	_, page := c.Do("GET", "/", nil, nil)
	doc := htmltest.Parse(t, page)
	svg := doc.Root().All("svg", func(n htmltest.Node) bool { v, _ := n.Attr("class"); return v == "trend" })
	if len(svg) != 1 {
		t.Fatalf("%d trend charts on the dashboard", len(svg))
	}
	var axis []string
	for _, tx := range svg[0].All("text", func(n htmltest.Node) bool { v, _ := n.Attr("class"); return v == "axis" }) {
		axis = append(axis, tx.Text())
	}
	bj := time.FixedZone("CST", 8*3600)
	day := func(r map[string]any) string {
		at, _ := time.Parse(time.RFC3339Nano, r["at"].(string))
		return at.In(bj).Format("2006-01-02")
	}
	first, last := raw.Runs[0], raw.Runs[len(raw.Runs)-1]
	for _, want := range []string{"0%", "50%", "100%", day(first), day(last)} {
		found := false
		for _, a := range axis {
			found = found || a == want
		}
		if !found {
			t.Errorf("no axis label %q among %q", want, axis)
		}
	}
	points := svg[0].All("g", func(n htmltest.Node) bool { v, _ := n.Attr("class"); return v == "pt" })
	if len(points) != len(raw.Runs) {
		t.Fatalf("%d points for %d days", len(points), len(raw.Runs))
	}
	for i, r := range raw.Runs {
		if ti, _ := points[i].Attr("tabindex"); ti != "0" {
			t.Errorf("point %d cannot be reached with the keyboard", i)
		}
		n := func(k string) int { return int(r[k].(float64)) }
		applicable := n("met") + n("gap") + n("overdue") + n("needs_attestation")
		pct := (n("met")*200 + applicable) / (2 * applicable) // rounded to the nearest
		open := n("gap") + n("overdue") + n("needs_attestation")
		label, _ := points[i].Attr("aria-label")
		want := fmt.Sprintf("%s：满足率 %d%%（%d/%d），待处理 %d 项", day(r), pct, n("met"), applicable, open)
		if label != want || !strings.Contains(points[i].Text(), want) {
			t.Errorf("point %d says %q, want %q", i, label, want)
		}
	}
}
