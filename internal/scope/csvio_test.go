package scope

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"ciiguard/internal/audit"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

const goodCSV = "\uFEFFname,name_en,owner,responsible_person,sector,mlps_level,graded_on,filing_number,filed_on,last_mlps_test,holds_personal_info\n" +
	"调度自动化系统,Dispatch automation,调度控制中心,孙志刚,energy,4,2024-01-10,11010813001-24001,2024-02-01,2026-01-05,否\n" +
	"电力营销系统,Marketing,营销部,马丽,energy,3,2024-03-01,11010813002-24002,2024-03-20,2025-12-01,是\n" +
	"\"办公网, 总部\",Office network,信息通信分公司,,energy,2,,,,,false\n"

func TestParseCSV(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		rows  int
		lines []int // lines of the errors, in order
	}{
		{"good with BOM", goodCSV, 3, nil},
		{"good without BOM, CRLF", strings.ReplaceAll(strings.TrimPrefix(goodCSV, "\uFEFF"), "\n", "\r\n"), 3, nil},
		{"blank lines skipped", "name,sector\n\nA,energy\n\n", 1, nil},
		{"empty file", "", 0, []int{1}},
		{"no name column", "sector\nenergy\n", 0, []int{1}},
		{"unknown column", "name,colour\nA,red\n", 0, []int{1}},
		{"repeated column", "name,name\nA,B\n", 0, []int{1}},
		{"short row", "name,sector\nA\nB,energy\nC,energy,x\n", 1, []int{2, 4}},
		{"broken quote", "name,sector\nA,energy\n\"B,energy\n", 1, []int{3}},
		{"not UTF-8", "name\n\xc4\xe3\xba\xc3\n", 0, []int{0}},
		{"read-only columns accepted", "name,id,updated_at\nA,7,2026-01-01T00:00:00Z\n", 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, errs := ParseCSV(strings.NewReader(c.in))
			if len(rows) != c.rows {
				t.Errorf("%d rows, want %d (errors %v)", len(rows), c.rows, errs)
			}
			var lines []int
			for _, e := range errs {
				lines = append(lines, e.Line)
			}
			if len(lines) != len(c.lines) {
				t.Fatalf("errors %v, want lines %v", errs, c.lines)
			}
			for i := range lines {
				if lines[i] != c.lines[i] {
					t.Fatalf("errors %v, want lines %v", errs, c.lines)
				}
			}
		})
	}
	if _, errs := ParseCSV(strings.NewReader("name\n" + strings.Repeat("x", MaxImportBytes))); len(errs) != 1 || !strings.Contains(errs[0].Reason, "larger than") {
		t.Fatalf("oversized file: %v", errs)
	}
}

func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		count := func() int {
			p, err := f.svc.Systems(f.ctx, Filter{MLPS: AnyLevel})
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		var hooks []int64
		f.svc.OnChange(func(_ context.Context, orgID, systemID int64) { hooks = append(hooks, systemID) })
		// A dry run reports the plan and writes nothing.
		res, err := f.svc.Import(f.ctx, strings.NewReader(goodCSV), true)
		if err != nil || len(res.Errors) != 0 || len(res.Created) != 3 || res.Applied || count() != 0 {
			t.Fatalf("dry run: %v %+v, %d systems stored", err, res, count())
		}
		if n := auditCount(t, f, "scope_system", audit.Create); n != 0 {
			t.Fatalf("dry run audited %d creations", n)
		}
		res, err = f.svc.Import(f.ctx, strings.NewReader(goodCSV), false)
		if err != nil || len(res.Errors) != 0 || len(res.Created) != 3 || !res.Applied || count() != 3 {
			t.Fatalf("import: %v %+v, %d systems stored", err, res, count())
		}
		if len(hooks) != 1 || hooks[0] != 0 {
			t.Fatalf("change hooks after a dry run and an import: %v, want one bulk call", hooks)
		}
		// Re-importing updates by name and leaves unchanged rows alone; columns missing
		// from the file keep their values.
		res, err = f.svc.Import(f.ctx, strings.NewReader("name,owner,sector\n调度自动化系统,调度控制中心,energy\n电力营销系统,市场营销部,energy\n新系统,数字化部,energy\n"), false)
		if err != nil || len(res.Errors) != 0 || len(res.Created) != 1 || len(res.Updated) != 1 || len(res.Unchanged) != 1 {
			t.Fatalf("re-import: %v %+v", err, res)
		}
		if res.Errors == nil || res.Created[0] != "新系统" {
			t.Fatalf("re-import created %v", res.Created)
		}
		page, _ := f.svc.Systems(f.ctx, Filter{MLPS: AnyLevel, Q: "电力营销系统"})
		if len(page.Systems) != 1 || page.Systems[0].Owner != "市场营销部" || page.Systems[0].FilingNumber != "11010813002-24002" {
			t.Fatalf("updated system %+v", page.Systems)
		}
		// Every bad row is reported with its line; nothing is written, not even good rows.
		bad := "name,sector,mlps_level,filed_on,filing_number,maintenance_abroad\n" +
			"好系统,energy,2,,,false\n" + // line 2: fine
			",energy,2,,,\n" + // line 3: no name
			"坏等级,energy,9,,,\n" + // line 4: level 9
			"坏日期,energy,3,2026-13-01,x,\n" + // line 5: bad date
			"坏布尔,energy,3,,,maybe\n" + // line 6: bad bool
			"好系统,energy,2,,,\n" + // line 7: repeats line 2
			"调度自动化系统,mining,4,,,\n" // line 8: update to an unknown sector
		before := count()
		res, err = f.svc.Import(f.ctx, strings.NewReader(bad), false)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]string{}
		for _, e := range res.Errors {
			got[e.Line] = e.Field
		}
		want := map[int]string{3: "name", 4: "mlps_level", 5: "filed_on", 6: "maintenance_abroad", 7: "name", 8: "sector"}
		for line, field := range want {
			if got[line] != field {
				t.Errorf("line %d: error on %q, want %q (all: %+v)", line, got[line], field, res.Errors)
			}
		}
		if _, ok := got[2]; ok || res.Applied || count() != before {
			t.Fatalf("bad file: line 2 flagged %v, applied %v, %d systems (was %d)", ok, res.Applied, count(), before)
		}
		// Export then re-import, with the English and with the Chinese headers: every row
		// unchanged.
		all, _ := f.svc.AllSystems(f.ctx)
		for _, lang := range []string{"en", "zh-CN"} {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, all, lang); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF")) {
				t.Fatal("export has no byte-order mark")
			}
			res, err = f.svc.Import(f.ctx, &buf, true)
			if err != nil || len(res.Errors) != 0 || len(res.Unchanged) != len(all) {
				t.Fatalf("round trip in %s: %v %+v", lang, err, res)
			}
		}
		// Another organisation importing the same names creates its own systems.
		res, err = f.svc.Import(f.peerCtx, strings.NewReader(goodCSV), false)
		if err != nil || len(res.Created) != 3 {
			t.Fatalf("peer import: %v %+v", err, res)
		}
	})
}

