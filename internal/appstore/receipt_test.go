package appstore_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/appstore"
	"ciiguard/internal/store"
)

// TestReceiptLookup: a complainant without an account looks up their complaint by the
// receipt number the form gave them. The oracle is what the form itself showed (the
// receipt, the answer's due date) and the texts the test typed: the status page shows the
// kind, state and times — 待处理 before the answer, 已答复 with its time after — and never
// the subject, the text or the contact. A well-formed number no complaint of this store
// carries, and this store's receipt asked of another store, are the same 404; a malformed
// number is 400 naming `receipt`; the 21st look-up from one address in an hour is 429.
// It failed first without the routes: "look-up: 404".
func TestReceiptLookup(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	staff := env.Login(t, "service@appstore.demo")
	var me struct {
		Org struct{ ID int64 } `json:"org"`
	}
	api(t, staff, "GET", "/api/v1/me", "", 200, &me)
	water := env.Login(t, "admin@water.demo")
	api(t, water, "PUT", "/api/v1/appstore/platform", `{"name":"水务应用市场","online_on":"2026-01-05"}`, 200, nil)
	var waterMe struct {
		Org struct{ ID int64 } `json:"org"`
	}
	api(t, water, "GET", "/api/v1/me", "", 200, &waterMe)

	anon := env.NewClient(t)
	const subject, text, contact = "偷偷读取通讯录", "安装后未经同意上传了我的通讯录。", "13912345678"
	path := fmt.Sprintf("/public/appstore/%d/complaints", me.Org.ID)
	res, form := anon.Do("GET", path, nil, nil)
	ch := challengeRE.FindStringSubmatch(form)
	if res.StatusCode != 200 || ch == nil {
		t.Fatalf("public form: %d", res.StatusCode)
	}
	challenge := strings.ReplaceAll(ch[1], "&#43;", "+")
	res, sent := anon.Do("POST", path, url.Values{"kind": {"personal_information"}, "subject": {subject}, "body": {text}, "contact": {contact},
		"challenge": {challenge}, "counter": {appstore.Solve(challenge)}}, nil)
	r := receiptRE.FindStringSubmatch(sent)
	due := regexp.MustCompile(`(\d{4}-\d{2}-\d{2} \d{2}:\d{2})`).FindString(sent)
	if res.StatusCode != 200 || r == nil || due == "" {
		t.Fatalf("public complaint: %d, receipt %v, due %q", res.StatusCode, r, due)
	}
	receipt := r[1]

	look := func(c *apptest.Client, org int64, number string) (int, string) {
		t.Helper()
		res, body := c.Do("POST", fmt.Sprintf("/public/appstore/%d/receipt", org), url.Values{"receipt": {number}}, map[string]string{"Accept-Language": "zh-CN"})
		return res.StatusCode, body
	}
	cell := func(body, id string) string {
		m := regexp.MustCompile(`id="` + id + `"[^>]*>([^<]*)<`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return strings.TrimSpace(m[1])
	}
	// Typed in lower case with spaces around it, as a person might.
	code, body := look(anon, me.Org.ID, "  "+strings.ToLower(receipt)+" ")
	if code != 200 {
		t.Fatalf("look-up: %d", code)
	}
	if got := cell(body, "status-state"); got != "待处理" {
		t.Errorf("state before the answer: %q, want 待处理", got)
	}
	if got := cell(body, "status-due"); got != due {
		t.Errorf("due: %q, want %q as the form said on submission", got, due)
	}
	if got := cell(body, "status-kind"); got != "个人信息" {
		t.Errorf("kind: %q, want 个人信息", got)
	}
	for _, secret := range []string{subject, text, contact} {
		if strings.Contains(body, secret) {
			t.Errorf("the status page shows %q", secret)
		}
	}
	if strings.Contains(body, `id="status-replied"`) {
		t.Error("an unanswered complaint shows an answer time")
	}

	// The staff answer it; the status says so, with the answer's time but not its text.
	var list struct {
		Complaints []struct {
			ID      int64  `json:"id"`
			Receipt string `json:"receipt"`
			DueAt   string `json:"due_at"`
		}
	}
	api(t, staff, "GET", "/api/v1/appstore/complaints", "", 200, &list)
	var id int64
	for _, c := range list.Complaints {
		if c.Receipt == receipt {
			id = c.ID
		}
	}
	const reply = "已下架该应用并通知开发者删除上传的数据。"
	api(t, staff, "PUT", fmt.Sprintf("/api/v1/appstore/complaints/%d", id), `{"reply":"`+reply+`"}`, 200, nil)
	code, body = look(anon, me.Org.ID, receipt)
	if code != 200 || cell(body, "status-state") != "已答复" || cell(body, "status-replied") == "" || strings.Contains(body, reply) {
		t.Errorf("after the answer: %d, state %q, answered %q, reply shown %v; want 200, 已答复, a time, no reply text",
			code, cell(body, "status-state"), cell(body, "status-replied"), strings.Contains(body, reply))
	}

	// Unknown and other stores' numbers are the same 404; a malformed one is 400.
	unknown := receipt[:len(receipt)-8] + "ZZZZZZZZ"
	if receipt[len(receipt)-8:] == "ZZZZZZZZ" {
		unknown = receipt[:len(receipt)-8] + "YYYYYYYY"
	}
	code, notFound := look(anon, me.Org.ID, unknown)
	if code != http.StatusNotFound || !strings.Contains(notFound, `id="receipt-not-found"`) {
		t.Errorf("an unknown receipt: %d, want 404 with the not-found message", code)
	}
	code, elsewhere := look(anon, waterMe.Org.ID, receipt)
	if code != http.StatusNotFound || !strings.Contains(elsewhere, `id="receipt-not-found"`) || strings.Contains(elsewhere, `id="receipt-status"`) {
		t.Errorf("this store's receipt at another store: %d, want the same 404", code)
	}
	if code, body := look(anon, me.Org.ID, "TS2026-12"); code != http.StatusBadRequest || !strings.Contains(body, `id="receipt-error"`) {
		t.Errorf("a malformed receipt: %d, want 400 naming the receipt", code)
	}
	if res, _ := anon.Do("GET", "/public/appstore/999999/receipt", nil, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("an organisation that does not exist: %d, want 404", res.StatusCode)
	}

	// Four well-formed look-ups so far from this address; sixteen more are allowed.
	for i := 5; i <= 20; i++ {
		if code, _ := look(anon, me.Org.ID, unknown); code != http.StatusNotFound {
			t.Fatalf("look-up %d: %d, want 404", i, code)
		}
	}
	res, _ = anon.Do("POST", fmt.Sprintf("/public/appstore/%d/receipt", me.Org.ID), url.Values{"receipt": {receipt}}, nil)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("21st look-up in the hour: %d, want 429 with Retry-After", res.StatusCode)
	}
}
