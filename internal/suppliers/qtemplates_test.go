package suppliers_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// ownTemplate is a five-question template of the grid's own, written by hand: weights 3, 2
// and 1 on the scored yes/no questions, one yes/no question that only asks (no expected
// answer), one text question, and one question given in English only.
const ownTemplate = "key,question_zh,question_en,kind,expect,weight,basis_zh,basis_en\n" +
	"mfa,远程运维是否启用多因素认证？,Is MFA required for remote maintenance?,yes_no,yes,3,等保2.0 8.1.4.1,MLPS 2.0 8.1.4.1\n" +
	"offshore,,Is any of our data stored outside China?,yes_no,no,2,,\n" +
	"drill,是否每年开展应急演练？,Do you run an incident drill every year?,yes_no,yes,1,,\n" +
	"cloud,是否使用公有云？,Do you use a public cloud?,yes_no,,,,\n" +
	"contact,安全联系人及电话,Security contact and phone,text,,,,\n"

// templateAPI is a template as the API gives it.
type templateAPI struct {
	ID        int64
	TitleZh   string `json:"title_zh"`
	Version   int
	Questions []struct {
		Key, Zh, En, Kind, Expect string
		OnlyIn                    string `json:"only_in"`
		Weight                    int
	}
}

// multipartBody builds a form upload of file with the given fields.
func multipartBody(t *testing.T, name string, file []byte, fields map[string]string) (string, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	mw.Close()
	return b.String(), mw.FormDataContentType()
}

