package scope

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestAssessmentMessages: CIIR 2021 Art. 10 — "保护工作部门根据认定规则负责组织认定本行业、本领域的
// 关键信息基础设施，及时将认定结果通知运营者". The operator does not report itself for
// identification: a self-assessed candidate is told that the department decides, not to
// "report" itself; self-assessing a system the department already identified says it is
// identified.
func TestAssessmentMessages(t *testing.T) {
	msgs := map[string]map[string]string{}
	for _, lang := range []string{"en", "zh-CN"} {
		b, err := os.ReadFile("messages/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		msgs[lang] = m
	}
	cases := []struct {
		sys             System
		key             string
		zhHas, zhHasNot string
		enHas, enHasNot string
	}{
		{System{SystemInput: SystemInput{CIIStatus: CIIIdentified, IdentifiedOn: "2026-01-01"}, Assessment: &Assessment{Candidate: true}},
			"scope.assessed_identified", "已由保护工作部门认定", "候选", "already identified", "candidate"},
		{System{SystemInput: SystemInput{CIIStatus: CIIIdentified}, Assessment: &Assessment{Candidate: false}},
			"scope.assessed_identified", "已由保护工作部门认定", "不构成", "already identified", "not a candidate"},
		{System{SystemInput: SystemInput{CIIStatus: CIICandidate}, Assessment: &Assessment{Candidate: true}},
			"scope.assessed_candidate", "由保护工作部门", "请报告", "protection-work department", "report it"},
		{System{SystemInput: SystemInput{CIIStatus: CIINone}, Assessment: &Assessment{}}, "scope.assessed_none", "不构成", "", "not a candidate", ""},
	}
	for _, c := range cases {
		key := assessedMessage(c.sys)
		if key != c.key {
			t.Errorf("%s/%v: key %s, want %s", c.sys.CIIStatus, c.sys.Assessment.Candidate, key, c.key)
			continue
		}
		zh, en := msgs["zh-CN"][key], msgs["en"][key]
		if !strings.Contains(zh, c.zhHas) || (c.zhHasNot != "" && strings.Contains(zh, c.zhHasNot)) ||
			!strings.Contains(en, c.enHas) || (c.enHasNot != "" && strings.Contains(en, c.enHasNot)) {
			t.Errorf("%s: %q / %q", key, zh, en)
		}
	}
	if strings.Contains(msgs["zh-CN"]["scope.assess_intro"], "应向保护工作部门报告") {
		t.Error("the questionnaire's introduction still tells a candidate to report itself")
	}
}

// TestListingAbroadIsForeignListing: CSR 2022 Art. 7 — "掌握超过100万用户个人信息的网络平台运营
// 者赴国外上市，必须向网络安全审查办公室申报网络安全审查": the text says 国外上市 (a foreign
// listing), not 境外上市, and the profile field says the same.
func TestListingAbroadIsForeignListing(t *testing.T) {
	b, err := os.ReadFile("messages/zh-CN.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if got := m["scope.p.plans_listing_abroad"]; !strings.Contains(got, "国外上市") || strings.Contains(got, "境外") {
		t.Errorf("profile label %q, want 国外上市 as CSR Art. 7 says", got)
	}
}
