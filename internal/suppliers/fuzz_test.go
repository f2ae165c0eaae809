package suppliers

import (
	"regexp"
	"strings"
	"testing"

	"ciiguard/internal/problem"
)

var refusalField = regexp.MustCompile(`^(file|rows\[\d+\]\.[a-z_ 0-9]+)$`)

// FuzzParseImport feeds the CSV parser arbitrary bytes: it never panics, every refusal names
// the file or a row's column, and the rows it returns have one cell per known column.
func FuzzParseImport(f *testing.F) {
	for _, s := range []string{
		"supplier_name,country,uscc\n甲公司,CN,91110108MA01ABCD5T\n",
		"\ufeff供应商名称,注册地,境外注册号,产品或服务名称,类别,使用的系统\nAcme,DE,HRB 1,路由器,critical_network_equipment,办公网；门户网站\n",
		"supplier_name,country\n\"unclosed,CN\n",
		"supplier_name,supplier_name\n",
		"\xff\xfe",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v := &problem.Invalid{}
		rows := parseImport(strings.NewReader(string(data)), v)
		for _, fe := range v.Fields {
			if !refusalField.MatchString(fe.Field) {
				t.Fatalf("refusal on %q: %s", fe.Field, fe.Reason)
			}
		}
		for _, r := range rows {
			if r.line < 2 {
				t.Fatalf("a data row on line %d", r.line)
			}
			for c := range r.cells {
				if c == "" {
					t.Fatalf("a cell without a column: %v", r.cells)
				}
			}
		}
	})
}

// TestParseImportRefusals checks the file-level refusals against hand-written cases.
func TestParseImportRefusals(t *testing.T) {
	for _, c := range []struct{ in, field, reason string }{
		{"", "file", "is empty or not CSV"},
		{"\xff\xfe\x00", "file", "is not UTF-8"},
		{"supplier_name,colour\n", "rows[1].column 2", "is not a column"},
		{"supplier_name\n甲,乙\n", "rows[1].country", "column is required"},
		{"supplier_name,country\n甲,CN,多余\n", "rows[2].row", "has 3 cells, the header names 2 columns"},
		{"supplier_name,country\n", "file", "has no rows"},
		{"supplier_name,country\n\"甲,CN\n", "rows[2].row", "cannot be read as CSV"},
	} {
		v := &problem.Invalid{}
		parseImport(strings.NewReader(c.in), v)
		found := false
		for _, fe := range v.Fields {
			found = found || (fe.Field == c.field && strings.Contains(fe.Reason, c.reason))
		}
		if !found {
			t.Errorf("%q: refusals %v, want %s: %s", c.in, v.Fields, c.field, c.reason)
		}
	}
}
