package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// reasonFormats finds, in every non-test Go file under root that imports the problem
// package, the English reason formats passed as literals to problem.Field, Invalid.Add and
// problem.Conflictf, and the literal reasons of problem.Conflict values.
func reasonFormats(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{} // format -> where
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(f.Imports, func(s *ast.ImportSpec) bool { return s.Path.Value == `"ciiguard/internal/problem"` }) &&
			f.Name.Name != "problem" {
			return nil
		}
		add := func(e ast.Expr) {
			if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				out[s] = fset.Position(lit.Pos()).String()
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				sel, ok := x.Fun.(*ast.SelectorExpr)
				if !ok || len(x.Args) < 2 {
					return true
				}
				switch sel.Sel.Name {
				case "Field", "Conflictf":
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "problem" {
						add(x.Args[1])
					}
				case "Add":
					add(x.Args[1])
				}
			case *ast.CompositeLit:
				if sel, ok := x.Type.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Conflict" || sel.Sel.Name == "TooMany") {
					for _, e := range x.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "Reason" {
							add(kv.Value)
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	verbRE      = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)
	onlyVerbsRE = regexp.MustCompile(`^(\s|[:;,]|%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z])*$`)
)

// verbs lists a format's verbs without explicit argument indexes, sorted, so that a
// translation that reorders its arguments still matches.
func verbs(format string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(format, -1) {
		out = append(out, regexp.MustCompile(`\[\d+\]`).ReplaceAllString(v, ""))
	}
	slices.Sort(out)
	return out
}

// TestReasonsTranslated holds every validation reason in the code to having a Chinese
// translation with the same verbs, and every translation to a reason the code still
// gives, so that a form never shows a Chinese reader an English reason.
func TestReasonsTranslated(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	tr := env.App.Web.Messages.Reasons(web.LangZH)
	formats := reasonFormats(t, "..")
	if len(formats) < 50 {
		t.Fatalf("found only %d reason formats; is the scan looking in the right place?", len(formats))
	}
	for format, where := range formats {
		if onlyVerbsRE.MatchString(format) {
			continue // passes another message through
		}
		zh, ok := tr(format)
		if !ok {
			t.Errorf("%s: reason %q has no zh-CN translation (messages/reasons.zh-CN.json)", where, format)
			continue
		}
		if !slices.Equal(verbs(format), verbs(zh)) {
			t.Errorf("%s: translation %q of %q has other verbs", where, zh, format)
		}
	}
	for _, format := range env.App.Web.Messages.ReasonFormats(web.LangZH) {
		if _, ok := formats[format]; !ok {
			t.Errorf("translation of %q: no code gives this reason any more", format)
		}
	}
}

// TestFormErrorsInChinese submits a bad form in Chinese and sees the fields' reasons in
// Chinese, while the API keeps answering in English.
func TestFormErrorsInChinese(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "admin@grid.demo")
	if res, _ := c.Do("POST", "/lang", url.Values{"lang": {web.LangZH}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch to Chinese: %d", res.StatusCode)
	}
	res, body := c.Do("POST", "/users", url.Values{"email": {"not-an-email"}, "name": {""}, "role": {"analyst"}, "password": {"short"}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad user form: %d, want 400", res.StatusCode)
	}
	for _, want := range []string{"不是有效的电子邮箱地址", "至少 12 个字符"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Chinese form does not show %q", want)
		}
	}
	if strings.Contains(body, "is not a valid e-mail address") {
		t.Error("the Chinese form shows the English reason")
	}
	res, body = c.Do("POST", "/api/v1/scope/systems", nil, map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}, `{"name":""}`)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"reason":"is required"`) {
		t.Fatalf("API answer: %d %s, want the English reason", res.StatusCode, body)
	}
}
