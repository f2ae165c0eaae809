package data

import (
	"strings"
	"testing"
	"time"

	"ciiguard/internal/calendar"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, calendar.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// TestRouteTable is the table, built from the CBDF 2024 text (Provisions on
// Promoting and Regulating Cross-Border Data Flows, in force 2024-03-22):
//
//	Art. 5(4): 关键信息基础设施运营者以外的数据处理者自当年1月1日起累计向境外提供不满10万人个人信息
//	（不含敏感个人信息）的 — exempt;
//	Art. 7(1): 关键信息基础设施运营者向境外提供个人信息或者重要数据 — assessment;
//	Art. 7(2): … 自当年1月1日起累计向境外提供100万人以上个人信息（不含敏感个人信息）或者1万人以上敏感
//	个人信息 — assessment;
//	Art. 8: … 10万人以上、不满100万人个人信息（不含敏感个人信息）或者不满1万人敏感个人信息 — standard
//	contract or certification;
//	Arts. 3, 4, 5(1)-(3), 6: the named exemptions.
//
// The expected route and article are written by hand from those sentences, not computed.
func TestRouteTable(t *testing.T) {
	on := day("2026-06-30")
	cases := []struct {
		name      string
		c         Case
		route     string
		exemption string
		article   string // in the English rule
	}{
		{"non-CII 50,000 non-sensitive", Case{PI: true, Count: Counts{NonSensitive: 50_000}}, RouteExempt, BelowThreshold, "Art. 5(4)"},
		{"non-CII 99,999 non-sensitive", Case{PI: true, Count: Counts{NonSensitive: 99_999}}, RouteExempt, BelowThreshold, "Art. 5(4)"},
		{"non-CII 100,000 non-sensitive", Case{PI: true, Count: Counts{NonSensitive: 100_000}}, RouteContract, "", "Art. 8"},
		{"non-CII 250,000 non-sensitive", Case{PI: true, Count: Counts{NonSensitive: 250_000}}, RouteContract, "", "Art. 8"},
		{"non-CII 999,999 non-sensitive", Case{PI: true, Count: Counts{NonSensitive: 999_999}}, RouteContract, "", "Art. 8"},
		{"non-CII 1,200,000 non-sensitive", Case{PI: true, Count: Counts{NonSensitive: 1_200_000}}, RouteAssessment, "", "Art. 7(2)"},
		{"non-CII 5,000 sensitive", Case{PI: true, Sensitive: true, Count: Counts{Sensitive: 5_000}}, RouteContract, "", "Art. 8"},
		{"non-CII 1 sensitive", Case{PI: true, Sensitive: true, Count: Counts{Sensitive: 1}}, RouteContract, "", "Art. 8"},
		{"non-CII 12,000 sensitive", Case{PI: true, Sensitive: true, Count: Counts{Sensitive: 12_000}}, RouteAssessment, "", "Art. 7(2)"},
		{"non-CII important data", Case{Important: true}, RouteAssessment, "", "Art. 7(2)"},
		{"CII one person's PI", Case{CII: true, PI: true, Count: Counts{NonSensitive: 1}}, RouteAssessment, "", "Art. 7(1)"},
		{"CII 50,000 non-sensitive", Case{CII: true, PI: true, Count: Counts{NonSensitive: 50_000}}, RouteAssessment, "", "Art. 7(1)"},
		{"CII important data", Case{CII: true, Important: true}, RouteAssessment, "", "Art. 7(1)"},
		{"no PI, no important data", Case{}, RouteNone, "", "Art. 3"},
		{"trade data without PI", Case{Exemption: "trade_academic_no_pi"}, RouteExempt, "trade_academic_no_pi", "Art. 3"},
		{"foreign PI re-exported", Case{Exemption: "foreign_pi_reexport", PI: true, Count: Counts{NonSensitive: 2_000_000}}, RouteExempt, "foreign_pi_reexport", "Art. 4"},
		{"contract with the individual, CII", Case{CII: true, Exemption: "individual_contract", PI: true, Count: Counts{NonSensitive: 3_000_000}}, RouteExempt, "individual_contract", "Art. 5(1)"},
		{"cross-border HR", Case{Exemption: "cross_border_hr", PI: true, Sensitive: true, Count: Counts{Sensitive: 20_000}}, RouteExempt, "cross_border_hr", "Art. 5(2)"},
		{"emergency", Case{Exemption: "emergency", PI: true, Sensitive: true, Count: Counts{Sensitive: 50}}, RouteExempt, "emergency", "Art. 5(3)"},
		{"free-trade zone outside the negative list", Case{Exemption: "ftz_negative_list", PI: true, Count: Counts{NonSensitive: 5_000_000}}, RouteExempt, "ftz_negative_list", "Art. 6"},
		{"trade exemption claimed for PI", Case{Exemption: "trade_academic_no_pi", PI: true, Count: Counts{NonSensitive: 300_000}}, RouteContract, "", "Art. 8"},
		{"HR exemption claimed for important data", Case{Exemption: "cross_border_hr", PI: true, Important: true}, RouteAssessment, "", "Art. 7(2)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.On = on
			d := Rules.Decide(tc.c)
			if d.Route != tc.route || d.Exemption != tc.exemption || !strings.HasSuffix(d.Rule.En, tc.article) || d.Version != "2024" {
				t.Errorf("got %s %q by %q (version %s), want %s %q by … %s", d.Route, d.Exemption, d.Rule.En, d.Version, tc.route, tc.exemption, tc.article)
			}
			if d.Reason.Zh == "" || d.Reason.En == "" || d.Rule.Zh == "" {
				t.Errorf("a decision without its reason or rule in both languages: %+v", d)
			}
		})
	}
}

