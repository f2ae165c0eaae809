package catalog

import (
	"strings"
	"testing"
)

// TestCiteLikeALawyer checks the Chinese citation form 《网络安全法》（2016）第二十一条第（三）项
// (article, paragraph 款, item 项 in Chinese numerals) and the English "CSL 2016 Art. 21(3)".
// Expected strings are written by hand from the texts' own numbering: CSL 2016 Art. 21 item
// (三) "采取监测、记录网络运行状态……留存相关的网络日志不少于六个月"; CSL 2025 Art. 71 para. 1
// item (三) on CII data stored abroad; CIIR 2021 Art. 15 item (八) "按照规定报告网络安全事件和
// 重要事项".
func TestCiteLikeALawyer(t *testing.T) {
	c := embedded(t)
	cases := []struct {
		inst   string
		ct     Citation
		zh, en string
	}{
		{"CSL", Citation{"2016", "21(3)"}, "《网络安全法》（2016）第二十一条第（三）项", "CSL 2016 Art. 21(3)"},
		{"CSL", Citation{"2025", "61.2"}, "《网络安全法》（2025）第六十一条第二款", "CSL 2025 Art. 61(2)"},
		{"CSL", Citation{"2025", "71.1(3)"}, "《网络安全法》（2025）第七十一条第一款第（三）项", "CSL 2025 Art. 71(1)(3)"},
		{"CIIR", Citation{"2021", "15(8)"}, "《关键信息基础设施安全保护条例》（2021）第十五条第（八）项", "CIIR 2021 Art. 15(8)"},
		{"CIIR", Citation{"2017-draft", "22"}, "《关键信息基础设施安全保护条例》（2017年征求意见稿）第二十二条", "CIIR 2017-draft Art. 22"},
		{"CSL", Citation{"PIPL:2021", "40"}, "《个人信息保护法》（2021）第四十条", "PIPL 2021 Art. 40"},
		{"DSL", Citation{"2021", "110"}, "《数据安全法》（2021）第一百一十条", "DSL 2021 Art. 110"},
		{"DSL", Citation{"2021", "105"}, "《数据安全法》（2021）第一百零五条", "DSL 2021 Art. 105"},
		{"ATFL", Citation{"2022", "23"}, "《反电信网络诈骗法》（2022）第二十三条", "ATFL 2022 Art. 23"},
		{"MIIT23APP", Citation{"2023", "whole"}, "《工业和信息化部关于开展移动互联网应用程序备案工作的通知》（2023）全文", "MIIT23APP 2023 (whole text)"},
	}
	for _, tc := range cases {
		got := c.Cite(tc.inst, tc.ct)
		if got.Zh != tc.zh || got.En != tc.en {
			t.Errorf("Cite(%s, %+v) = %q / %q, want %q / %q", tc.inst, tc.ct, got.Zh, got.En, tc.zh, tc.en)
		}
	}
}

// TestInstrumentKinds: each instrument is cited with its rank, as the documents themselves
// show it — the CSL, DSL and PIPL are laws adopted by the NPC Standing Committee (主席令); the
// CIIR (国务院令第745号) and the NDSR (国务院令第790号) administrative regulations; the CSR,
// CBDF and IRM (国家互联网信息办公室令), TELSEC10 and PI13 (工业和信息化部令) departmental rules;
// MIIT14 (工信部保〔2014〕368号), MLPS07 (公通字〔2007〕43号), PVP (工信部联网安〔2021〕66号)
// and the MIIT 2023 app filing notice normative documents; the Anti-Telecom-Fraud Law
// (ATFL) a law — not all "法规".
func TestInstrumentKinds(t *testing.T) {
	c := embedded(t)
	want := map[string]string{
		"CSL": "law", "DSL": "law", "PIPL": "law",
		"CIIR": "administrative_regulation", "NDSR": "administrative_regulation",
		"CSR": "departmental_rule", "CBDF": "departmental_rule", "IRM": "departmental_rule", "TELSEC10": "departmental_rule", "PI13": "departmental_rule",
		"MIIT14": "normative_document", "MLPS07": "normative_document", "PVP": "normative_document",
		"ATFL": "law", "MIIT23APP": "normative_document", "CACAPP": "normative_document",
	}
	for _, in := range c.Instruments {
		if want[in.ID] == "" {
			t.Errorf("%s: no expected kind in this test", in.ID)
		} else if in.Kind != want[in.ID] {
			t.Errorf("%s: kind %q, want %q", in.ID, in.Kind, want[in.ID])
		}
	}
}

// TestAuthoritiesNamed: the texts name each authority by its role — 保护工作部门 (CIIR 2021 Art.
// 8), 公安机关 (MLPS07 filing), 网信部门, 电信管理机构, 网络安全审查办公室 (CSR Art. 4) — and the
// catalog says which instead of a generic "监管部门".
func TestAuthoritiesNamed(t *testing.T) {
	c := embedded(t)
	for _, o := range c.Obligations {
		texts := []string{o.Title.Zh, o.Summary.Zh}
		if o.AppliesTo != nil {
			texts = append(texts, o.AppliesTo.Zh)
		}
		for _, s := range texts {
			if strings.Contains(s, "监管部门") {
				t.Errorf("%s says 监管部门: %q", o.ID, s)
			}
		}
	}
}
