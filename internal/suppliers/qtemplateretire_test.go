package suppliers_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestRetireTemplate, on both engines: the grid retires one of its own templates with a
// reason; it is then no longer offered by the send form and sending it is a 409 on
// template_id, while the questionnaire already sent with it is answered as before; the list
// in Chinese says 已停用 with the day, who and why. A retirement without a reason names
// reason; retiring twice is a 409; the water company gets 404 and the auditor 403. Reinstated
// (with a reason), the template is sent again.
func TestRetireTemplate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		grid := env.Login(t, "security@grid.demo")
		water := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		aud := env.Login(t, "auditor@grid.demo")
		gh := jsonHdr(grid.CSRF)
		csvHdr := map[string]string{"X-CSRF-Token": grid.CSRF, "Content-Type": "text/csv"}
		var tpl templateAPI
		res, got := grid.Do("POST", "/api/v1/questionnaire-templates?"+url.Values{"title_zh": {"旧版运维问卷"}}.Encode(), nil, csvHdr,
			"key,question_zh,kind,expect\nmfa,是否启用多因素认证？,yes_no,yes\n")
		decode(t, res, got, 201, &tpl)
		linked := linkedSupplier(t, grid)
		// Sent once before it is retired: that questionnaire stays as it is.
		var q struct{ ID int64 }
		res, got = grid.Do("POST", fmt.Sprintf("/api/v1/suppliers/%d/questionnaires", linked), nil, gh, fmt.Sprintf(`{"due_on":%q,"template_id":%d}`, chinaDate(14), tpl.ID))
		decode(t, res, got, 201, &q)

		retire := fmt.Sprintf("/api/v1/questionnaire-templates/%d/retire", tpl.ID)
		res, got = grid.Do("POST", retire, nil, gh, `{"reason":"  "}`)
		decode(t, res, got, 400, nil)
		if f := fields(t, got); !strings.Contains(f["reason"], "is required") {
			t.Errorf("retire without a reason: %v", f)
		}
		// The page's form in Chinese: the empty reason marked, the template still in use.
		res, html := grid.Do("POST", fmt.Sprintf("/questionnaire-templates/%d/retire", tpl.ID), url.Values{"reason": {""}}, map[string]string{"Accept-Language": "zh-CN"})
		if reason, ok := htmltest.Parse(t, html).Refusal("retire-reason"); res.StatusCode != 400 || !ok || reason != "必填" {
			t.Errorf("the retire form without a reason (%d): %q %v", res.StatusCode, reason, ok)
		}
		if res, _ := water.Do("POST", retire, nil, jsonHdr(water.CSRF), `{"reason":"x"}`); res.StatusCode != 404 {
			t.Errorf("the water company retiring the grid's template: %d, want 404", res.StatusCode)
		}
		if res, _ := aud.Do("POST", retire, nil, jsonHdr(aud.CSRF), `{"reason":"x"}`); res.StatusCode != 403 {
			t.Errorf("the auditor retiring a template: %d, want 403", res.StatusCode)
		}
		var after struct {
			RetiredAt     *string `json:"retired_at"`
			RetiredReason string  `json:"retired_reason"`
		}
		res, got = grid.Do("POST", retire, nil, gh, `{"reason":"已由2027版运维问卷取代"}`)
		decode(t, res, got, 200, &after)
		if after.RetiredAt == nil || after.RetiredReason != "已由2027版运维问卷取代" {
			t.Errorf("retired: %s", got)
		}
		res, got = grid.Do("POST", retire, nil, gh, `{"reason":"again"}`)
		decode(t, res, got, 409, nil)

		// The open questionnaire must be closed before another is sent: the supplier answers
		// it (a retired template's questionnaire is answered as before) and the grid accepts.
		a := env.Login(t, "user@supplier.demo")
		var in struct {
			Questionnaires []struct {
				ID int64
				Q  struct{ ID int64 } `json:"questionnaire"`
			}
		}
		res, got = a.Do("GET", "/api/v1/questionnaires", nil, nil)
		decode(t, res, got, 200, &in)
		for _, x := range in.Questionnaires {
			if x.Q.ID == q.ID {
				res, got = a.Do("POST", fmt.Sprintf("/api/v1/questionnaires/%d/answers", x.ID), nil, jsonHdr(a.CSRF), `{"answers":[{"key":"mfa","answer":"yes"}]}`)
				decode(t, res, got, 200, nil)
			}
		}
		res, got = grid.Do("POST", fmt.Sprintf("/api/v1/supplier-questionnaires/%d/decision", q.ID), nil, gh, `{"decision":"accept"}`)
		decode(t, res, got, 200, nil)
		// No longer offered, nor sent; the list in Chinese says so with who and why.
		offered := func() []string {
			t.Helper()
			_, html := grid.Do("GET", fmt.Sprintf("/suppliers/%d", linked), nil, map[string]string{"Accept-Language": "zh-CN"})
			var out []string
			for _, o := range htmltest.Parse(t, html).ID("q-template").All("option", nil) {
				out = append(out, o.Text())
			}
			return out
		}
		if got := offered(); len(got) == 0 || strings.Contains(strings.Join(got, ","), "旧版运维问卷") {
			t.Errorf("the send form offers %q: want the default and not the retired template", got)
		}
		send := fmt.Sprintf("/api/v1/suppliers/%d/questionnaires", linked)
		res, got = grid.Do("POST", send, nil, gh, fmt.Sprintf(`{"due_on":%q,"template_id":%d}`, chinaDate(14), tpl.ID))
		decode(t, res, got, 409, nil)
		if f := fields(t, got); !strings.Contains(f["template_id"], "is retired") {
			t.Errorf("sending a retired template: %v", f)
		}
		_, html = grid.Do("GET", "/questionnaire-templates", nil, map[string]string{"Accept-Language": "zh-CN"})
		var row []string
		for _, r := range htmltest.Parse(t, html).ID("templates").Rows() {
			if r[0] == "旧版运维问卷" {
				row = r
			}
		}
		if len(row) < 5 || !strings.Contains(row[4], "已停用") || !strings.Contains(row[4], "已由2027版运维问卷取代") || !strings.Contains(row[4], "security@grid.demo") {
			t.Errorf("the list's row of the retired template: %q", row)
		}

		// Reinstated, it is sent again.
		res, got = grid.Do("POST", fmt.Sprintf("/api/v1/questionnaire-templates/%d/reinstate", tpl.ID), nil, gh, `{"reason":"新版推迟发布"}`)
		decode(t, res, got, 200, &after)
		if after.RetiredAt != nil {
			t.Errorf("reinstated: %s", got)
		}
		if got := offered(); !strings.Contains(strings.Join(got, ","), "旧版运维问卷 1") {
			t.Errorf("the send form offers %q after reinstating", got)
		}
		res, got = grid.Do("POST", send, nil, gh, fmt.Sprintf(`{"due_on":%q,"template_id":%d}`, chinaDate(14), tpl.ID))
		decode(t, res, got, 201, nil)
	})
}
