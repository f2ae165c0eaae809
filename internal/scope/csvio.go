package scope

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// MaxImportBytes is the largest CSV file an import accepts (about 2,000 systems).
const MaxImportBytes = 1 << 20

// MaxImportRows is the most data rows one import takes.
const MaxImportRows = 5000

// utf8BOM starts every export so that Excel opens the Chinese text as UTF-8.
const utf8BOM = "\uFEFF"

// csvColumn is one column of the CSV format: how to read it from a system and, for
// editable columns, how to set it on an input.
type csvColumn struct {
	name string
	get  func(*System) string
	set  func(*SystemInput, string) error // nil: exported for reference, ignored on import
}

func textCol(name string, f func(*SystemInput) *string) csvColumn {
	return csvColumn{name: name,
		get: func(s *System) string { return *f(&s.SystemInput) },
		set: func(in *SystemInput, v string) error { *f(in) = v; return nil }}
}

func dateCol(name string, f func(*SystemInput) *Date) csvColumn {
	return csvColumn{name: name,
		get: func(s *System) string { return string(*f(&s.SystemInput)) },
		set: func(in *SystemInput, v string) error { *f(in) = Date(v); return nil }}
}

func boolCol(name string, f func(*SystemInput) *bool) csvColumn {
	return csvColumn{name: name,
		get: func(s *System) string { return strconv.FormatBool(*f(&s.SystemInput)) },
		set: func(in *SystemInput, v string) error {
			b, err := parseBool(v)
			*f(in) = b
			return err
		}}
}

// parseBool reads the ways people write yes and no in a spreadsheet, in both languages.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "false", "0", "no", "n", "否", "无":
		return false, nil
	case "true", "1", "yes", "y", "是", "有":
		return true, nil
	}
	return false, problem.Field("value", "must be true or false (also 1/0, yes/no, 是/否), not %q", v)
}

// csvColumns is the CSV format: every editable field, then read-only reference columns.
var csvColumns = []csvColumn{
	textCol("name", func(s *SystemInput) *string { return &s.Name }),
	textCol("name_en", func(s *SystemInput) *string { return &s.NameEN }),
	textCol("owner", func(s *SystemInput) *string { return &s.Owner }),
	textCol("responsible_person", func(s *SystemInput) *string { return &s.ResponsiblePerson }),
	textCol("sector", func(s *SystemInput) *string { return &s.Sector }),
	textCol("purpose", func(s *SystemInput) *string { return &s.Purpose }),
	textCol("location", func(s *SystemInput) *string { return &s.Location }),
	textCol("data_held", func(s *SystemInput) *string { return &s.DataHeld }),
	{name: "mlps_level",
		get: func(s *System) string { return strconv.FormatInt(s.MLPSLevel, 10) },
		set: func(in *SystemInput, v string) error {
			v = strings.TrimSpace(v)
			if v == "" {
				in.MLPSLevel = 0
				return nil
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return problem.Field("value", "must be a whole number from 0 to 5, not %q", v)
			}
			in.MLPSLevel = n
			return nil
		}},
	dateCol("graded_on", func(s *SystemInput) *Date { return &s.GradedOn }),
	dateCol("go_live", func(s *SystemInput) *Date { return &s.GoLive }),
	textCol("filing_number", func(s *SystemInput) *string { return &s.FilingNumber }),
	dateCol("filed_on", func(s *SystemInput) *Date { return &s.FiledOn }),
	dateCol("last_mlps_test", func(s *SystemInput) *Date { return &s.LastMLPSTest }),
	dateCol("last_self_inspection", func(s *SystemInput) *Date { return &s.LastSelfInspection }),
	textCol("cii_status", func(s *SystemInput) *string { return &s.CIIStatus }),
	dateCol("identified_on", func(s *SystemInput) *Date { return &s.IdentifiedOn }),
	textCol("identification_doc", func(s *SystemInput) *string { return &s.IdentificationDoc }),
	dateCol("deidentified_on", func(s *SystemInput) *Date { return &s.DeidentifiedOn }),
	textCol("deidentification_doc", func(s *SystemInput) *string { return &s.DeidentificationDoc }),
	dateCol("major_change_on", func(s *SystemInput) *Date { return &s.MajorChangeOn }),
	boolCol("holds_personal_info", func(s *SystemInput) *bool { return &s.HoldsPersonalInfo }),
	boolCol("holds_important_data", func(s *SystemInput) *bool { return &s.HoldsImportantData }),
	boolCol("data_stored_abroad", func(s *SystemInput) *bool { return &s.DataStoredAbroad }),
	boolCol("maintenance_abroad", func(s *SystemInput) *bool { return &s.MaintenanceAbroad }),
	boolCol("maintenance_abroad_reported", func(s *SystemInput) *bool { return &s.MaintenanceAbroadReported }),
	{name: "id", get: func(s *System) string { return strconv.FormatInt(s.ID, 10) }},
	{name: "reidentification_due", get: func(s *System) string { return string(s.ReidentificationDue()) }},
	{name: "assessment_sha256", get: func(s *System) string { return s.AssessmentSHA256 }},
	{name: "updated_at", get: func(s *System) string { return s.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z") }},
}

// CSVHeader lists the column names of the CSV format in order.
func CSVHeader() []string {
	out := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		out[i] = c.name
	}
	return out
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet (CSV injection):
// a leading =, +, - or @ gets an apostrophe, which Excel shows as text.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "'" + v
		}
	}
	return v
}

