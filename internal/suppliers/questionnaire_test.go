package suppliers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/suppliers"
)

// TestScore: the weighted score against a hand-worked table (weights from the template:
// certification, review_outcome, incident_reporting, maintenance_in_china and
// data_access_abroad 2, the other five scored questions 1; 15 in all).
func TestScore(t *testing.T) {
	qs := suppliers.DefaultTemplate.Questions
	all := func(over map[string]string) []suppliers.Answer {
		var out []suppliers.Answer
		for _, q := range qs {
			a := q.Expect
			if v, ok := over[q.Key]; ok {
				a = v
			}
			out = append(out, suppliers.Answer{Key: q.Key, Answer: a})
		}
		return out
	}
	for _, c := range []struct {
		name string
		over map[string]string
		want int
	}{
		{"every answer as expected", nil, 100},
		{"incident reporting no", map[string]string{"incident_reporting": "no"}, 87},                                                                      // 13/15 = 86.7
		{"sub-suppliers no, data abroad not applicable", map[string]string{"sub_suppliers": "no", "data_access_abroad": "na"}, 92},                        // 12/13 = 92.3
		{"incident no, sub-suppliers no, data n/a", map[string]string{"incident_reporting": "no", "sub_suppliers": "no", "data_access_abroad": "na"}, 77}, // 10/13 = 76.9
		{"a weight-1 question short", map[string]string{"agreement": "no"}, 93},                                                                           // 14/15 = 93.3
	} {
		if got := suppliers.Score(qs, all(c.over), time.Time{}); got != c.want {
			t.Errorf("%s: score %d, want %d", c.name, got, c.want)
		}
	}
	if got := suppliers.Score(qs, nil, time.Time{}); got != -1 {
		t.Errorf("no answers: %d, want -1", got)
	}
	// Worked on small templates: 1 of 4 = 25; 1 of 8 = 12.5, rounded half up.
	two := []suppliers.Question{{Key: "a", Expect: "yes", Weight: 1}, {Key: "b", Expect: "yes", Weight: 3}}
	if got := suppliers.Score(two, []suppliers.Answer{{Key: "a", Answer: "yes"}, {Key: "b", Answer: "no"}}, time.Time{}); got != 25 {
		t.Errorf("1 of 4: %d, want 25", got)
	}
	three := []suppliers.Question{{Key: "a", Expect: "yes", Weight: 1}, {Key: "b", Expect: "yes", Weight: 1}, {Key: "c", Expect: "no", Weight: 6}}
	if got := suppliers.Score(three, []suppliers.Answer{{Key: "a", Answer: "yes"}, {Key: "b", Answer: "no"}, {Key: "c", Answer: "yes"}}, time.Time{}); got != 13 {
		t.Errorf("1 of 8 = 12.5: %d, want 13 (half up)", got)
	}
}

// qAPI is a questionnaire as the API gives it.
type qAPI struct {
	ID      int64  `json:"id"`
	State   string `json:"state"`
	Score   int    `json:"score"`
	Answers []struct{ Key, Answer, Note string }
}

