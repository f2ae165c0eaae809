package people

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

// MaxImportBytes is the largest attendance file an import accepts.
const MaxImportBytes = 1 << 20

// MaxImportRows is the most data rows one import takes.
const MaxImportRows = 5000

// importColumns are the attendance file's columns: the English name, the Chinese header
// accepted beside it (part of the file format, so not in the message catalogue) and
// whether the column is required. A person is found by employee number, or by name when
// the file gives no number.
var importColumns = []struct{ en, zh string }{
	{"employee_no", "工号"},
	{"name", "姓名"},
	{"course", "课程名称"},
	{"held_on", "培训日期"},
	{"hours", "学时"},
	{"provider", "培训机构"},
}

// ColumnLabel returns the header of a column in lang, for messages.
func ColumnLabel(col, lang string) string {
	for _, c := range importColumns {
		if c.en == col && lang == "zh-CN" {
			return c.zh
		}
	}
	return col
}

// ImportRow is one data row of an attendance file.
type ImportRow struct {
	Line       int
	EmployeeNo string
	Name       string
	Course     string
	HeldOn     string
	Hours      Hours
	Provider   string
}

// RowError is one problem of an attendance file: the line (1 is the header), the column
// (its English name) and the reason, kept translatable.
type RowError struct {
	Line   int    `json:"line"`
	Column string `json:"column"`
	Reason string `json:"reason"`
	fe     problem.FieldError
}

// In returns the reason in the language of tr.
func (e RowError) In(tr problem.Translator) string { return e.fe.In(tr) }

// rowAt builds the errors of one line of the file.
type rowAt int

// Add returns the error of column col on the line, its reason kept translatable.
func (l rowAt) Add(col, format string, args ...any) RowError {
	v := &problem.Invalid{}
	v.Add(col, format, args...)
	return RowError{Line: int(l), Column: col, Reason: v.Fields[0].Reason, fe: v.Fields[0]}
}

// ImportError is a refused attendance file: every problem found, nothing written.
type ImportError struct{ Rows []RowError }

func (e *ImportError) Error() string {
	parts := make([]string, len(e.Rows))
	for i, r := range e.Rows {
		parts[i] = fmt.Sprintf("line %d, %s: %s", r.Line, r.Column, r.Reason)
	}
	return "attendance file refused: " + strings.Join(parts, "; ")
}

// Problem returns the refusal as field errors named "line N: column", for the API.
func (e *ImportError) Problem() *problem.Invalid {
	v := &problem.Invalid{}
	for _, r := range e.Rows {
		f := r.fe
		f.Field = fmt.Sprintf("line %d: %s", r.Line, r.Column)
		v.Fields = append(v.Fields, f)
	}
	return v
}

// ParseAttendance reads an attendance file: an optional UTF-8 byte-order mark, a header
// of the columns in English or Chinese (course, held_on, hours and one of employee_no or
// name required), then data rows. It returns the rows, or every problem found.
func ParseAttendance(data []byte) ([]ImportRow, error) {
	if len(data) > MaxImportBytes {
		return nil, &ImportError{Rows: []RowError{rowAt(0).Add("file", "must be at most %d bytes", MaxImportBytes)}}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		return nil, &ImportError{Rows: []RowError{rowAt(0).Add("file", "must be UTF-8 text (save the spreadsheet as CSV UTF-8)")}}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, &ImportError{Rows: []RowError{rowAt(1).Add("file", "is empty: it needs a header and at least one row")}}
	}
	if err != nil {
		return nil, &ImportError{Rows: []RowError{rowAt(1).Add("file", "is not a valid CSV file")}}
	}
	idx := map[string]int{}
	var errs []RowError
	for i, h := range header {
		h = strings.TrimSpace(h)
		found := false
		for _, c := range importColumns {
			if h == c.en || h == c.zh {
				if _, dup := idx[c.en]; dup {
					errs = append(errs, rowAt(1).Add(c.en, "appears twice in the header"))
				}
				idx[c.en], found = i, true
			}
		}
		if !found && h != "" {
			errs = append(errs, rowAt(1).Add("header", "has an unknown column %q", h))
		}
	}
	for _, col := range []string{"course", "held_on", "hours"} {
		if _, ok := idx[col]; !ok {
			errs = append(errs, rowAt(1).Add(col, "is a required column"))
		}
	}
	_, hasNo := idx["employee_no"]
	_, hasName := idx["name"]
	if !hasNo && !hasName {
		errs = append(errs, rowAt(1).Add("employee_no", "is required, or a name column"))
	}
	if len(errs) > 0 {
		return nil, &ImportError{Rows: errs}
	}
	var rows []ImportRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil { // FieldPos may not be asked after a failed Read
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			errs = append(errs, rowAt(line).Add("file", "is not a valid CSV row"))
			break
		}
		line, _ := r.FieldPos(0)
		cell := func(col string) string {
			if i, ok := idx[col]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // a blank line a spreadsheet left
		}
		if len(rows) == MaxImportRows {
			errs = append(errs, rowAt(line).Add("file", "has more than %d rows", MaxImportRows))
			break
		}
		row := ImportRow{Line: line, EmployeeNo: cell("employee_no"), Name: cell("name"), Course: cell("course"), HeldOn: cell("held_on"), Provider: cell("provider")}
		v := &problem.Invalid{}
		if row.EmployeeNo == "" && row.Name == "" {
			v.Add("employee_no", "is required, or a name")
		}
		v.Text("employee_no", row.EmployeeNo, false, maxName)
		v.Text("name", row.Name, false, maxName)
		v.Text("course", row.Course, true, maxShort)
		v.Text("provider", row.Provider, false, maxShort)
		checkDate(v, "held_on", row.HeldOn, true)
		if h, err := ParseHours(cell("hours")); err != nil {
			var inv *problem.Invalid
			if errors.As(err, &inv) {
				v.Fields = append(v.Fields, inv.Fields...)
			}
		} else {
			row.Hours = h
		}
		for _, f := range v.Fields {
			errs = append(errs, RowError{Line: line, Column: f.Field, Reason: f.Reason, fe: f})
		}
		rows = append(rows, row)
	}
	if len(errs) > 0 {
		return nil, &ImportError{Rows: errs}
	}
	if len(rows) == 0 {
		return nil, &ImportError{Rows: []RowError{rowAt(2).Add("file", "is empty: it needs a header and at least one row")}}
	}
	return rows, nil
}

