package catalog

import "testing"

// TestFinalTextDuties checks that the duties of the final CIIR (State Council Decree 745,
// 2021) that the catalog lacked are there, cite the article that writes them, bind whom the
// text binds and, where the text punishes the breach, link the penalty clause that does:
//   - Art. 21: "运营者发生合并、分立、解散等情况，应当及时报告保护工作部门，并按照保护工作部门的要求
//     对关键信息基础设施进行处置" — punished by Art. 39 item (十);
//   - Art. 15 item (六): "履行个人信息和数据安全保护责任，建立健全个人信息和数据安全保护制度" and
//     item (七): "对关键信息基础设施设计、建设、运行、维护等服务实施安全管理" — Art. 39 item (七);
//   - Art. 31 para. 2 (sentence 2): "对基础电信网络实施漏洞探测、渗透性测试等活动，应当事先向国务院
//     电信主管部门报告" — no penalty clause in the Regulation.
func TestFinalTextDuties(t *testing.T) {
	c := embedded(t)
	want := []struct {
		article string
		binds   string
		penalty string
	}{
		{"21", "cii_operator", "CIIR-2021-39"},
		{"15(6)", "cii_operator", "CIIR-2021-39"},
		{"15(7)", "cii_operator", "CIIR-2021-39"},
	}
	for _, w := range want {
		ms := c.Article("CIIR", "2021", w.article)
		found := false
		for _, m := range ms {
			o := m.Obligation
			if o.Instrument == "CIIR" && o.Article == w.article && contains(o.Binds, w.binds) && o.Penalty == w.penalty && !c.DraftOnly(o) {
				found = true
			}
		}
		if !found {
			t.Errorf("no CIIR 2021 Art. %s duty binding %s under %s", w.article, w.binds, w.penalty)
		}
	}
	o, ok := c.Obligation("CIIR-TELECOM-TEST-PRE-REPORT")
	if !ok || o.Version != "2021" || o.Article != "31" || !contains(o.Binds, "telecom_operator") || o.Penalty != "" {
		t.Errorf("telecom pre-report duty: %+v", o)
	}
}
