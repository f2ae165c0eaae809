package suppliers

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Limits of an import file.
const (
	MaxImportBytes = 1 << 20
	MaxImportRows  = 5000
)

// importColumns are the CSV columns, by their English names, with the Chinese header the
// import accepts as well (a file prepared by a Chinese user). supplier_name and country are
// required; a row without a product_name registers (or names) only the supplier.
var importColumns = []struct{ name, zh string }{
	{"supplier_name", "供应商名称"}, {"country", "注册地"}, {"uscc", "统一社会信用代码"}, {"foreign_registration", "境外注册号"},
	{"ownership", "股权和控制关系"}, {"contacts", "联系人"}, {"product_name", "产品或服务名称"}, {"version", "型号或版本"},
	{"type", "类别"}, {"donated", "受赠"}, {"systems", "使用的系统"}, {"catalogue_category", "目录类别"},
}

// ImportResult says what an import wrote.
type ImportResult struct {
	SuppliersCreated int `json:"suppliers_created"`
	ProductsCreated  int `json:"products_created"`
}

// rowField names a cell in a refusal: rows[LINE].COLUMN, LINE counting the header as 1.
func rowField(line int, col string) string { return fmt.Sprintf("rows[%d].%s", line, col) }

// importRow is one parsed data row.
type importRow struct {
	line  int
	cells map[string]string
}

