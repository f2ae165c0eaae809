package obligations

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"ciiguard/internal/web"
)

// exportColumns are the message keys of the exported columns, in order.
var exportColumns = []string{"export.status", "export.duty_id", "export.duty", "export.subject", "export.reason", "export.due",
	"export.penalty", "export.fine_min", "export.fine_max"}

// exportRecord is one row of an export: text cells, and the two fine bounds as numbers
// (0 when the finding carries no fine) for a spreadsheet to add up.
type exportRecord struct {
	Cells            []string
	FineMin, FineMax int64
}

// exportRows turns the filtered list into rows in the request's language.
func (m *Module) exportRows(r *http.Request, l Listing) ([]string, []exportRecord) {
	lang := web.RequestLang(r)
	t := func(k string, a ...any) string { return m.d.Web.Messages.T(lang, k, a...) }
	pick := func(zh, en string) string {
		if lang == web.LangZH && zh != "" || en == "" {
			return zh
		}
		return en
	}
	head := make([]string, len(exportColumns))
	for i, k := range exportColumns {
		head[i] = t(k)
	}
	out := make([]exportRecord, 0, len(l.All))
	for _, row := range l.All {
		subject := t("ob.subject_org")
		if row.SubjectKind == "system" {
			subject = row.SystemName
			if subject == "" {
				subject = t("ob.subject_system", row.SubjectID)
			}
		}
		due := ""
		if row.Due != nil {
			due = row.Due.Format("2006-01-02")
		}
		rec := exportRecord{Cells: []string{t("status." + row.Shown), row.ObligationID, pick(row.Title.Zh, row.Title.En), subject,
			pick(row.Reason.Zh, row.Reason.En), due, pick(row.Cite.Zh, row.Cite.En)}}
		if p := row.Penalty; p != nil && p.MultipleOf == "" {
			rec.FineMin, rec.FineMax = p.Min, p.Max
		}
		out = append(out, rec)
	}
	return head, out
}

// exportName is the download's file name: the list and the day it was taken.
func exportName(ext string) string {
	return "findings-" + time.Now().Format("2006-01-02") + "." + ext
}

func (m *Module) findingsCSV(w http.ResponseWriter, r *http.Request) error {
	_, l, err := m.listing(r)
	if err != nil {
		return err
	}
	head, rows := m.exportRows(r, l)
	var buf bytes.Buffer
	buf.WriteString("\uFEFF") // so that spreadsheet programs read the Chinese as UTF-8
	cw := csv.NewWriter(&buf)
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("write findings csv: %w", err)
	}
	for _, rec := range rows {
		if err := cw.Write(append(append([]string(nil), rec.Cells...), strconv.FormatInt(rec.FineMin, 10), strconv.FormatInt(rec.FineMax, 10))); err != nil {
			return fmt.Errorf("write findings csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write findings csv: %w", err)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+exportName("csv")+`"`)
	_, err = w.Write(buf.Bytes())
	return err
}

func (m *Module) findingsXLSX(w http.ResponseWriter, r *http.Request) error {
	_, l, err := m.listing(r)
	if err != nil {
		return err
	}
	head, rows := m.exportRows(r, l)
	f := excelize.NewFile()
	defer f.Close()
	sheet := m.d.Web.Messages.T(web.RequestLang(r), "export.sheet")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("findings xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("findings xlsx: %w", err)
	}
	cells := make([]any, len(head))
	for i, h := range head {
		cells[i] = h
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return fmt.Errorf("findings xlsx: %w", err)
	}
	for i, rec := range rows {
		cells := make([]any, 0, len(rec.Cells)+2)
		for _, c := range rec.Cells {
			cells = append(cells, c)
		}
		cells = append(cells, rec.FineMin, rec.FineMax)
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return fmt.Errorf("findings xlsx: %w", err)
		}
		if err := sw.SetRow(cell, cells); err != nil {
			return fmt.Errorf("findings xlsx: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("findings xlsx: %w", err)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+exportName("xlsx")+`"`)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("findings xlsx: %w", err)
	}
	return nil
}
