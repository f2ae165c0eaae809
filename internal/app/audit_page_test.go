package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
)

// TestAuditPageTranslatesActions: the audit page in Chinese names each action in Chinese
// (a hand-written table of what an auditor reads), never the stored code such as
// write_refused; after an analyst's refused write, its entry reads 拒绝写入请求.
func TestAuditPageTranslatesActions(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	analyst := env.Login(t, demoEmail[auth.Analyst])
	if res, _ := analyst.Do("POST", "/api/v1/users", nil, map[string]string{"Content-Type": "application/json", "X-CSRF-Token": analyst.CSRF}, `{"email":"x@grid.demo","name":"X","role":"admin","password":"long-enough-password"}`); res.StatusCode != http.StatusForbidden {
		t.Fatalf("analyst creating a user: %d, want 403", res.StatusCode)
	}
	want := map[string]string{"create": "新建", "update": "修改", "delete": "删除", "read": "查阅", "login": "登录",
		"signin_failed": "登录失败", "sender_refused": "拒绝日志发送方", "write_refused": "拒绝写入请求"}
	auditor := env.Login(t, demoEmail[auth.Auditor])
	if res, _ := auditor.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}, "next": {"/"}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch to Chinese: %d", res.StatusCode)
	}
	_, body := auditor.Do("GET", "/audit", nil, nil)
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Td && attr(n, "class") == "audit-action" {
			action := attr(n, "data-action")
			var b strings.Builder
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.TextNode {
					b.WriteString(c.Data)
				}
			}
			got := strings.TrimSpace(b.String())
			w, ok := want[action]
			switch {
			case ok && got != w:
				t.Errorf("action %q shown as %q, want %q", action, got, w)
			case got == "" || strings.ContainsAny(got, "abcdefghijklmnopqrstuvwxyz[]"):
				// Actions other capabilities add: at least Chinese, not the code.
				t.Errorf("action %q shown as %q, not in Chinese", action, got)
			}
			seen[action]++
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if seen["write_refused"] == 0 || seen["create"] == 0 {
		t.Fatalf("the audit page shows actions %v; want the refused write and the demo's creations", seen)
	}
}
