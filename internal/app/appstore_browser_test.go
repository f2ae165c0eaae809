package app_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/appstore"
	"ciiguard/internal/calendar"
	"ciiguard/internal/notify"
	"ciiguard/internal/store"
)

// TestBrowserAppStoreInChinese is the demo app store's reviewer (system owner of 示例应用市场)
// working in Chinese: she registers an individual developer, sends the one-time code (read
// from the SMS outbox, as the operator's gateway would), confirms it and verifies him; she
// submits his app without a filing number and is refused with the MIIT 2023 notice's
// reason, then with one; the package she uploads asks for READ_SMS and INTERNET, which the
// automated review flags as a permission combination; approving without a note is refused,
// with a note it stands, and the app goes on sale. A user then complains through the
// public form in a browser with no session (its proof of work runs in the page) and gets a
// receipt with the date the answer is due — 15 working days for personal information —
// and the reviewer answers it on the complaints page, in time.
func TestBrowserAppStoreInChinese(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	var n *notify.Module
	for _, m := range env.App.Modules {
		if nm, ok := m.(*notify.Module); ok {
			n = nm
		}
	}
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			screenshot(t, ctx, "appstore-failed")
			t.Fatalf("%s: %v", what, err)
		}
	}
	signIn(t, ctx, env, "reviewer@appstore.demo")
	run("switch to Chinese",
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
	)

	// A developer registers and is verified.
	run("register the developer",
		chromedp.Navigate(env.URL+"/appstore/developers"),
		chromedp.Click(chromedp.CSS(`#new-developer summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#developer-form`)),
		chromedp.SetValue(chromedp.CSS(`#kind`), "individual"),
		chromedp.SetValue(chromedp.CSS(`#name`), "林晓"),
		chromedp.SetValue(chromedp.CSS(`#resident_id`), "11010519491231002X"),
		chromedp.SetValue(chromedp.CSS(`#phone`), "13700001111"),
		chromedp.Click(chromedp.CSS(`#developer-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#send-code`)),
	)
	devURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	devID := devURL[strings.LastIndex(devURL, "/")+1:]
	if s := text(ctx, t, "#developer-state"); s != "待核验" {
		t.Errorf("new developer %q, want 待核验", s)
	}
	// The confirmation form is on the page before the code is sent, so it says nothing of
	// the click's post having been answered: deliver until the outbox holds the SMS (it
	// raced in a loaded make test: 'open …/sms-outbox.jsonl: no such file or directory').
	run("send the code", chromedp.Click(chromedp.CSS(`#send-code`)))
	var b []byte
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err := n.Deliver(t.Context()); err != nil {
			t.Fatal(err)
		}
		var err error
		if b, err = os.ReadFile(n.SMSOutbox()); err == nil && len(b) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the SMS outbox after 15 s: %v", err)
		}
	}
	var sms notify.OutboxMessage
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(b))), &sms); err != nil || sms.To != "13700001111" {
		t.Fatalf("the outbox holds %q; want one SMS to 13700001111", b)
	}
	code := regexp.MustCompile(`[0-9]{6}`).FindString(sms.Text)
	run("confirm the code and verify the developer",
		chromedp.SetValue(chromedp.CSS(`#code`), code),
		chromedp.Click(chromedp.CSS(`#confirm-code`)),
		chromedp.WaitVisible(chromedp.CSS(`#phone-state.status-met`)),
		chromedp.SetValue(chromedp.CSS(`#state`), "verified"),
		chromedp.Click(chromedp.CSS(`#decide`)),
		chromedp.WaitVisible(chromedp.CSS(`#developer-state.status-met`)),
	)
	if s := text(ctx, t, "#developer-state"); s != "已核验" {
		t.Errorf("developer after verification %q, want 已核验", s)
	}

	// The app without a filing number is refused with the reason, then submitted with one.
	run("submit the app without a filing number",
		chromedp.Navigate(env.URL+"/appstore/apps"),
		chromedp.Click(chromedp.CSS(`#new-app summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#app-form`)),
		chromedp.SetValue(chromedp.CSS(`#developer_id`), devID),
		chromedp.SetValue(chromedp.CSS(`#name`), "短信助手"),
		chromedp.SetValue(chromedp.CSS(`#package`), "cn.example.smshelper"),
		chromedp.SetValue(chromedp.CSS(`#declared_permissions`), "READ_SMS\nINTERNET"),
		chromedp.Click(chromedp.CSS(`#app-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#filing_number-error`)),
	)
	if s := text(ctx, t, "#filing_number-error"); s != "必填：未取得备案号的应用不得分发（工业和信息化部2023年App备案通知）" {
		t.Errorf("refusal %q, want the MIIT 2023 notice's reason in Chinese", s)
	}
	screenshot(t, ctx, "appstore-unfiled-refused-zh")
	run("submit it with a filing number",
		chromedp.SetValue(chromedp.CSS(`#filing_number`), "京ICP备20269999号-1A"),
		chromedp.Click(chromedp.CSS(`#app-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#upload-form`)),
	)

	// The package asks for READ_SMS and INTERNET: the automated review flags it.
	cert, err := appstore.NewCertificate("林晓")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := appstore.BuildAPK(appstore.APKSpec{Package: "cn.example.smshelper", VersionCode: 1, VersionName: "1.0.0", MinSDK: 24, TargetSDK: 34,
		Permissions: []string{"android.permission.READ_SMS", "android.permission.INTERNET"}, Cert: cert})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "smshelper.apk")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	run("upload the package",
		chromedp.SetUploadFiles(chromedp.CSS(`#apk`), []string{file}),
		chromedp.Click(chromedp.CSS(`#upload-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#versions article[id^="version-"]`)),
	)
	if s := text(ctx, t, `span[id^="auto-"]`); s != "需人工关注" {
		t.Errorf("automated review %q, want 需人工关注", s)
	}
	if s := text(ctx, t, `ul.findings li[data-code="permission_combination"]`); !strings.HasPrefix(s, "敏感权限组合：READ_SMS + INTERNET") {
		t.Errorf("finding %q, want the READ_SMS + INTERNET combination", s)
	}
	screenshot(t, ctx, "appstore-review-flagged-zh")
	run("approve without a note",
		chromedp.SetValue(chromedp.CSS(`select[id^="decision-select-"]`), "approved"),
		chromedp.Click(chromedp.CSS(`button[id^="review-submit-"]`)),
		chromedp.WaitVisible(chromedp.CSS(`div[id^="note-"][id$="-error"]`)),
	)
	if s := text(ctx, t, `div[id^="note-"][id$="-error"]`); !strings.HasPrefix(s, "批准被自动审核标记的版本时必填") {
		t.Errorf("approval without a note: %q, want the note required", s)
	}
	run("approve with a note and publish",
		chromedp.SetValue(chromedp.CSS(`select[id^="decision-select-"]`), "approved"),
		chromedp.SetValue(chromedp.CSS(`textarea[id^="note-"]`), "读取短信仅用于自动填写验证码，已核对隐私政策和权限说明"),
		chromedp.Click(chromedp.CSS(`button[id^="review-submit-"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[id^="publish-"]`)),
		chromedp.Click(chromedp.CSS(`button[id^="publish-"]`)),
		chromedp.WaitVisible(chromedp.CSS(`span[id^="published-"]`)),
	)
	if s := text(ctx, t, "#app-state"); s != "已上架" {
		t.Errorf("app %q, want 已上架", s)
	}
	if s := text(ctx, t, `span[id^="decision-"]`); s != "已批准" {
		t.Errorf("decision %q, want 已批准", s)
	}

	// A user complains through the public form, in a browser with no session.
	run("find the public form", chromedp.Navigate(env.URL+"/appstore"), chromedp.WaitVisible(chromedp.CSS(`#public-form-link`)))
	public := eval[string](ctx, t, `document.querySelector('#public-form-link').getAttribute('href')`)
	visitor := Browser(t)
	if err := chromedp.Do(visitor,
		chromedp.Navigate(env.URL+public),
		chromedp.WaitVisible(chromedp.CSS(`#complaint-form`)),
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
		chromedp.SetValue(chromedp.CSS(`#kind`), "personal_information"),
		chromedp.SetValue(chromedp.CSS(`#app`), "短信助手"),
		chromedp.SetValue(chromedp.CSS(`#subject`), "未经同意上传通讯录"),
		chromedp.SetValue(chromedp.CSS(`#body`), "安装后发现应用上传了我的通讯录，请删除并说明用途。"),
		chromedp.Click(chromedp.CSS(`#complaint-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#receipt`)),
	); err != nil {
		screenshot(t, visitor, "appstore-public-failed")
		t.Fatalf("the public complaint: %v", err)
	}
	screenshot(t, visitor, "appstore-public-receipt-zh")
	receipt := text(visitor, t, "#receipt")
	if !regexp.MustCompile(`^TS[0-9]{8}-[2-9A-Z]{8}$`).MatchString(receipt) {
		t.Errorf("receipt %q, want TS, the date and eight characters", receipt)
	}
	// The personal-information clock: 15 working days on the official calendar, the last
	// one ending 24:00 Beijing time.
	last, err := calendar.AddWorkingDays(time.Now().In(calendar.Shanghai), 15)
	if err != nil {
		t.Fatal(err)
	}
	due := last.Format("2006-01-02") + " 24:00"
	if s := text(visitor, t, "#answer-due"); !strings.Contains(s, due) {
		t.Errorf("answer due %q, want %s", s, due)
	}

	// The reviewer answers it within its clock.
	run("answer the complaint", chromedp.Navigate(env.URL+"/appstore/complaints"), chromedp.WaitVisible(chromedp.CSS(`article[id^="complaint-"]`)))
	id := strings.TrimPrefix(eval[string](ctx, t, `document.querySelector('article[id^="complaint-"]').id`), "complaint-")
	if s := text(ctx, t, "#receipt-"+id); s != receipt {
		t.Fatalf("newest complaint %q, want the receipt %s", s, receipt)
	}
	if s := text(ctx, t, "#due-"+id); s != due {
		t.Errorf("due on the complaints page %q, want %s", s, due)
	}
	run("reply and close",
		chromedp.SetValue(chromedp.CSS("#reply-in-"+id), "已核实：应用在未取得单独同意时上传通讯录，已责令开发者删除数据并整改，整改前暂停更新。"),
		chromedp.Click(chromedp.CSS("#close-"+id)),
		chromedp.Click(chromedp.CSS("#handle-submit-"+id)),
		chromedp.WaitVisible(chromedp.CSS("#cstate-"+id+".status-met")),
	)
	screenshot(t, ctx, "appstore-complaint-answered-zh")
	if s := text(ctx, t, "#cstate-"+id); s != "已按时答复" {
		t.Errorf("complaint %q, want 已按时答复", s)
	}
	if s := text(ctx, t, "#complaint-"+id); !strings.Contains(s, "已关闭") {
		t.Errorf("complaint not shown closed: %q", s)
	}
}