func TestCSVFormulaCellsAreDefused(t *testing.T) {
	var buf bytes.Buffer
	sys := System{SystemInput: SystemInput{Name: "=HYPERLINK(\"http://x\")", Owner: "-1", Sector: "energy", CIIStatus: CIINone}}
	if err := WriteCSV(&buf, []System{sys}, "en"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"'=HYPERLINK(""http://x"")"`) {
		t.Fatalf("formula not defused: %s", buf.String())
	}
	rows, errs := ParseCSV(&buf)
	if len(errs) > 0 || rows[0].Cells["name"] != sys.Name || rows[0].Cells["owner"] != "-1" {
		t.Fatalf("round trip: %v %+v", errs, rows)
	}
}

// TestCSVChineseHeaders reads a file whose header a Chinese user typed from the export's
// Chinese headers (a hand-written table, not CSVHeaderIn): each maps to its column.
func TestCSVChineseHeaders(t *testing.T) {
	in := "\uFEFF系统名称,所属行业领域,安全保护等级,定级日期,存储个人信息,编号,更新时间\n调度系统,energy,3,2026-01-05,是,7,2026-01-06T00:00:00Z\n"
	rows, errs := ParseCSV(strings.NewReader(in))
	if len(errs) > 0 || len(rows) != 1 {
		t.Fatalf("Chinese header refused: %+v", errs)
	}
	want := map[string]string{"name": "调度系统", "sector": "energy", "mlps_level": "3", "graded_on": "2026-01-05", "holds_personal_info": "是", "id": "7", "updated_at": "2026-01-06T00:00:00Z"}
	for k, v := range want {
		if rows[0].Cells[k] != v {
			t.Errorf("column %s = %q, want %q (cells %v)", k, rows[0].Cells[k], v, rows[0].Cells)
		}
	}
	if h := CSVHeaderIn("zh-CN"); len(h) != len(CSVHeader()) || len(columnByZH) != len(CSVHeader()) {
		t.Fatalf("%d Chinese headers, %d distinct, for %d columns", len(h), len(columnByZH), len(CSVHeader()))
	}
}

// FuzzParseCSV checks that no input makes the parser panic, that every row it returns has
// a line inside the file and that a file with errors never yields a bad line number.
func FuzzParseCSV(f *testing.F) {
	f.Add(goodCSV)
	f.Add("name,sector\nA,energy\n")
	f.Add("name,sector\n\"A\nB\",energy\n")
	f.Add("name\n\"unterminated")
	f.Add("\uFEFF\uFEFFname\n")
	f.Add("name,mlps_level,graded_on,holds_personal_info\nA,x,2026-99-99,maybe\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, errs := ParseCSV(strings.NewReader(s))
		lines := strings.Count(s, "\n") + strings.Count(s, "\r") + 1
		for _, r := range rows {
			if r.Line < 2 || r.Line > lines {
				t.Fatalf("row line %d outside 2..%d", r.Line, lines)
			}
			var in SystemInput
			_ = r.apply(&in)
			in.Normalize()
			_ = in.Validate("2026-06-01")
		}
		for _, e := range errs {
			if e.Line < 0 || e.Line > lines || e.Reason == "" {
				t.Fatalf("error %+v", e)
			}
		}
	})
}
