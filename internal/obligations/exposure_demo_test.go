package obligations_test

import (
	"encoding/json"
	"html"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/obligations"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestDemoExposureShowsHowItIsBuilt evaluates the demo operator today (after 2026-01-01, so the
// CSL 2025 text applies) and checks the exposure the API and the findings page show against
// the amounts of the articles (CSL 2025 Art. 61(1) "可以处一万元以上五万元以下罚款", Art. 61(2)
// "可以处五万元以上十万元以下罚款"; DSL Art. 45 "可以并处五万元以上五十万元以下罚款"), not against
// the code: every counted row is one clause at its order tier, the total is the sum of the rows,
// the CIIR 2021 Art. 39 finding on the same conduct is listed but not added, and the draft-only
// duty is recommended, not a gap.
func TestDemoExposureShowsHowItIsBuilt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		res, body := c.Do("GET", "/api/v1/findings", nil, nil)
		var a struct {
			Findings []obligations.Finding `json:"findings"`
			Summary  obligations.Run       `json:"summary"`
			Exposure obligations.Exposure  `json:"exposure"`
		}
		if err := json.Unmarshal([]byte(body), &a); err != nil || res.StatusCode != 200 {
			t.Fatalf("findings: %d %v", res.StatusCode, err)
		}
		// The ranges the texts set for the order tier of each clause the demo breaches.
		text := map[string][2]int64{"CSL-2025-61-1": {10000, 50000}, "CSL-2025-61-2": {50000, 100000}, "DSL-2021-45": {50000, 500000}}
		var min, max int64
		for _, r := range a.Exposure.Rows {
			want, ok := text[r.Penalty.ID]
			if !ok {
				t.Errorf("row %s is not a clause the demo breaches today", r.Penalty.ID)
				continue
			}
			if r.Tier.Fine.Min != want[0] || r.Tier.Fine.Max != want[1] {
				t.Errorf("%s counted %d–%d, the text says %d–%d", r.Penalty.ID, r.Tier.Fine.Min, r.Tier.Fine.Max, want[0], want[1])
			}
			if len(r.Findings) == 0 {
				t.Errorf("%s has no findings behind it", r.Penalty.ID)
			}
			min, max = min+r.Tier.Fine.Min, max+r.Tier.Fine.Max
			delete(text, r.Penalty.ID)
		}
		if len(text) != 0 {
			t.Errorf("clauses missing from the exposure: %v", text)
		}
		if a.Summary.FineMin != min || a.Summary.FineMax != max || a.Exposure.Min != min || a.Exposure.Max != max {
			t.Errorf("summary %d–%d, exposure %d–%d, rows add up to %d–%d", a.Summary.FineMin, a.Summary.FineMax, a.Exposure.Min, a.Exposure.Max, min, max)
		}
		for _, r := range a.Exposure.Rows {
			if r.Penalty.ID == "CSL-2025-61-2" && (len(r.AlsoUnder) != 1 || r.AlsoUnder[0].ID != "CIIR-2021-39") {
				t.Errorf("61(2) row: also under %v, want the CIIR 2021 Art. 39 listed, not added", r.AlsoUnder)
			}
			for _, f := range r.Findings {
				if f.ObligationID == "CIIR-DOMESTIC-MAINTENANCE" {
					t.Error("a draft-only duty is in the exposure")
				}
			}
		}
		if a.Summary.Recommended == 0 {
			t.Error("the demo's draft-only duties are not counted as recommended")
		}
		// The findings page shows the table, citing as lawyers do.
		_, page := c.Do("GET", "/findings", nil, map[string]string{"Accept-Language": "zh-CN"})
		page = html.UnescapeString(page)
		for _, want := range []string{`id="exposure-build"`, "《网络安全法》（2025）第六十一条第一款", "原 《网络安全法》（2016）第五十九条第一款", "《关键信息基础设施安全保护条例》（2021）第三十九条", "建议（征求意见稿，未生效）"} {
			if !strings.Contains(page, want) {
				t.Errorf("zh findings page lacks %q", want)
			}
		}
	})
}