// TestQuestionnaireFlow, on both engines, two suppliers (the demo's 示例安全设备有限公司, A,
// linked in the grid's register, and a second supplier organisation B) and two operators
// (the grid and the water company): the grid sends a questionnaire to A; only A sees it,
// named with the grid; B, the water company and the grid's unlinked supplier get 404 or 409
// before their input is judged; A's answers are refused field by field, then taken and
// scored (77, worked by hand in TestScore); the grid returns them with its reasons, A
// answers again, the grid accepts: the two answers that fall short become findings with the
// follow-up day, which the grid closes with a note. The pages in Chinese.
func TestQuestionnaireFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		grid := env.Login(t, "security@grid.demo")
		water := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		a := env.Login(t, "user@supplier.demo")
		_, b := newSupplierOrg(t, env)
		gh, wh, ah, bh := jsonHdr(grid.CSRF), jsonHdr(water.CSRF), jsonHdr(a.CSRF), jsonHdr(b.CSRF)

		// The grid's supplier linked to A, and one not linked to any organisation.
		var list struct {
			Suppliers []struct {
				ID            int64
				Name          string
				PlatformOrgID int64 `json:"platform_org_id"`
			}
		}
		res, body := grid.Do("GET", "/api/v1/suppliers", nil, nil)
		decode(t, res, body, 200, &list)
		var linked, unlinked int64
		for _, x := range list.Suppliers {
			switch {
			case x.Name == "示例安全设备有限公司":
				linked = x.ID
			case x.PlatformOrgID == 0 && unlinked == 0:
				unlinked = x.ID
			}
		}
		if linked == 0 || unlinked == 0 {
			t.Fatalf("demo suppliers: linked %d, unlinked %d", linked, unlinked)
		}
		send := fmt.Sprintf("/api/v1/suppliers/%d/questionnaires", linked)
		due := chinaDate(14)

		// Refusals before anything is sent.
		res, body = grid.Do("POST", send, nil, gh, `{}`)
		decode(t, res, body, 400, nil)
		if f := fields(t, body); !strings.Contains(f["due_on"], "required") {
			t.Errorf("no due day: %v", f)
		}
		res, body = grid.Do("POST", send, nil, gh, `{"due_on":"`+chinaDate(-1)+`"}`)
		decode(t, res, body, 400, nil)
		if f := fields(t, body); !strings.Contains(f["due_on"], "past") {
			t.Errorf("due yesterday: %v", f)
		}
		res, body = grid.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/questionnaires", unlinked), nil, gh, `{"due_on":"`+due+`"}`)
		decode(t, res, body, 409, nil)
		if !strings.Contains(body, "not linked") {
			t.Errorf("unlinked supplier: %s", body)
		}
		// The water company may not send to the grid's supplier: 404 before the body.
		res, body = water.Do("POST", send, nil, wh, `not json`)
		decode(t, res, body, 404, nil)

		var q qAPI
		res, body = grid.Do("POST", send, nil, gh, `{"due_on":"`+due+`"}`)
		decode(t, res, body, 201, &q)
		if q.State != "sent" || q.Score != -1 {
			t.Errorf("sent: %+v", q)
		}
		res, body = grid.Do("POST", send, nil, gh, `{"due_on":"`+due+`"}`)
		decode(t, res, body, 409, nil)
		if !strings.Contains(body, "still open") {
			t.Errorf("second open questionnaire: %s", body)
		}

		// Only A has it in its inbox, from the grid.
		inbox := func(c *apptest.Client) []struct {
			ID         int64
			OperatorZH string `json:"operator_name_zh"`
			Q          qAPI   `json:"questionnaire"`
		} {
			t.Helper()
			var in struct {
				Questionnaires []struct {
					ID         int64
					OperatorZH string `json:"operator_name_zh"`
					Q          qAPI   `json:"questionnaire"`
				}
			}
			res, body := c.Do("GET", "/api/v1/questionnaires", nil, nil)
			decode(t, res, body, 200, &in)
			return in.Questionnaires
		}
		ai := inbox(a)
		if len(ai) == 0 || ai[0].OperatorZH != "示例电网有限公司" || ai[0].Q.ID != q.ID || ai[0].Q.State != "sent" {
			t.Fatalf("A's inbox: %+v", ai)
		}
		rid := ai[0].ID
		for _, x := range inbox(b) {
			t.Errorf("B's inbox holds %+v", x)
		}
		answers := fmt.Sprintf("/api/v1/questionnaires/%d/answers", rid)
		res, body = b.Do("GET", fmt.Sprintf("/api/v1/questionnaires/%d", rid), nil, nil)
		decode(t, res, body, 404, nil)
		res, body = b.Do("POST", answers, nil, bh, `not json`)
		decode(t, res, body, 404, nil)
		res, body = water.Do("GET", fmt.Sprintf("/api/v1/supplier-questionnaires/%d", q.ID), nil, nil)
		decode(t, res, body, 404, nil)
		// An operator does not answer; a supplier does not send.
		res, body = grid.Do("POST", answers, nil, gh, `{}`)
		decode(t, res, body, 403, nil)
		res, body = a.Do("POST", send, nil, ah, `{"due_on":"`+due+`"}`)
		decode(t, res, body, 403, nil)

		// A's answers, refused field by field.
		ans := map[string][2]string{
			"certification": {"yes", "CCC 2026-001"}, "review_outcome": {"no", ""}, "review_commitments": {"yes", ""}, "agreement": {"yes", ""},
			"incident_reporting": {"no", "流程正在制定"}, "vulnerability_handling": {"yes", ""}, "vulnerability_notice": {"yes", ""},
			"maintenance_in_china": {"yes", ""}, "data_access_abroad": {"na", "不接触客户数据"}, "sub_suppliers": {"no", ""},
		}
		encode := func(over map[string][2]string, drop string) string {
			var as []map[string]string
			for k, v := range ans {
				if o, ok := over[k]; ok {
					v = o
				}
				if k != drop {
					as = append(as, map[string]string{"key": k, "answer": v[0], "note": v[1]})
				}
			}
			as = append(as, map[string]string{"key": "notes", "note": "无"})
			b, _ := json.Marshal(map[string]any{"answers": as})
			return string(b)
		}
		res, body = a.Do("POST", answers, nil, ah, encode(map[string][2]string{"data_access_abroad": {"na", ""}, "agreement": {"maybe", ""}}, "certification"))
		decode(t, res, body, 400, nil)
		f := fields(t, body)
		if !strings.Contains(f["answers[certification].answer"], "required") || !strings.Contains(f["answers[data_access_abroad].note"], "say why") ||
			!strings.Contains(f["answers[agreement].answer"], "not an answer") {
			t.Errorf("bad answers: %v", f)
		}
		res, body = a.Do("POST", answers, nil, ah, `{"answers":[{"key":"colour","answer":"yes"}]}`)
		decode(t, res, body, 400, nil)
		if f := fields(t, body); !strings.Contains(f["answers[0].key"], "not a question") {
			t.Errorf("unknown question: %v", f)
		}
		res, body = grid.Do("GET", fmt.Sprintf("/api/v1/supplier-questionnaires/%d", q.ID), nil, nil)
		decode(t, res, body, 200, &q)
		if q.State != "sent" || len(q.Answers) != 0 {
			t.Errorf("refused answers were written: %+v", q)
		}

		res, body = a.Do("POST", answers, nil, ah, encode(nil, ""))
		decode(t, res, body, 200, nil)
		res, body = a.Do("POST", answers, nil, ah, encode(nil, ""))
		decode(t, res, body, 409, nil)
		res, body = grid.Do("GET", fmt.Sprintf("/api/v1/supplier-questionnaires/%d", q.ID), nil, nil)
		decode(t, res, body, 200, &q)
		if q.State != "answered" || q.Score != 77 {
			t.Errorf("answered: state %s score %d, want answered 77", q.State, q.Score)
		}

		// Returned with reasons, answered again, accepted.
		decide := fmt.Sprintf("/api/v1/supplier-questionnaires/%d/decision", q.ID)
		res, body = water.Do("POST", decide, nil, wh, `not json`)
		decode(t, res, body, 404, nil)
		res, body = grid.Do("POST", decide, nil, gh, `{"decision":"return"}`)
		decode(t, res, body, 400, nil)
		if f := fields(t, body); !strings.Contains(f["notes"], "required") {
			t.Errorf("return without reasons: %v", f)
		}
		res, body = grid.Do("POST", decide, nil, gh, `{"decision":"return","notes":"请补充认证证书的有效期"}`)
		decode(t, res, body, 200, nil)
		_, page := a.Do("GET", fmt.Sprintf("/questionnaires/%d", rid), nil, map[string]string{"Accept-Language": "zh-CN"})
		for _, want := range []string{"示例电网有限公司的安全问卷", "已退回，待供应商重新作答", "请补充认证证书的有效期", "提交回答"} {
			if !strings.Contains(page, want) {
				t.Errorf("A's page lacks %q", want)
			}
		}
		// The form in Chinese: a missing answer named in Chinese.
		form := url.Values{"_csrf": {a.CSRF}}
		for k, v := range ans {
			if k != "incident_reporting" {
				form.Set("answer."+k, v[0])
				form.Set("note."+k, v[1])
			}
		}
		res, page = a.Do("POST", fmt.Sprintf("/questionnaires/%d", rid), form, map[string]string{"Accept-Language": "zh-CN"})
		if res.StatusCode != 400 || !strings.Contains(page, "必填（yes、no、na）") || !strings.Contains(page, "不接触客户数据") {
			t.Errorf("form without an answer: %d, Chinese reason shown %v, typed note kept %v", res.StatusCode,
				strings.Contains(page, "必填（yes、no、na）"), strings.Contains(page, "不接触客户数据"))
		}
		form.Set("answer.incident_reporting", "no")
		form.Set("note.incident_reporting", "流程正在制定")
		res, _ = a.Do("POST", fmt.Sprintf("/questionnaires/%d", rid), form, map[string]string{"Accept-Language": "zh-CN"})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("answering again by the form: %d", res.StatusCode)
		}
		followUp := chinaDate(30)
		res, body = grid.Do("POST", decide, nil, gh, `{"decision":"accept","follow_up_by":"`+followUp+`","notes":"同意，事件报告流程和下级供应商清单限期补充"}`)
		var dec struct {
			Questionnaire qAPI
			Findings      []struct {
				ID          int64
				QuestionKey string `json:"question_key"`
				TextZh      string `json:"text_zh"`
				FollowUp    string `json:"follow_up_by"`
			}
		}
		decode(t, res, body, 200, &dec)
		if dec.Questionnaire.State != "accepted" || len(dec.Findings) != 2 || dec.Findings[0].QuestionKey != "incident_reporting" || dec.Findings[1].QuestionKey != "sub_suppliers" {
			t.Fatalf("accepted: %s", body)
		}
		if !strings.Contains(dec.Findings[0].TextZh, "回答为“否”") || !strings.Contains(dec.Findings[0].TextZh, "网络安全事件报告管理办法") || !strings.HasPrefix(dec.Findings[0].FollowUp, followUp) {
			t.Errorf("finding: %+v", dec.Findings[0])
		}
		res, body = grid.Do("POST", decide, nil, gh, `{"decision":"accept"}`)
		decode(t, res, body, 409, nil)

		// The grid's pages in Chinese: the supplier's questionnaire and its open findings.
		_, page = grid.Do("GET", fmt.Sprintf("/suppliers/%d", linked), nil, map[string]string{"Accept-Language": "zh-CN"})
		for _, want := range []string{"安全问卷", "已审核接受", "问卷发现的问题", "待整改", "发生涉及本单位的网络安全事件时"} {
			if !strings.Contains(page, want) {
				t.Errorf("the grid's supplier page lacks %q", want)
			}
		}

		// Closing a finding: the other operator 404, a note required, then closed once.
		closeF := fmt.Sprintf("/api/v1/supplier-findings/%d/close", dec.Findings[0].ID)
		res, body = water.Do("POST", closeF, nil, wh, `not json`)
		decode(t, res, body, 404, nil)
		res, body = grid.Do("POST", closeF, nil, gh, `{"note":" "}`)
		decode(t, res, body, 400, nil)
		res, body = grid.Do("POST", closeF, nil, gh, `{"note":"已签订事件报告补充协议"}`)
		decode(t, res, body, 200, nil)
		res, body = grid.Do("POST", closeF, nil, gh, `{"note":"again"}`)
		decode(t, res, body, 409, nil)
		var sq struct {
			Findings []struct {
				ID              int64
				QuestionnaireID int64   `json:"questionnaire_id"`
				ClosedAt        *string `json:"closed_at"`
			}
		}
		res, body = grid.Do("GET", fmt.Sprintf("/api/v1/suppliers/%d/questionnaires", linked), nil, nil)
		decode(t, res, body, 200, &sq)
		open := 0
		for _, x := range sq.Findings {
			if x.QuestionnaireID == q.ID && x.ClosedAt == nil {
				open++
			}
		}
		if open != 1 {
			t.Errorf("open findings of the questionnaire after one closed: %d, want 1 (%s)", open, body)
		}
	})
}

// newSupplierOrg makes a second supplier organisation with one supplier user and signs in;
// it returns the organisation's id and the user's client.
func newSupplierOrg(t *testing.T, env *apptest.Env) (int64, *apptest.Client) {
	t.Helper()
	ctx := context.Background()
	o, err := env.App.Auth.CreateOrg(ctx, auth.Org{Kind: auth.Supplier, NameZH: "示例工控网关有限公司（测试）", NameEN: "Example ICS Gateways (test)"})
	if err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("user%d@gateways.test", o.ID)
	if _, err := env.App.Auth.CreateUser(ctx, auth.NewUser{OrgID: o.ID, Email: email, Name: "测试", Role: auth.SupplierUser, PasswordHash: apptest.DemoPasswordHash()}); err != nil {
		t.Fatal(err)
	}
	return o.ID, env.Login(t, email)
}
