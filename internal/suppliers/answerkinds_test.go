package suppliers_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// kindsTemplate is a template written by hand with one question of each answer kind beyond
// yes/no and text: a choice (options in both languages, levels 2 and 3 meet it, given by
// their Chinese text), a number (at most 24), a date not past on the day of the answer and a
// date within 365 days before it. Weights 2, 3, 1, 2.
const kindsTemplate = "key,question_zh,question_en,kind,options_zh,options_en,expect,weight\n" +
	"tier,贵单位通过的等级保护测评最高为几级？,What is the highest MLPS level you have been assessed at?,choice,一级|二级|三级,Level 1|Level 2|Level 3,二级|三级,2\n" +
	"notify_hours,发现事件后多少小时内通知本单位？,Within how many hours of discovery do you notify us of an incident?,number,,,<=24,3\n" +
	"cert_expiry,安全认证证书有效期至哪一天？,On which day does your security certificate expire?,date,,,未过期,1\n" +
	"pentest,最近一次渗透测试的日期？,When was your last penetration test?,date,,,365天内,2\n"

// TestAnswerKinds, on both engines: the grid imports a template with a choice, a number and
// two date questions; refusals name the row and column (an expected option that is not an
// option, a comparison that is no number, a date expectation that is neither); the
// supplier's Chinese answer page offers a select of the options, a number field and date
// fields; answers out of range are refused by question (answers[KEY].answer); then the
// supplier answers level 1 (short), 12 hours (met), a certificate that expired yesterday
// (short) and a test 100 days ago (met): the score is the hand-computed 63 (5 of 8, half
// up) and the grid's acceptance opens two findings that quote the answers as given.
func TestAnswerKinds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		grid := env.Login(t, "security@grid.demo")
		a := env.Login(t, "user@supplier.demo")
		gh, ah := jsonHdr(grid.CSRF), jsonHdr(a.CSRF)
		csvHdr := map[string]string{"X-CSRF-Token": grid.CSRF, "Content-Type": "text/csv"}
		imp := "/api/v1/questionnaire-templates?" + url.Values{"title_zh": {"供应商能力问卷"}, "title_en": {"Supplier capability questionnaire"}}.Encode()

		for _, c := range []struct {
			name, row, field, want string
		}{
			{"an expected option that is not one", "tier,问,,choice,一级|二级,,四级,1", "rows[2].expect", "is not one of the options"},
			{"a choice without options", "tier,问,,choice,,,,", "rows[2].options_zh", "is required for a choice"},
			{"options that do not pair", "tier,问,,choice,一级|二级,Level 1,,", "rows[2].options_en", "2 options in Chinese"},
			{"options on a number", "n,问,,number,一|二,,,", "rows[2].options_zh", "only for a choice"},
			{"a comparison that is no number", "n,问,,number,,,<=abc,1", "rows[2].expect", "is not a comparison"},
			{"a date expectation that is neither", "d,问,,date,,,明天,1", "rows[2].expect", "is not a date expectation"},
		} {
			res, got := grid.Do("POST", imp, nil, csvHdr, "key,question_zh,question_en,kind,options_zh,options_en,expect,weight\n"+c.row+"\n")
			decode(t, res, got, 400, nil)
			if f := fields(t, got); !strings.Contains(f[c.field], c.want) {
				t.Errorf("%s: %v, want %s: %q", c.name, f, c.field, c.want)
			}
		}

		var tpl templateAPI
		res, got := grid.Do("POST", imp, nil, csvHdr, kindsTemplate)
		decode(t, res, got, 201, &tpl)
		// The template's page in Chinese states each kind and expectation in words.
		_, html := grid.Do("GET", fmt.Sprintf("/questionnaire-templates/%d", tpl.ID), nil, map[string]string{"Accept-Language": "zh-CN"})
		rows := htmltest.Parse(t, html).ID("template-questions").Rows()
		for i, want := range [][2]string{{"单选（从选项中选择） 一级 二级 三级", "二级、三级"}, {"数值", "≤ 24"}, {"日期", "不早于作答当日"}, {"日期", "作答日前 365 天内"}} {
			if i >= len(rows) || rows[i][2] != want[0] || rows[i][3] != want[1] {
				t.Errorf("template page row %d: %v, want kind %q expect %q", i, rows, want[0], want[1])
			}
		}
		linked := linkedSupplier(t, grid)
		var q struct{ ID int64 }
		res, got = grid.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/questionnaires", linked), nil, gh, fmt.Sprintf(`{"due_on":%q,"template_id":%d}`, chinaDate(14), tpl.ID))
		decode(t, res, got, 201, &q)
		var in struct {
			Questionnaires []struct {
				ID int64
				Q  struct{ ID int64 } `json:"questionnaire"`
			}
		}
		res, got = a.Do("GET", "/api/v1/questionnaires", nil, nil)
		decode(t, res, got, 200, &in)
		var rid int64
		for _, x := range in.Questionnaires {
			if x.Q.ID == q.ID {
				rid = x.ID
			}
		}
		if rid == 0 {
			t.Fatalf("the supplier did not receive questionnaire %d: %s", q.ID, got)
		}

		// The answer page in Chinese, as a browser's parser reads it.
		res, html = a.Do("GET", fmt.Sprintf("/questionnaires/%d", rid), nil, map[string]string{"Accept-Language": "zh-CN"})
		if res.StatusCode != 200 {
			t.Fatalf("answer page: %d", res.StatusCode)
		}
		doc := htmltest.Parse(t, html)
		var opts []string
		for _, o := range doc.ID("answer-tier").All("option", nil) {
			opts = append(opts, o.Text())
		}
		if strings.Join(opts, ",") != ",一级,二级,三级,不适用" {
			t.Errorf("the choice offers %q", opts)
		}
		for key, typ := range map[string]string{"notify_hours": "number", "cert_expiry": "date", "pentest": "date"} {
			el := doc.ID("answer-" + key)
			got, _ := el.Attr("type")
			if name, _ := el.Attr("name"); !el.Found() || got != typ || name != "answer."+key {
				t.Errorf("answer-%s: type %q name %q, want an input of type %s", key, got, name, typ)
			}
		}

		answers := fmt.Sprintf("/api/v1/questionnaires/%d/answers", rid)
		res, got = a.Do("POST", answers, nil, ah, `{"answers":[{"key":"tier","answer":"4"},{"key":"notify_hours","answer":"十二"},{"key":"cert_expiry","answer":"2026-02-30"},{"key":"pentest","answer":"na"}]}`)
		decode(t, res, got, 400, nil)
		f := fields(t, got)
		for k, want := range map[string]string{"answers[tier].answer": "is not an option", "answers[notify_hours].answer": "is not a number",
			"answers[cert_expiry].answer": "is not a date", "answers[pentest].note": "is required when the question does not apply"} {
			if !strings.Contains(f[k], want) {
				t.Errorf("%s: %q, want %q (all: %v)", k, f[k], want, f)
			}
		}

		yesterday, ago100 := chinaDate(-1), chinaDate(-100)
		res, got = a.Do("POST", answers, nil, ah, fmt.Sprintf(`{"answers":[{"key":"tier","answer":"1"},{"key":"notify_hours","answer":"12"},{"key":"cert_expiry","answer":%q},{"key":"pentest","answer":%q}]}`, yesterday, ago100))
		decode(t, res, got, 200, nil)
		var sent struct{ Score int }
		res, got = grid.Do("GET", fmt.Sprintf("/api/v1/supplier-questionnaires/%d", q.ID), nil, nil)
		decode(t, res, got, 200, &sent)
		if sent.Score != 63 {
			t.Errorf("score %d, want 63", sent.Score)
		}
		var dec struct {
			Findings []struct {
				QuestionKey string `json:"question_key"`
				TextZh      string `json:"text_zh"`
				TextEn      string `json:"text_en"`
			}
		}
		res, got = grid.Do("POST", fmt.Sprintf("/api/v1/supplier-questionnaires/%d/decision", q.ID), nil, gh, `{"decision":"accept"}`)
		decode(t, res, got, 200, &dec)
		want := map[string][2]string{
			"tier":        {"“贵单位通过的等级保护测评最高为几级？”回答为“一级”，不符合要求", `"What is the highest MLPS level you have been assessed at?" answered "Level 1", which falls short`},
			"cert_expiry": {"“安全认证证书有效期至哪一天？”回答为“" + yesterday + "”，不符合要求", `"On which day does your security certificate expire?" answered "` + yesterday + `", which falls short`},
		}
		if len(dec.Findings) != len(want) {
			t.Fatalf("findings: %s", got)
		}
		for _, x := range dec.Findings {
			if w := want[x.QuestionKey]; x.TextZh != w[0] || x.TextEn != w[1] {
				t.Errorf("finding %s: %q / %q, want %q / %q", x.QuestionKey, x.TextZh, x.TextEn, w[0], w[1])
			}
		}
		// The operator's page shows the answers as given, the options' text for a choice.
		_, html = grid.Do("GET", fmt.Sprintf("/suppliers/%d/questionnaires/%d", linked, q.ID), nil, map[string]string{"Accept-Language": "zh-CN"})
		for _, s := range []string{"一级", "12", ago100} {
			if !strings.Contains(html, "<td>"+s) {
				t.Errorf("the questionnaire's page does not show the answer %q", s)
			}
		}
	})
}

// linkedSupplier is the grid's register entry of the demo supplier's organisation.
func linkedSupplier(t *testing.T, c *apptest.Client) int64 {
	t.Helper()
	var sups struct {
		Suppliers []struct {
			ID   int64
			Name string
		}
	}
	res, got := c.Do("GET", "/api/v1/suppliers", nil, nil)
	decode(t, res, got, 200, &sups)
	for _, x := range sups.Suppliers {
		if x.Name == "示例安全设备有限公司" {
			return x.ID
		}
	}
	t.Fatalf("no demo supplier in %s", got)
	return 0
}
