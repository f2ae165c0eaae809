package vulns

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParseCSV5000 reads an import of the most lines one takes (MaxItems = 5,000), each
// with a CVSS vector and a product.
func BenchmarkParseCSV5000(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("title,cve,product,version,cvss_vector,national_security\n")
	for i := range MaxItems {
		fmt.Fprintf(&sb, "漏洞 %d,CVE-2026-%05d,下一代防火墙,6.4,CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H,no\n", i, 10000+i)
	}
	in := []byte(sb.String())
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if p := ParseCSV(in); len(p.Items) != MaxItems {
			b.Fatalf("%d items", len(p.Items))
		}
	}
}

// BenchmarkParseCSAF1000 reads a vendor advisory of 1,000 vulnerabilities over 100 products.
func BenchmarkParseCSAF1000(b *testing.B) {
	var branches []map[string]any
	for i := range 100 {
		branches = append(branches, map[string]any{"category": "product_version", "name": fmt.Sprintf("%d.0", i),
			"product": map[string]any{"product_id": fmt.Sprintf("P%d", i), "name": fmt.Sprintf("设备 %d.0", i)}})
	}
	var vs []map[string]any
	for i := range 1000 {
		vs = append(vs, map[string]any{"cve": fmt.Sprintf("CVE-2026-%05d", 10000+i), "title": fmt.Sprintf("漏洞 %d", i),
			"product_status": map[string]any{"known_affected": []string{fmt.Sprintf("P%d", i%100)}},
			"scores":         []any{map[string]any{"cvss_v3": map[string]any{"vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}}})
	}
	doc := map[string]any{
		"document": map[string]any{"category": "csaf_security_advisory", "csaf_version": "2.0", "title": "基准", "publisher": map[string]any{"name": "厂商", "category": "vendor", "namespace": "https://x.example"},
			"tracking": map[string]any{"id": "B-1", "status": "final", "version": "1", "initial_release_date": "2026-11-28T10:00:00+08:00", "current_release_date": "2026-11-28T10:00:00+08:00"}},
		"product_tree":    map[string]any{"branches": []any{map[string]any{"category": "vendor", "name": "厂商", "branches": []any{map[string]any{"category": "product_name", "name": "设备", "branches": branches}}}}},
		"vulnerabilities": vs,
	}
	in, err := json.Marshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if p := ParseCSAF(in); len(p.Items) != 1000 {
			b.Fatalf("%d items, %+v", len(p.Items), p.Problems)
		}
	}
}

// BenchmarkParseCVSS scores one 3.1 and one 4.0 vector.
func BenchmarkParseCVSS(b *testing.B) {
	for b.Loop() {
		if _, r := ParseCVSS("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"); r != nil {
			b.Fatal(r)
		}
		if _, r := ParseCVSS("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"); r != nil {
			b.Fatal(r)
		}
	}
}
