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
// duty is recommended, not a gap. The demo's one key-post holder overdue for a background
// check (people capability) breaches CIIR 2021 Art. 39(5) — "未对专门安全管理机构负责人和关键岗位
// 人员进行安全背景审查的" — on its own row, whose order tier is "责令改正，给予警告": no fine.
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
		// PIPL 2021 Art. 66(1) at its order tier ("责令改正，给予警告，没收违法所得": no fine) for the
		// demo's video-conference recordings kept past their retention (data capability).
		text := map[string][2]int64{"CSL-2025-61-1": {10000, 50000}, "CSL-2025-61-2": {50000, 100000}, "DSL-2021-45": {50000, 500000}, "CIIR-2021-39": {0, 0},
			"PIPL-2021-66": {0, 0}}
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

// TestCitationsAsLawyersWrite opens duty pages in both languages after the CSL amendment came
// into force (2026-01-01): the log-retention duty cites CSL 2025 Art. 23(3) — "按照规定留存
// 相关的网络日志不少于六个月" — with the 2016 Art. 21(3) as "formerly", the Chinese page in the
// form 《网络安全法》（2025）第二十三条第（三）项 and the instrument's rank (法律); its penalty
// clause is CSL 2025 Art. 61(1), which fines "直接负责的主管人员和其他直接责任人员"; the central
// organs' 2-hour report shows no fine (CSL 2025 Art. 74); a draft-only duty is recommended.
func TestCitationsAsLawyersWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		get := func(path, lang string) string {
			res, body := c.Do("GET", path, nil, map[string]string{"Accept-Language": lang})
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d", path, res.StatusCode)
			}
			return html.UnescapeString(body)
		}
		checks := []struct {
			path, lang string
			want       []string
		}{
			{"/obligations/CSL-LOG-RETENTION", "zh-CN", []string{"《网络安全法》（2025）第二十三条第（三）项", "原 《网络安全法》（2016）第二十一条第（三）项", "（法律）",
				"《网络安全法》（2025）第六十一条第一款", "直接负责的主管人员和其他直接责任人员"}},
			{"/obligations/CSL-LOG-RETENTION", "en", []string{"CSL 2025 Art. 23(3)", "formerly CSL 2016 Art. 21(3)", "(law)", "CSL 2025 Art. 61(1)"}},
			{"/obligations/IRM-CENTRAL-ORGAN-2-HOUR-REPORT", "zh-CN", []string{"《网络安全法》（2025）第七十四条", "不处罚款"}},
			{"/obligations/CIIR-ANNUAL-TRAINING-DAYS", "zh-CN", []string{"《关键信息基础设施安全保护条例》（2017年征求意见稿）第二十七条", "仅见于2017年征求意见稿", "未生效的征求意见稿不产生罚款"}},
			{"/obligations?instrument=CIIR", "zh-CN", []string{"《关键信息基础设施安全保护条例》（2021）第十三条", "建议（征求意见稿，未生效）"}},
		}
		for _, ck := range checks {
			page := get(ck.path, ck.lang)
			for _, w := range ck.want {
				if !strings.Contains(page, w) {
					t.Errorf("%s (%s) lacks %q", ck.path, ck.lang, w)
				}
			}
		}
	})
}