// parseImport reads the file's rows; problems of the file as a whole are refusals on "file"
// or on the header's cells (line 1).
func parseImport(r io.Reader, v *problem.Invalid) []importRow {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	switch {
	case err != nil:
		v.Add("file", "cannot be read: %v", err)
		return nil
	case len(data) > MaxImportBytes:
		v.Add("file", "is larger than %d bytes", MaxImportBytes)
		return nil
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		v.Add("file", "is not UTF-8 text: save it as \"CSV UTF-8\"")
		return nil
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		v.Add("file", "is empty or not CSV: the first line must name the columns")
		return nil
	}
	known := map[string]string{}
	for _, c := range importColumns {
		known[c.name], known[c.zh] = c.name, c.name
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name, ok := known[strings.TrimSpace(h)]
		switch {
		case !ok:
			v.Add(rowField(1, fmt.Sprintf("column %d", i+1)), "is not a column of the supplier import (%s)", columnNames())
		case seen[name]:
			v.Add(rowField(1, name), "is named twice")
		}
		cols[i], seen[name] = name, true
	}
	for _, req := range []string{"supplier_name", "country"} {
		if !seen[req] {
			v.Add(rowField(1, req), "column is required")
		}
	}
	if len(v.Fields) > 0 {
		return nil
	}
	var rows []importRow
	for {
		line, _ := cr.FieldPos(0)
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			v.Add(rowField(line, "row"), "cannot be read as CSV: check its quotes")
			break // the reader no longer knows where rows start
		}
		line, _ = cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(cols) {
			v.Add(rowField(line, "row"), "has %d cells, the header names %d columns", len(rec), len(cols))
			continue
		}
		if len(rows) == MaxImportRows {
			v.Add("file", "has more than %d rows: split it", MaxImportRows)
			break
		}
		row := importRow{line: line, cells: map[string]string{}}
		for i, c := range cols {
			row.cells[c] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 && len(v.Fields) == 0 {
		v.Add("file", "has no rows after the header")
	}
	return rows
}

func columnNames() string {
	n := make([]string, len(importColumns))
	for i, c := range importColumns {
		n[i] = c.name
	}
	return strings.Join(n, ", ")
}

// supplierColumn maps the service's field names to the import's columns.
var supplierColumn = map[string]string{"name": "supplier_name", "country": "country", "uscc": "uscc",
	"foreign_registration": "foreign_registration", "ownership": "ownership", "contacts": "contacts"}

var productColumn = map[string]string{"name": "product_name", "version": "version", "type": "type"}

// relabel moves the service's field errors onto the row's columns.
func relabel(v *problem.Invalid, line int, inv *problem.Invalid, cols map[string]string) {
	for _, f := range inv.Fields {
		col, ok := cols[f.Field]
		if !ok {
			col = f.Field
		}
		f.Field = rowField(line, col)
		v.Fields = append(v.Fields, f)
	}
}

// ImportCSV validates a whole file of suppliers and their products and writes it in one
// transaction, or nothing: every problem is a field error on rows[LINE].COLUMN. Suppliers
// already registered (same unified social credit code, or same country and foreign
// registration) get the rows' products; systems are named by their inventory names,
// separated by ";" or "；".
func (s *Service) ImportCSV(ctx context.Context, r io.Reader) (ImportResult, error) {
	v := &problem.Invalid{}
	rows := parseImport(r, v)
	if err := v.Err(); err != nil {
		return ImportResult{}, err
	}
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return ImportResult{}, fmt.Errorf("read the inventory: %w", err)
	}
	cat, err := s.EffectiveCatalogue(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	byName := map[string]int64{}
	for _, x := range systems {
		byName[x.Name] = x.ID
	}
	type planned struct {
		key string
		sup Supplier
		p   *Product
	}
	var plan []planned
	for _, row := range rows {
		c := row.cells
		sup, sv := validSupplier(SupplierInput{Name: c["supplier_name"], USCC: c["uscc"], ForeignReg: c["foreign_registration"],
			Country: c["country"], Ownership: c["ownership"], Contacts: c["contacts"]})
		relabel(v, row.line, sv, supplierColumn)
		pl := planned{key: supplierKey(sup), sup: sup}
		if c["product_name"] != "" {
			in := ProductInput{Name: c["product_name"], Version: c["version"], Type: typeCode(c["type"]), Category: categoryCode(cat, c["catalogue_category"])}
			switch strings.ToLower(c["donated"]) {
			case "", "no", "false", "否", "0":
			case "yes", "true", "是", "1":
				in.Donated = true
			default:
				v.Add(rowField(row.line, "donated"), "is not yes or no")
			}
			for _, n := range strings.FieldsFunc(c["systems"], func(r rune) bool { return r == ';' || r == '；' }) {
				id, ok := byName[strings.TrimSpace(n)]
				if !ok {
					v.Add(rowField(row.line, "systems"), "names %q, which is not a system of this organisation's inventory", strings.TrimSpace(n))
					continue
				}
				in.Systems = append(in.Systems, id)
			}
			p, pv := validProduct(in, systems, cat)
			relabel(v, row.line, pv, productColumn)
			pl.p = &p
		} else {
			for _, col := range []string{"version", "type", "donated", "systems", "catalogue_category"} {
				if c[col] != "" {
					v.Add(rowField(row.line, col), "is given without a product_name")
				}
			}
		}
		plan = append(plan, pl)
	}
	if err := v.Err(); err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	actor, now := audit.ActorFrom(ctx).Label, s.now()
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		existing, err := allSuppliers(t)
		if err != nil {
			return err
		}
		ids := map[string]int64{}
		for _, x := range existing {
			ids[supplierKey(x)] = x.ID
		}
		for _, pl := range plan {
			id, ok := ids[pl.key]
			if !ok {
				x := pl.sup
				x.CreatedBy, x.CreatedAt = actor, now
				if err := s.insertSupplier(t, &x); err != nil {
					return err
				}
				id, ids[pl.key] = x.ID, x.ID
				res.SuppliersCreated++
			}
			if pl.p != nil {
				p := *pl.p
				p.SupplierID, p.CreatedBy, p.CreatedAt = id, actor, now
				if err := s.insertProduct(t, &p); err != nil {
					return err
				}
				res.ProductsCreated++
			}
		}
		return nil
	})
	return res, err
}

// supplierKey identifies a supplier across an import and the register: its unified social
// credit code, or its country and foreign registration.
func supplierKey(x Supplier) string {
	if x.USCC != "" {
		return "CN/" + x.USCC
	}
	return x.Country + "/" + strings.ToUpper(x.ForeignReg)
}

// typeCode reads a product kind given by its code or its Chinese name (网络关键设备).
func typeCode(s string) string {
	for _, t := range ProductTypes {
		if t.Zh == s {
			return t.Code
		}
	}
	return s
}

// categoryCode reads a catalogue category as a file gives it: its code, or its Chinese name
// (不在目录内 for none).
func categoryCode(cat Effective, s string) string {
	s = strings.TrimSpace(s)
	if s == "不在目录内" {
		return CategoryNotListed
	}
	for _, e := range cat.Entries() {
		if e.Zh == s {
			return e.Code
		}
	}
	return s
}