// WriteCSV writes systems in the CSV format, UTF-8 with a byte-order mark, with the
// column headers of lang (CSVHeaderIn).
func WriteCSV(w io.Writer, systems []System, lang string) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeaderIn(lang)); err != nil {
		return fmt.Errorf("write CSV header: %w", err)
	}
	rec := make([]string, len(csvColumns))
	for i := range systems {
		for j, c := range csvColumns {
			rec[j] = csvSafe(c.get(&systems[i]))
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write CSV row %d: %w", i+2, err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// RowError is one problem of an imported file: the line (1 is the header), the column
// and the reason.
type RowError struct {
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`

	fe problem.FieldError // the reason's format and arguments, for its translation
}

// rowAt builds the errors of one line of the file.
type rowAt int

// Add returns the error of field on the line: the reason is format with args, kept so that
// a page can show it translated (RowError.In).
func (l rowAt) Add(field, format string, args ...any) RowError {
	inv := &problem.Invalid{}
	inv.Add(field, format, args...)
	return RowError{Line: int(l), Field: field, Reason: inv.Fields[0].Reason, fe: inv.Fields[0]}
}

// In returns the reason in the language of tr.
func (e RowError) In(tr problem.Translator) string {
	if e.fe.Reason == "" {
		return e.Reason
	}
	return e.fe.In(tr)
}

// CSVRow is one parsed data row: its line and the cells it gave, by column.
type CSVRow struct {
	Line  int
	Cells map[string]string
}

// ParseCSV reads an import file: an optional UTF-8 byte-order mark, a header naming
// columns of the CSV format (name is required; read-only columns are accepted and
// ignored, so an export can be re-imported), then data rows. It returns the rows and
// every problem found, each with its line; it never panics on any input.
func ParseCSV(r io.Reader) ([]CSVRow, []RowError) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, []RowError{rowAt(0).Add("file", "cannot be read: %v", err)}
	}
	if len(data) > MaxImportBytes {
		return nil, []RowError{rowAt(0).Add("file", "is larger than %d bytes", MaxImportBytes)}
	}
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	if !utf8.Valid(data) {
		return nil, []RowError{rowAt(0).Add("file", "is not UTF-8 text: save it as \"CSV UTF-8\"")}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []RowError{rowAt(1).Add("file", "is empty: the first line must name the columns")}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, []RowError{csvErr(err, 1)}
	}
	known := map[string]csvColumn{}
	for _, c := range csvColumns {
		known[c.name] = c
	}
	var errs []RowError
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = columnOf(h)
		cols[i] = h
		switch {
		case h == "":
			errs = append(errs, rowAt(1).Add(fmt.Sprintf("column %d", i+1), "has no name"))
		case seen[h]:
			errs = append(errs, rowAt(1).Add(h, "is named twice"))
		default:
			if _, ok := known[h]; !ok {
				errs = append(errs, rowAt(1).Add(h, "is not a column of the system inventory (see the export for the column names)"))
			}
		}
		seen[h] = true
	}
	if !seen["name"] {
		errs = append(errs, rowAt(1).Add("name", "column is required: systems are matched by name"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var rows []CSVRow
	for {
		line, _ := cr.FieldPos(0)
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, csvErr(err, line))
			var pe *csv.ParseError
			if errors.As(err, &pe) && !errors.Is(pe.Err, csv.ErrFieldCount) {
				// A broken quote leaves the reader unsure where rows start; stop here
				// rather than report a cascade of false errors.
				break
			}
			continue
		}
		line, _ = cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) != len(cols) {
			errs = append(errs, rowAt(line).Add("row", "has %d cells, the header names %d columns", len(rec), len(cols)))
			continue
		}
		if len(rows) >= MaxImportRows {
			errs = append(errs, rowAt(line).Add("file", "has more than %d rows: split it", MaxImportRows))
			break
		}
		row := CSVRow{Line: line, Cells: make(map[string]string, len(cols))}
		for i, c := range cols {
			v := rec[i]
			if strings.HasPrefix(v, "'") && len(v) > 1 && strings.ContainsRune("=+-@", rune(v[1])) {
				v = v[1:] // undo csvSafe, so that an export re-imports unchanged
			}
			row.Cells[c] = v
		}
		rows = append(rows, row)
	}
	return rows, errs
}

func csvErr(err error, line int) RowError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrBareQuote):
			return rowAt(pe.Line).Add("row", "has a \" inside a cell that is not in quotes")
		case errors.Is(pe.Err, csv.ErrQuote):
			return rowAt(pe.Line).Add("row", "has a quoted cell whose closing \" is missing or misplaced")
		}
		return rowAt(pe.Line).Add("row", "cannot be read as CSV: %v", pe.Err)
	}
	return rowAt(line).Add("row", "cannot be read as CSV: %v", err)
}

// apply sets the row's editable cells on in.
func (row CSVRow) apply(in *SystemInput) []RowError {
	var errs []RowError
	for _, c := range csvColumns {
		v, ok := row.Cells[c.name]
		if !ok || c.set == nil {
			continue
		}
		if err := c.set(in, v); err != nil {
			re := RowError{Line: row.Line, Field: c.name, Reason: err.Error()}
			if inv, ok := problem.As[*problem.Invalid](err); ok && len(inv.Fields) == 1 {
				re.Reason, re.fe = inv.Fields[0].Reason, inv.Fields[0]
			}
			errs = append(errs, re)
		}
	}
	return errs
}

// ImportResult says what an import did, or in a dry run would do.
type ImportResult struct {
	DryRun    bool       `json:"dry_run"`
	Applied   bool       `json:"applied"` // true when the rows were written
	Created   []string   `json:"created"`
	Updated   []string   `json:"updated"`
	Unchanged []string   `json:"unchanged"`
	Errors    []RowError `json:"errors"`
}

// errRejected rolls an import back; the caller reports ImportResult.Errors instead.
var errRejected = errors.New("import rejected")

// Import reads a CSV file and creates or updates systems matched by name, all in one
// transaction: when any row is bad nothing is written and every bad row is reported with
// its line and reason. A dry run reports the same plan and writes nothing. Columns
// missing from the file keep their stored values on updated systems.
func (s *Service) Import(ctx context.Context, r io.Reader, dryRun bool) (ImportResult, error) {
	res := ImportResult{DryRun: dryRun, Created: []string{}, Updated: []string{}, Unchanged: []string{}, Errors: []RowError{}}
	rows, errs := ParseCSV(r)
	if len(errs) > 0 {
		res.Errors = errs
		return res, nil
	}
	if len(rows) == 0 {
		res.Errors = []RowError{rowAt(2).Add("file", "has no data rows")}
		return res, nil
	}
	today := s.today()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		existing, err := allSystems(t)
		if err != nil {
			return err
		}
		byName := map[string]System{}
		for _, sys := range existing {
			byName[sys.Name] = sys
		}
		type plan struct {
			before *System
			in     SystemInput
		}
		var plans []plan
		firstLine := map[string]int{}
		for _, row := range rows {
			name := strings.TrimSpace(row.Cells["name"])
			var p plan
			if old, ok := byName[name]; ok && name != "" {
				p.before = &old
				p.in = old.SystemInput
			}
			if errs := row.apply(&p.in); len(errs) > 0 {
				res.Errors = append(res.Errors, errs...)
				continue
			}
			p.in.Normalize()
			if l, dup := firstLine[p.in.Name]; dup && p.in.Name != "" {
				res.Errors = append(res.Errors, rowAt(row.Line).Add("name", "repeats the system of line %d", l))
				continue
			}
			firstLine[p.in.Name] = row.Line
			if err := p.in.Validate(today); err != nil {
				inv, ok := problem.As[*problem.Invalid](err)
				if !ok {
					return err
				}
				for _, f := range inv.Fields {
					res.Errors = append(res.Errors, RowError{Line: row.Line, Field: f.Field, Reason: f.Reason, fe: f})
				}
				continue
			}
			plans = append(plans, p)
		}
		if len(res.Errors) > 0 {
			return errRejected
		}
		for _, p := range plans {
			switch {
			case p.before == nil:
				res.Created = append(res.Created, p.in.Name)
				if !dryRun {
					if _, err := s.insertSystem(tx, t, p.in, false); err != nil {
						return fmt.Errorf("import %s: %w", p.in.Name, err)
					}
				}
			case p.before.SystemInput == p.in:
				res.Unchanged = append(res.Unchanged, p.in.Name)
			default:
				res.Updated = append(res.Updated, p.in.Name)
				if !dryRun {
					if _, err := s.writeSystem(tx, t, *p.before, p.in, "CSV import", false); err != nil {
						return fmt.Errorf("import %s: %w", p.in.Name, err)
					}
				}
			}
		}
		if dryRun {
			return errRejected // roll back: a dry run never writes, even by accident
		}
		res.Applied = true
		if len(res.Created)+len(res.Updated) > 0 {
			s.Changed(tx, t.OrgID(), 0)
		}
		return nil
	})
	if errors.Is(err, errRejected) {
		err = nil
	}
	return res, err
}
