package people

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestParseAttendance: the header in English or Chinese, a byte-order mark, blank lines;
// refused files name the line (1 is the header) and the column of every problem.
func TestParseAttendance(t *testing.T) {
	ok := []struct {
		name, file string
		want       []ImportRow
	}{
		{"english", "employee_no,course,held_on,hours\nGD-1,条例培训,2025-03-18,8\n",
			[]ImportRow{{Line: 2, EmployeeNo: "GD-1", Course: "条例培训", HeldOn: "2025-03-18", Hours: 80}}},
		{"chinese headers, BOM, blank line, name only", "\uFEFF姓名,课程名称,培训日期,学时,培训机构\n张三,实操,2025-06-10,1.5,培训中心\n,,,,\n李四,实操,2025-06-10,16,培训中心\n",
			[]ImportRow{{Line: 2, Name: "张三", Course: "实操", HeldOn: "2025-06-10", Hours: 15, Provider: "培训中心"}, {Line: 4, Name: "李四", Course: "实操", HeldOn: "2025-06-10", Hours: 160, Provider: "培训中心"}}},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			rows, err := ParseAttendance([]byte(c.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(c.want) {
				t.Fatalf("rows %+v, want %+v", rows, c.want)
			}
			for i := range rows {
				if rows[i] != c.want[i] {
					t.Errorf("row %d: %+v, want %+v", i, rows[i], c.want[i])
				}
			}
		})
	}
	bad := []struct {
		name, file string
		want       []string // "line:column"
	}{
		{"empty", "", []string{"1:file"}},
		{"header only", "工号,课程名称,培训日期,学时\n", []string{"2:file"}},
		{"no hours column, unknown column", "工号,课程名称,培训日期,备注\n", []string{"1:header", "1:hours"}},
		{"no person column", "course,held_on,hours\n", []string{"1:employee_no"}},
		{"bad values", "工号,课程名称,培训日期,学时\nGD-1,课,2025-02-30,8\n,课,2025-01-01,2.25\nGD-3,,2025-01-01,0\n",
			[]string{"2:held_on", "3:employee_no", "3:hours", "4:course", "4:hours"}},
		{"not UTF-8", "工号,课程名称,培训日期,学时\n\xff,课,2025-01-01,8\n", []string{"0:file"}},
		{"broken quote", "工号,课程名称,培训日期,学时\n\"GD-1,课,2025-01-01,8\n", []string{"2:file"}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseAttendance([]byte(c.file))
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("err %v, want an ImportError", err)
			}
			var got []string
			for _, r := range ie.Rows {
				got = append(got, strings.Join([]string{itoa(r.Line), r.Column}, ":"))
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("problems at %v, want %v (%v)", got, c.want, err)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// FuzzParseAttendance: any bytes are either rows that satisfy the format's rules or an
// ImportError naming lines and columns — never a panic or another error.
func FuzzParseAttendance(f *testing.F) {
	f.Add([]byte("工号,课程名称,培训日期,学时\nGD-1,课,2025-01-01,8\n"))
	f.Add([]byte("\uFEFFname,course,held_on,hours,provider\n\"a,b\",c,2025-12-31,0.5,x\n"))
	f.Add([]byte("employee_no,employee_no\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseAttendance(data)
		if err != nil {
			var ie *ImportError
			if !errors.As(err, &ie) || len(ie.Rows) == 0 {
				t.Fatalf("error %v is not an ImportError with rows", err)
			}
			return
		}
		for _, r := range rows {
			if r.Hours <= 0 || r.Hours > maxHours || r.Course == "" || (r.EmployeeNo == "" && r.Name == "") || len(r.HeldOn) != 10 || r.Line < 2 {
				t.Fatalf("accepted a bad row %+v", r)
			}
		}
	})
}
