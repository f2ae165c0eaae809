package catalog

import "testing"

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
	}
	for _, tc := range cases {
		got := c.Cite(tc.inst, tc.ct)
		if got.Zh != tc.zh || got.En != tc.en {
			t.Errorf("Cite(%s, %+v) = %q / %q, want %q / %q", tc.inst, tc.ct, got.Zh, got.En, tc.zh, tc.en)
		}
	}
}
