package reports

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/rules"
	"ciiguard/internal/web"
)

// FactTitles name the fact sets the report shows, in both languages; a set not named here
// is shown under its variable's name.
var FactTitles = map[string]rules.Text{
	"incidents": {Zh: "本年度网络安全事件与报告", En: "Incidents of the year and their reports"},
	"logs":      {Zh: "网络日志留存", En: "Network log retention"},
	"emergency": {Zh: "应急预案、演练与备份", En: "Emergency plans, drills and backups"},
	"suppliers": {Zh: "供应链", En: "Supply chain"},
	"supply":    {Zh: "供应链（按系统）", En: "Supply chain by system"},
	"people":    {Zh: "安全管理机构与人员", En: "Security organisation and people"},
	"review":    {Zh: "网络安全审查", En: "Cybersecurity review"},
	"data":      {Zh: "数据与出境", En: "Data and transfers abroad"},
	"appstore":  {Zh: "应用市场", En: "App store"},
	"threat":    {Zh: "威胁情报", En: "Threat information"},
	"vulns":     {Zh: "漏洞管理", En: "Vulnerabilities"},
}

// records reads every capability's fact set and lists its facts with their labels. A
// per-system set (emergency, supply) is summed over the systems: each yes/no fact as how
// many systems say yes, each count as the total.
func (s Sources) records(ctx context.Context) ([]FactGroup, error) {
	out := []FactGroup{}
	for _, set := range s.Facts {
		decl := set.Declare()
		if decl.Name == FactSetName {
			continue // the report's own set says nothing of the records
		}
		v, err := set.Fill(ctx)
		if err != nil {
			return nil, fmt.Errorf("read the %s records: %w", decl.Name, err)
		}
		g := FactGroup{Name: decl.Name, Title: rules.Text{Zh: decl.Name, En: decl.Name}}
		if t, ok := FactTitles[decl.Name]; ok {
			g.Title = t
		}
		if decl.PerSystem {
			g.Rows = perSystemRows(decl.Type, v)
		} else {
			g.Rows = structRows(reflect.Indirect(reflect.ValueOf(v)))
		}
		g.Empty = reflect.Indirect(reflect.ValueOf(v)).IsZero() || (decl.PerSystem && reflect.ValueOf(v).Len() == 0)
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// label splits a `label:"中文|English"` tag; a field without one is named by its cel tag.
func label(f reflect.StructField) (rules.Text, string) {
	name, _, _ := strings.Cut(f.Tag.Get("cel"), ",")
	if name == "" {
		name = f.Name
	}
	zh, en, ok := strings.Cut(f.Tag.Get("label"), "|")
	if !ok {
		return rules.Text{Zh: name, En: name}, name
	}
	return rules.Text{Zh: zh, En: en}, name
}

// structRows lists the fields of a fact set's value in declaration order.
func structRows(v reflect.Value) []FactRow {
	rows := []FactRow{}
	if v.Kind() != reflect.Struct {
		return rows
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		l, name := label(f)
		rows = append(rows, FactRow{Fact: name, Label: l, Value: valueText(v.Field(i), strings.HasSuffix(name, "year"))})
	}
	return rows
}

// valueText shows one fact in both languages.
// A count is written as its reader expects (web.FormatNum: 1,050,120; 860万 in Chinese);
// a year (bare, a fact named …year) is not a count and stays 2026.
func valueText(v reflect.Value, bare bool) rules.Text {
	count := func(n int64) rules.Text {
		if bare {
			s := strconv.FormatInt(n, 10)
			return rules.Text{Zh: s, En: s}
		}
		return rules.Text{Zh: web.FormatNum(web.LangZH, n), En: web.FormatNum(web.LangEN, n)}
	}
	if t, ok := v.Interface().(time.Time); ok {
		if t.IsZero() {
			return rules.Text{Zh: "无", En: "none"}
		}
		d := date(t)
		return rules.Text{Zh: d, En: d}
	}
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return rules.Text{Zh: "是", En: "yes"}
		}
		return rules.Text{Zh: "否", En: "no"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return count(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return count(int64(v.Uint()))
	case reflect.Float32, reflect.Float64:
		n := strconv.FormatFloat(v.Float(), 'f', 2, 64)
		return rules.Text{Zh: n, En: n}
	case reflect.String:
		return rules.Text{Zh: v.String(), En: v.String()}
	case reflect.Slice, reflect.Array:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = fmt.Sprint(v.Index(i).Interface())
		}
		return rules.Text{Zh: strings.Join(parts, "、"), En: strings.Join(parts, ", ")}
	}
	s := fmt.Sprint(v.Interface())
	return rules.Text{Zh: s, En: s}
}

// perSystemRows sums a per-system set over its systems: how many systems have each yes/no
// fact true, the total of each count.
func perSystemRows(t reflect.Type, v any) []FactRow {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	m, _ := v.(map[int64]any)
	rows := []FactRow{}
	if t.Kind() != reflect.Struct {
		return rows
	}
	n := strconv.Itoa(len(m))
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		l, name := label(f)
		var yes int
		var sum int64
		kind := f.Type.Kind()
		for _, sv := range m {
			fv := reflect.Indirect(reflect.ValueOf(sv))
			if fv.Kind() != reflect.Struct || fv.Type() != t {
				continue
			}
			x := fv.Field(i)
			switch kind {
			case reflect.Bool:
				if x.Bool() {
					yes++
				}
			case reflect.Int, reflect.Int64, reflect.Int32:
				sum += x.Int()
			}
		}
		switch kind {
		case reflect.Bool:
			y := strconv.Itoa(yes)
			rows = append(rows, FactRow{Fact: name, Label: l, Value: rules.Text{Zh: y + " / " + n + " 个系统", En: y + " of " + n + " systems"}})
		case reflect.Int, reflect.Int64, reflect.Int32:
			rows = append(rows, FactRow{Fact: name, Label: l, Value: rules.Text{Zh: "合计 " + web.FormatNum(web.LangZH, sum), En: "total " + web.FormatNum(web.LangEN, sum)}})
		}
	}
	return rows
}
