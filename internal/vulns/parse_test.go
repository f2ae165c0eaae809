package vulns

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestParseCSAF reads the vendor advisory of testdata (written for these tests: two
// vulnerabilities, the first in 下一代防火墙 6.4, the second in Web应用防火墙 4.0) and
// compares what comes out with what the file says, read by hand; broken advisories are
// refused naming the member.
func TestParseCSAF(t *testing.T) {
	b, err := os.ReadFile("testdata/jinghua-sa-2026-017.json")
	if err != nil {
		t.Fatal(err)
	}
	p := ParseCSAF(b)
	if len(p.Problems) != 0 || len(p.Items) != 2 {
		t.Fatalf("%d items, problems %+v; want 2 and none", len(p.Items), p.Problems)
	}
	if p.Document != "JH-SA-2026-017 · 京华信息安全技术有限公司" {
		t.Errorf("document %q", p.Document)
	}
	a, w := p.Items[0].In, p.Items[1].In
	if a.CVE != "CVE-2026-41234" || a.CNVD != "CNVD-2026-81234" || a.Title != "下一代防火墙 SSL VPN 组件认证绕过漏洞" || a.Nature != "CWE-287 Improper Authentication" ||
		a.CVSSVector != "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" || a.DiscoveredAt != "2026-11-20T09:00:00+08:00" || !a.Disclosed ||
		!slices.Equal(a.Products, []ProductSpec{{Name: "下一代防火墙", Version: "6.4"}}) || a.Scope != "下一代防火墙 6.4" {
		t.Errorf("first vulnerability %+v", a)
	}
	if w.CVE != "CVE-2026-41235" || !strings.HasPrefix(w.CVSSVector, "CVSS:4.0/") || !slices.Equal(w.Products, []ProductSpec{{Name: "Web应用防火墙", Version: "4.0"}}) || p.Items[1].Line != 1 {
		t.Errorf("second vulnerability %+v (line %d)", w, p.Items[1].Line)
	}

	doc := func(edit func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		out, _ := json.Marshal(m)
		return out
	}
	vulnsOf := func(m map[string]any) []any { return m["vulnerabilities"].([]any) }
	for _, c := range []struct {
		name  string
		in    []byte
		items int
		want  []string // "line field: a part of the reason"
	}{
		{"not JSON", []byte(`{"document": `), 0, []string{"0 document: is not JSON: it ends early"}},
		{"syntax", []byte(`{"document": x}`), 0, []string{"0 document: syntax error at byte 14"}},
		{"two objects", append(append([]byte{}, b...), '{', '}'), 0, []string{"0 document: has more after"}},
		{"version", doc(func(m map[string]any) { m["document"].(map[string]any)["csaf_version"] = "1.2" }), 0, []string{`0 document.csaf_version: must be 2.0, not "1.2"`}},
		{"tracking id", doc(func(m map[string]any) { delete(m["document"].(map[string]any)["tracking"].(map[string]any), "id") }), 0, []string{"0 document.tracking.id: is required by CSAF 2.0"}},
		{"type", doc(func(m map[string]any) { m["document"].(map[string]any)["title"] = 7 }), 0, []string{"0 document.title: has the wrong JSON type"}},
		{"unknown product", doc(func(m map[string]any) {
			vulnsOf(m)[0].(map[string]any)["product_status"] = map[string]any{"known_affected": []any{"NGFW-9"}}
		}), 1, []string{`0 vulnerabilities[0].product_status.known_affected[0]: "NGFW-9" is not a product`}},
		{"no score", doc(func(m map[string]any) { delete(vulnsOf(m)[1].(map[string]any), "scores") }), 1, []string{"1 vulnerabilities[1].scores: has no CVSS vector"}},
		{"no vulnerability", doc(func(m map[string]any) { m["vulnerabilities"] = []any{} }), 0, []string{"0 vulnerabilities: the advisory names no vulnerability"}},
	} {
		p := ParseCSAF(c.in)
		var got []string
		for _, pr := range p.Problems {
			got = append(got, fmt.Sprintf("%d %s: %s", pr.Line, pr.Field, pr.Reason))
		}
		if len(p.Items) != c.items || len(got) != len(c.want) {
			t.Errorf("%s: %d items, problems %q; want %d items and %d problems", c.name, len(p.Items), got, c.items, len(c.want))
			continue
		}
		for i := range got {
			line, rest, _ := strings.Cut(c.want[i], ": ")
			if !strings.HasPrefix(got[i], line+": ") || !strings.Contains(got[i], rest) {
				t.Errorf("%s: problem %q, want %q", c.name, got[i], c.want[i])
			}
		}
	}
}

// TestParseCSV reads a file whose lines were counted by hand: the header is line 1; lines
// 2 and 7 are good, 3 has no product, 4 a flag that is neither yes nor no, 5 a field more
// than the header, 6 is blank (skipped), 8 a quote out of place (reading stops there).
func TestParseCSV(t *testing.T) {
	in := "\ufefftitle,cve,product,version,national_security,cvss_vector\n" +
		"防火墙认证绕过,CVE-2026-41234,下一代防火墙,6.4,yes,CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n" +
		"无产品,CVE-2026-1000,,,no,\n" +
		"标志不对,,交换机,1,maybe,\n" +
		"字段多,,交换机,1,no,,extra\n" +
		"\n" +
		"\"带引号, 的名称\",CVE-2026-41235,Web应用防火墙,4.1,是,CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\n" +
		"坏\"引号,,交换机,1,no,\n"
	p := ParseCSV([]byte(in))
	var lines []int
	for _, it := range p.Items {
		lines = append(lines, it.Line)
	}
	if !slices.Equal(lines, []int{2, 7}) {
		t.Errorf("items at lines %v, want 2 and 7", lines)
	}
	var got []string
	for _, pr := range p.Problems {
		got = append(got, fmt.Sprintf("%d %s", pr.Line, pr.Field))
	}
	if want := []string{"3 product", "4 national_security", "5 line", "8 line"}; !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v (%+v)", got, want, p.Problems)
	}
	if it := p.Items[1].In; it.Title != "带引号, 的名称" || !it.NationalSecurity || it.Products[0] != (ProductSpec{Name: "Web应用防火墙", Version: "4.1"}) {
		t.Errorf("line 7: %+v", it)
	}
	for _, c := range []struct{ in, want string }{
		{"", "1 header"},
		{"title,cve\nx,CVE-2026-1\n", "1 header"},
		{"title,product,colour\n", "1 header"},
		{"title,product\n", "2 line"},
	} {
		p := ParseCSV([]byte(c.in))
		if len(p.Items) != 0 || len(p.Problems) == 0 || fmt.Sprintf("%d %s", p.Problems[0].Line, p.Problems[0].Field) != c.want {
			t.Errorf("%q: %+v, want a problem at %s", c.in, p, c.want)
		}
	}
}