// badXLSX is a workbook whose third row's kind is not an answer kind.
func badXLSX(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range [][]any{{"编号", "问题（中文）", "回答方式", "符合要求的回答"}, {"a", "问一", "是否", "是"}, {"b", "问二", "图片", ""}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestOwnQuestionnaireTemplate, on both engines: the grid imports its own five-question
// template (CSV as the body) and a refused XLSX (a form upload: 400 naming rows[3].kind,
// nothing kept); the water company gets 404 for the grid's template and cannot send it;
// the grid sends it to the demo supplier, whose user answers it as it answers the default
// questionnaire; the score is the hand-computed 60 (mfa met, weight 3; offshore short,
// weight 2; drill not applicable, cloud and contact not scored: 3 of 5); the grid accepts
// and the one short answer becomes a finding with a follow-up task. A new version of the
// template leaves the sent questionnaire's questions as they were. Pages in Chinese: the
// supplier's answer page labels the question given in English only, the import page
// names the refused line and column.
func TestOwnQuestionnaireTemplate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		grid := env.Login(t, "security@grid.demo")
		water := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		a := env.Login(t, "user@supplier.demo")
		gh, wh, ah := jsonHdr(grid.CSRF), jsonHdr(water.CSRF), jsonHdr(a.CSRF)
		csvHdr := map[string]string{"X-CSRF-Token": grid.CSRF, "Content-Type": "text/csv"}

		list := func(c *apptest.Client) []templateAPI {
			t.Helper()
			var out struct{ Templates []templateAPI }
			res, body := c.Do("GET", "/api/v1/questionnaire-templates", nil, nil)
			decode(t, res, body, 200, &out)
			return out.Templates
		}
		before := len(list(grid))

		// Refusals: a bad row of an XLSX upload, a missing title, a wrong media type.
		body, ct := multipartBody(t, "own.xlsx", badXLSX(t), map[string]string{"title_zh": "坏模板"})
		res, got := grid.Do("POST", "/api/v1/questionnaire-templates", nil, map[string]string{"X-CSRF-Token": grid.CSRF, "Content-Type": ct}, body)
		decode(t, res, got, 400, nil)
		if f := fields(t, got); !strings.Contains(f["rows[3].kind"], "is not an answer kind") {
			t.Errorf("bad XLSX: %v", f)
		}
		res, got = grid.Do("POST", "/api/v1/questionnaire-templates", nil, csvHdr, ownTemplate)
		decode(t, res, got, 400, nil)
		if f := fields(t, got); !strings.Contains(f["title_zh"], "is required") {
			t.Errorf("no title: %v", f)
		}
		res, got = grid.Do("POST", "/api/v1/questionnaire-templates?title_zh=x", nil, map[string]string{"X-CSRF-Token": grid.CSRF, "Content-Type": "image/png"}, ownTemplate)
		decode(t, res, got, 400, nil)
		if f := fields(t, got); !strings.Contains(f["Content-Type"], "not a media type") {
			t.Errorf("wrong media type: %v", f)
		}
		if n := len(list(grid)); n != before {
			t.Fatalf("refused imports kept %d templates", n-before)
		}

		// The good one, and the water company kept out of it.
		var tpl templateAPI
		res, got = grid.Do("POST", "/api/v1/questionnaire-templates?"+url.Values{"title_zh": {"电网供应商补充问卷"}, "title_en": {"Grid supplementary questionnaire"}}.Encode(), nil, csvHdr, ownTemplate)
		decode(t, res, got, 201, &tpl)
		if tpl.Version != 1 || len(tpl.Questions) != 5 || tpl.Questions[1].OnlyIn != "en" || tpl.Questions[1].Zh != "Is any of our data stored outside China?" {
			t.Fatalf("imported: %s", got)
		}
		res, got = water.Do("GET", fmt.Sprintf("/api/v1/questionnaire-templates/%d", tpl.ID), nil, nil)
		decode(t, res, got, 404, nil)
		for _, x := range list(water) {
			if x.ID == tpl.ID {
				t.Errorf("the water company lists the grid's template")
			}
		}
		if res := water.Status(fmt.Sprintf("/questionnaire-templates/%d", tpl.ID), nil); res.StatusCode != 404 {
			t.Errorf("the water company's page of the grid's template: %d", res.StatusCode)
		}
		var ws struct{ ID int64 }
		res, got = water.Do("POST", "/api/v1/suppliers", nil, wh, `{"name":"Wasser GmbH","country":"DE","foreign_registration":"HRB 4711"}`)
		decode(t, res, got, 201, &ws)
		res, got = water.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/questionnaires", ws.ID), nil, wh,
			fmt.Sprintf(`{"due_on":%q,"template_id":%d}`, chinaDate(14), tpl.ID))
		decode(t, res, got, 404, nil)

		// The grid sends it to the demo supplier.
		var sups struct {
			Suppliers []struct {
				ID   int64
				Name string
			}
		}
		res, got = grid.Do("GET", "/api/v1/suppliers", nil, nil)
		decode(t, res, got, 200, &sups)
		var linked int64
		for _, x := range sups.Suppliers {
			if x.Name == "示例安全设备有限公司" {
				linked = x.ID
			}
		}
		page, html := grid.Do("GET", fmt.Sprintf("/suppliers/%d", linked), nil, map[string]string{"Accept-Language": "zh-CN"})
		if page.StatusCode != 200 || !strings.Contains(html, fmt.Sprintf(`<option value="%d">电网供应商补充问卷 1</option>`, tpl.ID)) {
			t.Errorf("the send form does not offer the template: %s", html)
		}
		// The send form: a template that is no number is refused on the select; the water
		// company's form naming the grid's template is 404.
		res, html = grid.Do("POST", fmt.Sprintf("/suppliers/%d/questionnaires", linked), url.Values{"due_on": {chinaDate(14)}, "template_id": {"模板"}}, map[string]string{"Accept-Language": "zh-CN"})
		if res.StatusCode != 400 || !strings.Contains(html, `id="q-template" name="template_id" aria-invalid="true"`) || !strings.Contains(html, "不是本单位的问卷模板") {
			t.Errorf("the send form with a bad template (%d): %s", res.StatusCode, html)
		}
		res, _ = water.Do("POST", fmt.Sprintf("/suppliers/%d/questionnaires", ws.ID), url.Values{"due_on": {chinaDate(14)}, "template_id": {fmt.Sprint(tpl.ID)}}, nil)
		if res.StatusCode != 404 {
			t.Errorf("the water company's send form with the grid's template: %d", res.StatusCode)
		}
		// The register links to the templates.
		if _, html = grid.Do("GET", "/suppliers", nil, nil); !strings.Contains(html, `href="/questionnaire-templates"`) {
			t.Errorf("the suppliers list does not link to the templates")
		}
		var q struct {
			ID              int64
			TemplateTitleZh string `json:"template_title_zh"`
			TemplateVersion string `json:"template_version"`
			Questions       []struct{ Key string }
		}
		res, got = grid.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/questionnaires", linked), nil, gh, fmt.Sprintf(`{"due_on":%q,"template_id":%d}`, chinaDate(14), tpl.ID))
		decode(t, res, got, 201, &q)
		if q.TemplateTitleZh != "电网供应商补充问卷" || q.TemplateVersion != "1" || len(q.Questions) != 5 {
			t.Fatalf("sent: %s", got)
		}

		// A new version changes nothing of what was sent.
		var v2 templateAPI
		res, got = grid.Do("POST", "/api/v1/questionnaire-templates?"+url.Values{"title_zh": {"电网供应商补充问卷"}, "title_en": {"Grid supplementary questionnaire"}}.Encode(), nil, csvHdr,
			"key,question_zh,kind,expect\nonly,唯一的问题,yes_no,yes\n")
		decode(t, res, got, 201, &v2)
		if v2.Version != 2 || v2.ID == tpl.ID {
			t.Errorf("second version: %s", got)
		}

		// The supplier answers it as it answers the default questionnaire.
		var in struct {
			Questionnaires []struct {
				ID int64
				Q  struct{ ID int64 } `json:"questionnaire"`
			}
		}
		res, got = a.Do("GET", "/api/v1/questionnaires", nil, nil)
		decode(t, res, got, 200, &in)
		if len(in.Questionnaires) == 0 || in.Questionnaires[0].Q.ID != q.ID {
			t.Fatalf("A's inbox: %s", got)
		}
		rid := in.Questionnaires[0].ID
		res, html = a.Do("GET", fmt.Sprintf("/questionnaires/%d", rid), nil, map[string]string{"Accept-Language": "zh-CN"})
		if res.StatusCode != 200 || !strings.Contains(html, "Is any of our data stored outside China?") || !strings.Contains(html, "（仅有英文原文）") ||
			!strings.Contains(html, "电网供应商补充问卷 1") || !strings.Contains(html, `name="answer.cloud"`) || strings.Contains(html, `name="answer.contact"`) {
			t.Errorf("A's answer page: %s", html)
		}
		answers := fmt.Sprintf("/api/v1/questionnaires/%d/answers", rid)
		res, got = a.Do("POST", answers, nil, ah, `{"answers":[{"key":"mfa","answer":"yes"}]}`)
		decode(t, res, got, 400, nil)
		if f := fields(t, got); !strings.Contains(f["answers[offshore].answer"], "is required") || !strings.Contains(f["answers[cloud].answer"], "is required") {
			t.Errorf("missing answers: %v", f)
		}
		res, got = a.Do("POST", answers, nil, ah, `{"answers":[{"key":"mfa","answer":"yes","evidence":"运维堡垒机配置截图"},{"key":"offshore","answer":"yes","note":"日志备份在新加坡"},
{"key":"drill","answer":"na","note":"无生产系统"},{"key":"cloud","answer":"no"},{"key":"contact","note":"张三 010-12345678"}]}`)
		decode(t, res, got, 200, nil)
		var sent struct {
			State     string
			Score     int
			Questions []struct{ Key string }
		}
		res, got = grid.Do("GET", fmt.Sprintf("/api/v1/supplier-questionnaires/%d", q.ID), nil, nil)
		decode(t, res, got, 200, &sent)
		if sent.State != "answered" || sent.Score != 60 {
			t.Errorf("answered: state %s score %d, want answered 60", sent.State, sent.Score)
		}
		if len(sent.Questions) != 5 || sent.Questions[0].Key != "mfa" {
			t.Errorf("the sent questionnaire's questions moved with the new version: %+v", sent.Questions)
		}

		// The grid accepts: the short answer is a finding, followed up with a task.
		var dec struct {
			Findings []struct {
				ID          int64
				QuestionKey string `json:"question_key"`
				TextZh      string `json:"text_zh"`
				TextEn      string `json:"text_en"`
			}
		}
		res, got = grid.Do("POST", fmt.Sprintf("/api/v1/supplier-questionnaires/%d/decision", q.ID), nil, gh, `{"decision":"accept"}`)
		decode(t, res, got, 200, &dec)
		if len(dec.Findings) != 1 || dec.Findings[0].QuestionKey != "offshore" {
			t.Fatalf("findings: %s", got)
		}
		// The question cites no basis: the finding says none rather than "（—）".
		if f := dec.Findings[0]; f.TextZh != "“Is any of our data stored outside China?”回答为“是”，不符合要求" ||
			f.TextEn != `"Is any of our data stored outside China?" answered "yes", which falls short` {
			t.Errorf("the finding's text: %q / %q", f.TextZh, f.TextEn)
		}
		// The operator's page explains the score with the template's own weights.
		res, html = grid.Do("GET", fmt.Sprintf("/suppliers/%d/questionnaires/%d", linked, q.ID), nil, map[string]string{"Accept-Language": "zh-CN"})
		if res.StatusCode != 200 || !strings.Contains(html, `<td id="q-score">60 / 100</td>`) || !strings.Contains(html, "按本单位问卷模板中各问题的权重") || strings.Contains(html, "认证、审查结论") {
			t.Errorf("the questionnaire's page (%d): %s", res.StatusCode, html)
		}
		owner, err := env.App.Auth.UserByEmail(t.Context(), "owner@grid.demo")
		if err != nil {
			t.Fatal(err)
		}
		res, got = grid.Do("POST", fmt.Sprintf("/api/v1/supplier-findings/%d/tasks", dec.Findings[0].ID), nil, gh, fmt.Sprintf(`{"owner_id":%d}`, owner.ID))
		decode(t, res, got, 201, nil)

		// The import form in Chinese: the refused line and column named, nothing kept.
		body, ct = multipartBody(t, "own.xlsx", badXLSX(t), map[string]string{"title_zh": "坏模板", "_csrf": grid.CSRF})
		res, html = grid.Do("POST", "/questionnaire-templates", nil, map[string]string{"Content-Type": ct, "Accept-Language": "zh-CN"}, body)
		if res.StatusCode != 400 || !strings.Contains(html, `<td>3</td><td translate="no">kind</td><td class="form-error">不是有效的回答方式`) || !strings.Contains(html, `aria-invalid="true"`) {
			t.Errorf("the import page's refusal (%d): %s", res.StatusCode, html)
		}
		if n := len(list(grid)); n != before+2 {
			t.Errorf("%d templates after the refused page import, want %d", n, before+2)
		}
	})
}
