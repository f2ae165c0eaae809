package app_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
)

// TestImportErrorsInChinese uploads a broken CSV file through the import form in Chinese:
// every problem is listed with its line, the column by its Chinese header and the reason
// in Chinese (the expected words are written out here), and the page has no English word
// the allow-list does not hold.
func TestImportErrorsInChinese(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	allow := readAllowList(t, "testdata/zh-allowlist.txt")
	c := env.Login(t, demoEmail[auth.SecurityManager])
	if res, _ := c.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}, "next": {"/"}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch to Chinese: %d", res.StatusCode)
	}
	upload := func(file string) string {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("_csrf", c.CSRF)
		mw.WriteField("dry_run", "on")
		fw, _ := mw.CreateFormFile("file", "systems.csv")
		fw.Write([]byte(file))
		mw.Close()
		res, body := c.Do("POST", "/scope/import", nil, map[string]string{"Content-Type": mw.FormDataContentType()}, buf.String())
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("import of a broken file: %d, want 400", res.StatusCode)
		}
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		var links []string
		visible(doc, false, &text, &links)
		return strings.Join(strings.Fields(text.String()), " ")
	}
	page := upload("系统名称,安全保护等级,存储个人信息\n甲系统,七,是\n乙系统,3,也许\n") +
		upload("系统名称,安全保护等级,存储个人信息\n丙系统,3\n") + upload("名称,安全保护等级\n丁系统,3\n")
	for _, want := range []string{
		"2 安全保护等级 应为 0 至 5 的整数，而不是 \"七\"",
		"3 存储个人信息 必须是“是”或“否”",
		"2 整行 有 2 个单元格，而表头有 3 列",
		"1 名称 不是系统清单的列（列名见导出文件）",
		"1 系统名称 列是必需的：按系统名称匹配系统",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the import page lacks %q:\n%s", want, page)
		}
	}
	for _, w := range latinWords(page) {
		if !allow.ok(w) && w != "true/false" && w != "yes/no" {
			t.Errorf("English %q on the import page: %s", w, page)
		}
	}
}