// FuzzParseCSAF: no input panics, and the oracle is encoding/json itself: a document that
// is not valid JSON gives exactly one problem (at line 0) and nothing to add; every problem
// carries its format and arguments, which give its reason.
func FuzzParseCSAF(f *testing.F) {
	b, err := os.ReadFile("testdata/jinghua-sa-2026-017.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"document":{"csaf_version":"2.0"},"vulnerabilities":[{}]}`))
	f.Add([]byte(`{"product_tree":{"branches":[{"branches":[{"branches":[]}]}]}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, in []byte) {
		p := ParseCSAF(in)
		if !json.Valid(in) && (len(p.Items) != 0 || len(p.Problems) != 1 || p.Problems[0].Line != 0) {
			t.Fatalf("invalid JSON: %d items, problems %+v", len(p.Items), p.Problems)
		}
		checkProblems(t, p)
		for _, it := range p.Items {
			if it.In.CVSSVector == "" || len(it.In.Products) == 0 {
				t.Fatalf("item without a vector or a product: %+v", it)
			}
		}
	})
}

// FuzzParseCSV: no input panics, and where encoding/csv reads the whole file and the header
// is accepted, each non-blank data line is either an item or has at least one problem on
// its line (nothing is lost silently); every problem's reason comes from its format.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("title,product,version\nx,y,1\n"))
	f.Add([]byte("title,cve,product,version,national_security,cvss_vector\nA,CVE-2026-1,B,1,yes,CVSS:3.1/AV:N\n\nC,,D,,maybe,\n"))
	f.Add([]byte("title,product\n\"a\nb\",c\n"))
	f.Add([]byte("title,product\na\"b,c\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		p := ParseCSV(in)
		checkProblems(t, p)
		if len(p.Problems) > 0 && p.Problems[0].Line == 1 {
			return // header refused
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(in, []byte("\ufeff"))))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil || len(recs) == 0 {
			return
		}
		data := 0
		for _, rec := range recs[1:] {
			if !(len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
				data++
			}
		}
		if data == 0 || data > MaxItems {
			return
		}
		bad := map[int]bool{}
		for _, pr := range p.Problems {
			bad[pr.Line] = true
		}
		if len(p.Items)+len(bad) != data {
			t.Fatalf("%d data lines, %d items and %d lines with problems: %+v", data, len(p.Items), len(bad), p.Problems)
		}
	})
}

func checkProblems(t *testing.T, p Parsed) {
	t.Helper()
	for _, pr := range p.Problems {
		if pr.Line < 0 || pr.Field == "" || pr.Reason != fmt.Sprintf(pr.Format, pr.Args...) || !utf8.ValidString(pr.Format) {
			t.Fatalf("problem %+v", pr)
		}
	}
}