// ImportResult says what an import recorded.
type ImportResult struct {
	Rows           int `json:"rows"`
	CoursesCreated int `json:"courses_created"`
}

// Import records the attendance of a parsed file: each row's person is found by employee
// number (or by name when the row has none, which must then be unique), each course by
// title and day (created when missing, as long as its longest row). Any problem refuses the
// whole file with every row's problem; nothing is written.
func (s *Service) Import(ctx context.Context, rows []ImportRow) (ImportResult, error) {
	var res ImportResult
	err := s.write(ctx, func(t *store.Tenant) error {
		rs := &Records{}
		if err := readAll(t, rs); err != nil {
			return err
		}
		byNo, byName := map[string]int64{}, map[string][]int64{}
		for _, p := range rs.Persons {
			if p.EmployeeNo != "" {
				byNo[p.EmployeeNo] = p.ID
			}
			byName[p.Name] = append(byName[p.Name], p.ID)
		}
		type key struct{ title, day string }
		courses := map[key]Course{}
		for _, c := range rs.Courses {
			courses[key{c.Title, c.HeldOn}] = c
		}
		longest := map[key]Hours{}
		var errs []RowError
		people := make([]int64, len(rows))
		for i, r := range rows {
			switch {
			case r.EmployeeNo != "":
				if people[i] = byNo[r.EmployeeNo]; people[i] == 0 {
					errs = append(errs, rowAt(r.Line).Add("employee_no", "matches no person recorded in this organisation"))
				}
			case len(byName[r.Name]) == 1:
				people[i] = byName[r.Name][0]
			case len(byName[r.Name]) == 0:
				errs = append(errs, rowAt(r.Line).Add("name", "matches no person recorded in this organisation"))
			default:
				errs = append(errs, rowAt(r.Line).Add("name", "matches several people: give the employee number"))
			}
			k := key{r.Course, r.HeldOn}
			if c, ok := courses[k]; ok && r.Hours > c.Hours {
				errs = append(errs, rowAt(r.Line).Add("hours", "must be at most the course's %s hours", c.Hours.String()))
			}
			longest[k] = max(longest[k], r.Hours)
		}
		if len(errs) > 0 {
			return &ImportError{Rows: errs}
		}
		for i, r := range rows {
			k := key{r.Course, r.HeldOn}
			c, ok := courses[k]
			if !ok {
				var err error
				if c, err = insertCourse(t, CourseInput{Title: r.Course, HeldOn: r.HeldOn, Hours: longest[k], Provider: r.Provider}, s.Now()); err != nil {
					return err
				}
				courses[k] = c
				res.CoursesCreated++
			}
			if err := attend(t, Attendance{CourseID: c.ID, PersonID: people[i], Hours: r.Hours}); err != nil {
				return err
			}
		}
		res.Rows = len(rows)
		return audit.InTenant(t, "people_attendance", "", "import", nil, res, fmt.Sprintf("%d rows", res.Rows))
	})
	return res, err
}
