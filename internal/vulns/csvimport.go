package vulns

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"ciiguard/internal/problem"
)

// CSVColumns are the columns a vulnerability CSV may have, named in its header line (any
// order; title and product are required). One line is one vulnerability in one product.
var CSVColumns = []string{"title", "cve", "cnvd", "cnnvd", "cvss_vector", "severity", "product", "model", "version", "discovered_at",
	"national_security", "disclosed", "provider", "nature", "harm", "scope", "description"}

// ParseCSV reads a vulnerability CSV (UTF-8, a header line first, a byte-order mark
// allowed). Every line that cannot become a vulnerability is a problem naming the line and
// the column; the checks that need the organisation's records (identifiers, CVSS, products)
// come after, in the preview.
func ParseCSV(b []byte) Parsed {
	var p Parsed
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	head, err := r.Read()
	if err != nil {
		p.at(1).Add("header", "the file has no header line naming the columns (%s)", strings.Join(CSVColumns, ","))
		return p
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(CSVColumns, h) {
			p.at(1).Add("header", "column %d, %q, is not one of %s", i+1, clip(h), strings.Join(CSVColumns, ","))
			continue
		}
		if _, dup := col[h]; dup {
			p.at(1).Add("header", "column %q is named twice", h)
			continue
		}
		col[h] = i
	}
	for _, need := range []string{"title", "product"} {
		if _, ok := col[need]; !ok {
			p.at(1).Add("header", "column %q is required", need)
		}
	}
	if len(p.Problems) > 0 {
		return p
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				p.at(pe.StartLine).Add("line", "is not valid CSV (a quote out of place)")
			} else {
				p.at(0).Add("line", "cannot be read")
			}
			break
		}
		// The line the record starts on, asked after Read: before it, FieldPos
		// answers for the previous record.
		line, _ := r.FieldPos(0)
		if len(p.Items) >= MaxItems {
			p.at(line).Add("line", "is beyond the first %d vulnerabilities of one import", MaxItems)
			break
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if !problem.TextOK(strings.Join(rec, ","), false, MaxImportBytes) {
			p.at(line).Add("line", "is not valid UTF-8 text, or holds a NUL character")
			continue
		}
		if len(rec) > len(head) {
			p.at(line).Add("line", "has %d fields; the header names %d", len(rec), len(head))
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		ok := true
		flag := func(name string) bool {
			switch strings.ToLower(get(name)) {
			case "", "no", "false", "0", "否":
				return false
			case "yes", "true", "1", "是":
				return true
			}
			p.at(line).Add(name, "must be yes or no")
			ok = false
			return false
		}
		in := NewVuln{Title: get("title"), CVE: get("cve"), CNVD: get("cnvd"), CNNVD: get("cnnvd"), CVSSVector: get("cvss_vector"), Severity: get("severity"),
			DiscoveredAt: get("discovered_at"), Nature: get("nature"), Harm: get("harm"), Scope: get("scope"), Description: get("description"),
			NationalSecurity: flag("national_security"), Disclosed: flag("disclosed"), Provider: flag("provider")}
		if get("product") == "" {
			p.at(line).Add("product", "is required")
			ok = false
		} else {
			in.Products = []ProductSpec{{Name: get("product"), Model: get("model"), Version: get("version")}}
		}
		if ok {
			p.Items = append(p.Items, Item{Line: line, In: in})
		}
	}
	if len(p.Items) == 0 && len(p.Problems) == 0 {
		p.at(2).Add("line", "the file has no vulnerability after its header")
	}
	return p
}

// describe says in a few words what a parse found, for the audit trail.
func (p Parsed) describe() string {
	return fmt.Sprintf("%d vulnerabilities, %d refused", len(p.Items), len(p.Problems))
}
