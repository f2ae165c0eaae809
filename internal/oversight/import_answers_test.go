package oversight_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestReceiptCarriesTheAnswerBack: the department answers a report it imported from a
// signed bundle, and the answer reaches the operator on the other installation as a signed
// receipt. On the department's installation the analyst's request for more information
// needs a note (400 on note), then the report is accepted (a second acceptance or any
// answer after it is a 409); the inbox lists it under its state; another department gets
// 404, the inspector 403. The receipt the department downloads, imported on the grid's
// report on the operator's installation with the department's fingerprint pinned, shows
// both answers with their notes on the report's page in Chinese. Refused: one byte of the
// receipt changed, a pin to another key, the receipt on a report it does not answer (400
// each, naming the field); the same receipt again (409); another operator's user (404).
func TestReceiptCarriesTheAnswerBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		other := store.SQLite
		if d == store.SQLite {
			other = store.Postgres
		}
		from := apptest.Start(t, other) // the operator's installation
		to := apptest.Start(t, d)       // the department's

		sm := from.Login(t, "security@grid.demo")
		var reps struct {
			Reports []struct {
				ID    int64  `json:"id"`
				Kind  string `json:"kind"`
				State string `json:"state"`
			} `json:"reports"`
		}
		code, body := call(t, sm, "GET", "/api/v1/reports", nil, &reps)
		mustStatus(t, "list reports", code, http.StatusOK, body)
		var signed, draft int64
		for _, r := range reps.Reports {
			switch {
			case r.Kind == "annual" && r.State == "signed_off":
				signed = r.ID
			case r.State == "draft":
				draft = r.ID
			}
		}
		if signed == 0 || draft == 0 {
			t.Fatalf("the demo grid has no signed-off and draft report: %s", body)
		}
		res, bundle := sm.Do("POST", fmt.Sprintf("/api/v1/reports/%d/versions/1/bundle", signed), nil, jsonHdr(sm.CSRF))
		mustStatus(t, "export", res.StatusCode, http.StatusOK, bundle)
		var fromKey, toKey struct {
			Fingerprint string `json:"fingerprint"`
		}
		call(t, sm, "GET", "/api/v1/reports/key", nil, &fromKey)
		call(t, to.Login(t, "security@grid.demo"), "GET", "/api/v1/reports/key", nil, &toKey)

		reg := to.Login(t, "analyst@regulator.demo")
		grid := entryNamed(t, reg, "示例电网有限公司")
		res, body = reg.Do("POST", fmt.Sprintf("/api/v1/oversight/registry/%d/imports", grid), nil, jsonHdr(reg.CSRF), bundle)
		mustStatus(t, "import", res.StatusCode, http.StatusCreated, body)
		var im struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
		}
		if err := json.Unmarshal([]byte(body), &im); err != nil || im.State != "submitted" {
			t.Fatalf("imported %s; want the state submitted", body)
		}
		answer := func(c *apptest.Client, action, note string) (int, string) {
			return call(t, c, "POST", fmt.Sprintf("/api/v1/oversight/imports/%d/answers", im.ID), map[string]string{"action": action, "note": note}, nil)
		}
		inInbox := func(state string) bool {
			var got struct {
				Imports []struct{ ID int64 } `json:"imports"`
			}
			code, body := call(t, reg, "GET", "/api/v1/oversight/inbox?state="+state, nil, &got)
			mustStatus(t, "inbox by state", code, http.StatusOK, body)
			for _, x := range got.Imports {
				if x.ID == im.ID {
					return true
				}
			}
			return false
		}
		if !inInbox("submitted") || inInbox("accepted") {
			t.Errorf("before an answer the inbox lists the import under submitted %v, accepted %v; want true, false", inInbox("submitted"), inInbox("accepted"))
		}
		if code, body := answer(reg, "info_requested", ""); code != http.StatusBadRequest || !strings.Contains(body, `"note"`) {
			t.Errorf("more information asked without saying what: %d %s; want 400 on note", code, body)
		}
		if code, body := answer(reg, "escalated", "上报"); code != http.StatusBadRequest || !strings.Contains(body, `"action"`) {
			t.Errorf("an imported report escalated: %d %s; want 400 on action", code, body)
		}
		if code, body := answer(secondRegulator(t, to), "acknowledged", ""); code != http.StatusNotFound {
			t.Errorf("another department answers: %d %s; want 404", code, body)
		}
		if code, body := answer(to.Login(t, "inspector@regulator.demo"), "acknowledged", ""); code != http.StatusForbidden {
			t.Errorf("the inspector answers: %d %s; want 403", code, body)
		}
		// On the page, the same refusal comes back as the page with the note marked.
		reg.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		res, page := reg.Do("POST", fmt.Sprintf("/oversight/imports/%d/answer", im.ID), url.Values{"action": {"info_requested"}}, nil)
		if why, ok := htmltest.Parse(t, page).Refusal("note"); res.StatusCode != http.StatusBadRequest || !ok || !strings.Contains(why, "必填") {
			t.Errorf("the page's answer without a note: %d, note refused %v (%q); want 400 with the note marked 必填", res.StatusCode, ok, why)
		}
		const ask, accept = "请补充测评机构的资质证明。", "材料齐全，予以受理。"
		code, body = answer(reg, "info_requested", ask)
		mustStatus(t, "ask for more", code, http.StatusCreated, body)
		code, body = answer(reg, "accepted", accept)
		mustStatus(t, "accept", code, http.StatusCreated, body)
		if code, body := answer(reg, "acknowledged", ""); code != http.StatusConflict {
			t.Errorf("an answer after acceptance: %d %s; want 409", code, body)
		}
		if !inInbox("accepted") || inInbox("submitted") {
			t.Errorf("after acceptance the inbox lists the import under accepted %v, submitted %v; want true, false", inInbox("accepted"), inInbox("submitted"))
		}
		_, page = reg.Do("GET", fmt.Sprintf("/oversight/imports/%d", im.ID), nil, nil)
		doc := htmltest.Parse(t, page)
		if st := doc.ID("state").Text(); st != "已受理" {
			t.Errorf("the import's page says the state %q; want 已受理", st)
		}
		res, receipt := reg.Do("POST", fmt.Sprintf("/api/v1/oversight/imports/%d/receipt", im.ID), nil, jsonHdr(reg.CSRF))
		mustStatus(t, "the receipt", res.StatusCode, http.StatusOK, receipt)

		// On the operator's installation.
		imp := func(c *apptest.Client, report int64, b, pin string) (int, string) {
			res, body := c.Do("POST", fmt.Sprintf("/api/v1/reports/%d/receipts?key=%s", report, pin), nil, jsonHdr(c.CSRF), b)
			return res.StatusCode, body
		}
		var file map[string]any
		if err := json.Unmarshal([]byte(receipt), &file); err != nil {
			t.Fatal(err)
		}
		inner, _ := base64.StdEncoding.DecodeString(file["receipt"].(string))
		changed := strings.Replace(string(inner), "accepted", "rejected", 1)
		file["receipt"] = base64.StdEncoding.EncodeToString([]byte(changed))
		forged, _ := json.Marshal(file)
		for _, c := range []struct {
			what, receipt, pin string
			report             int64
			field, reason      string
		}{
			{"a byte of the receipt changed", string(forged), "", signed, "receipt", "does not verify"},
			{"pinned to the operator's own key", receipt, fromKey.Fingerprint, signed, "key", "not with " + fromKey.Fingerprint},
			{"on a report it does not answer", receipt, "", draft, "receipt", "no signed-off version of this report"},
		} {
			code, body := imp(sm, c.report, c.receipt, c.pin)
			if code != http.StatusBadRequest || !strings.Contains(body, `"`+c.field+`"`) || !strings.Contains(body, c.reason) {
				t.Errorf("%s: %d %s; want 400 on %s saying %q", c.what, code, body, c.field, c.reason)
			}
		}
		if code, body := imp(from.Login(t, "security@water.demo"), signed, receipt, ""); code != http.StatusNotFound {
			t.Errorf("another operator imports on the grid's report: %d %s; want 404", code, body)
		}
		// The report page's form: a file that is no receipt comes back marked.
		sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("_csrf", sm.CSRF)
		fw, _ := mw.CreateFormFile("receipt", "回执.json")
		_, _ = fw.Write([]byte(`{"format":"ciiguard-report-bundle/1"}`))
		mw.Close()
		res, page = sm.Do("POST", fmt.Sprintf("/reports/%d/receipts", signed), nil, map[string]string{"Content-Type": mw.FormDataContentType()}, buf.String())
		if why, ok := htmltest.Parse(t, page).Refusal("receipt"); res.StatusCode != http.StatusBadRequest || !ok || why == "" {
			t.Errorf("the report page's receipt form with no receipt: %d, refused %v (%q); want 400 with the file marked", res.StatusCode, ok, why)
		}
		code, body = imp(sm, signed, receipt, toKey.Fingerprint)
		mustStatus(t, "import the receipt", code, http.StatusCreated, body)
		if code, body := imp(sm, signed, receipt, ""); code != http.StatusConflict {
			t.Errorf("the same receipt again: %d %s; want 409", code, body)
		}
		res, page = sm.Do("GET", fmt.Sprintf("/reports/%d", signed), nil, nil)
		mustStatus(t, "the report's page", res.StatusCode, http.StatusOK, page)
		doc = htmltest.Parse(t, page)
		rows := doc.ID("receipts").Rows()
		var got []string
		for _, r := range rows {
			got = append(got, strings.Join(r, "|"))
		}
		all := strings.Join(got, "\n")
		if len(rows) != 2 || !strings.Contains(rows[0][0], "要求补充材料") || !strings.Contains(rows[0][1], ask) || !strings.Contains(rows[1][0], "已接受") || !strings.Contains(rows[1][1], accept) {
			t.Errorf("the report's receipts read\n%s\nwant more information asked (%s), then accepted (%s)", all, ask, accept)
		}
		if txt := doc.ID("receipts").Text(); !strings.Contains(txt, toKey.Fingerprint) || !strings.Contains(txt, "主管部门回执") {
			t.Errorf("the receipts section lacks the department's key or its title: %s", txt)
		}
	})
}