// TestRouteVersions: the same export of 150,000 people's non-sensitive personal information
// by a non-CII handler needed the assessment under the 2022 Measures (Art. 4(3): 自上年1月1日
// 起累计向境外提供10万人个人信息) and needs the standard contract under CBDF 2024 (Art. 8); the
// 2022 rules had no de minimis exemption, so 500 people needed the standard contract.
func TestRouteVersions(t *testing.T) {
	for _, tc := range []struct {
		on, route, version string
		count              int64
	}{
		{"2023-06-01", RouteAssessment, "2022", 150_000},
		{"2024-03-21", RouteAssessment, "2022", 150_000},
		{"2024-03-22", RouteContract, "2024", 150_000},
		{"2023-06-01", RouteContract, "2022", 500},
		{"2024-06-01", RouteExempt, "2024", 500},
	} {
		d := Rules.Decide(Case{On: day(tc.on), PI: true, Count: Counts{NonSensitive: tc.count}})
		if d.Route != tc.route || d.Version != tc.version {
			t.Errorf("%s, %d people: %s under %s, want %s under %s", tc.on, tc.count, d.Route, d.Version, tc.route, tc.version)
		}
	}
	if w := Rules.At(day("2023-06-01")).WindowStart(day("2023-06-01")); w.Format(time.DateOnly) != "2022-01-01" {
		t.Errorf("2022 rules count from %s, want 2022-01-01 (1 January of the previous year)", w.Format(time.DateOnly))
	}
	if w := Rules.At(day("2026-06-01")).WindowStart(day("2026-06-01")); w.Format(time.DateOnly) != "2026-01-01" {
		t.Errorf("2024 rules count from %s, want 2026-01-01", w.Format(time.DateOnly))
	}
}

// TestParseRulesetRefuses: a rules file the router cannot trust is refused at load.
func TestParseRulesetRefuses(t *testing.T) {
	for _, bad := range []string{
		"versions: []",
		"versions: [{id: x, in_force: 2024-13-01, window: calendar_year}]",
		"versions: [{id: x, in_force: 2024-01-01, window: weekly, assessment: {non_sensitive: 1, sensitive: 1}, contract: {non_sensitive: 1, sensitive: 1}}]",
		"versions: [{id: x, in_force: 2024-01-01, window: calendar_year, assessment: {non_sensitive: 0, sensitive: 1}, contract: {non_sensitive: 1, sensitive: 1}}]",
		"versions: {",
	} {
		if _, err := ParseRuleset([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
