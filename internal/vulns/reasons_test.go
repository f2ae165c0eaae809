package vulns

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOwnReasonsTranslated: the app-wide reason check sees only literals passed straight to
// problem.Field, Invalid.Add and problem.Conflictf; this package also words reasons through
// its own helpers (add, bad, reasonf, Problem rows of an import preview), so each literal
// format given to them must have its Chinese in messages/reasons.zh-CN.json, with the same
// verbs in the same order.
func TestOwnReasonsTranslated(t *testing.T) {
	b, err := os.ReadFile("messages/reasons.zh-CN.json")
	if err != nil {
		t.Fatal(err)
	}
	zh := map[string]string{}
	if err := json.Unmarshal(b, &zh); err != nil {
		t.Fatal(err)
	}
	// helper name → index of its format argument
	helpers := map[string]int{"addTo": 1, "Add": 1, "Field": 1, "Conflictf": 1}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	found := 0
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			}
			i, ok := helpers[name]
			if !ok || len(call.Args) <= i {
				return true
			}
			var format string
			switch a := call.Args[i].(type) {
			case *ast.BasicLit:
				if a.Kind != token.STRING {
					return true
				}
				format, _ = strconv.Unquote(a.Value)
			default:
				return true
			}
			if format == "%s" || !strings.Contains(format, " ") {
				return true // a passed-through reason, or a field name
			}
			found++
			tr, ok := zh[format]
			if !ok {
				t.Errorf("%s: %q has no Chinese", fset.Position(call.Pos()), format)
			} else if verbs(tr) != verbs(format) {
				t.Errorf("%q: Chinese %q has verbs %q, want %q", format, tr, verbs(tr), verbs(format))
			}
			return true
		})
	}
	if found < 30 {
		t.Errorf("found %d reason formats; the scan is broken", found)
	}
}

// verbs is the sequence of fmt verbs in s.
func verbs(s string) string {
	var out []string
	for i := 0; i < len(s)-1; i++ {
		if s[i] == '%' {
			out = append(out, s[i:i+2])
			i++
		}
	}
	return strings.Join(out, " ")
}
