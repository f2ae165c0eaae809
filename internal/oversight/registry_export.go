package oversight

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// exportKeys are the message keys of the registry export's columns, in order.
var exportKeys = []string{"oversight.reg.col.id", "oversight.reg.col.uscc", "oversight.reg.col.name_zh", "oversight.reg.col.name_en",
	"oversight.reg.col.sector", "oversight.reg.col.province", "oversight.reg.col.source", "oversight.reg.col.identified",
	"oversight.reg.col.identified_on", "oversight.reg.col.last_notice_on", "oversight.reg.col.last_notice_ref", "oversight.reg.col.notices",
	"oversight.reg.col.change_reported_on", "oversight.reg.col.reidentify_by", "oversight.reg.col.reidentify",
	"oversight.annual.col.last", "oversight.annual.col.due", "oversight.reg.col.annual"}

// spreadsheetSafe keeps a cell from being read as a formula by a spreadsheet program: an
// operator's name is outside text.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportTable is the registry as rows of text in the request's language, header first.
func (m *Module) exportTable(r *http.Request, entries []*Entry) [][]string {
	lang := web.RequestLang(r)
	t := func(k string, a ...any) string { return m.d.Web.Messages.T(lang, k, a...) }
	pick := func(n Named) string {
		if lang == web.LangZH {
			return n.ZH
		}
		return n.EN
	}
	head := make([]string, len(exportKeys))
	for i, k := range exportKeys {
		head[i] = t(k)
	}
	out := [][]string{head}
	for _, e := range entries {
		yes := t("oversight.reg.no")
		if e.Identified {
			yes = t("oversight.reg.yes")
		}
		state := ""
		if e.Reidentify != "" {
			state = t("oversight.reg.reidentify." + e.Reidentify)
		}
		annual := ""
		if e.Annual != "" {
			annual = t("oversight.annual." + e.Annual)
		}
		out = append(out, []string{strconv.FormatInt(e.ID, 10), e.USCC, spreadsheetSafe(e.NameZH), spreadsheetSafe(e.NameEN),
			pick(e.SectorNamed()), pick(e.ProvinceNamed()), t("oversight.reg.source." + e.SourceKey()), yes,
			e.IdentifiedOn, e.LastNoticeOn, spreadsheetSafe(e.LastNoticeRef), strconv.Itoa(e.Notices), e.ChangeReportedOn, e.ReidentifyBy, state,
			e.AnnualLastOn, e.AnnualDueOn, annual})
	}
	return out
}

// SourceKey says why the entry is in the registry: linked, added, both, or a former link
// ("unlinked").
func (e *Entry) SourceKey() string {
	switch {
	case e.Linked && e.Added:
		return "both"
	case e.Linked:
		return "linked"
	case e.Added:
		return "added"
	}
	return "unlinked"
}

// exportRegistry writes the filtered registry as CSV (UTF-8 with a byte-order mark, so
// that Excel reads the Chinese) or XLSX, chosen by ?format=.
func (m *Module) exportRegistry(w http.ResponseWriter, r *http.Request) error {
	f, err := registryFilterOf(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "xlsx" {
		return problem.Field("format", "must be csv or xlsx")
	}
	entries, err := m.Registry(r.Context(), f)
	if err != nil {
		return err
	}
	rows := m.exportTable(r, entries)
	name := "registry-" + bjDay(m.now()) + "." + format
	if format == "csv" {
		var buf bytes.Buffer
		buf.WriteString("\uFEFF")
		cw := csv.NewWriter(&buf)
		if err := cw.WriteAll(rows); err != nil {
			return fmt.Errorf("write registry csv: %w", err)
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		_, err := w.Write(buf.Bytes())
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := m.d.Web.Messages.T(web.RequestLang(r), "oversight.reg.sheet")
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("registry xlsx: %w", err)
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("registry xlsx: %w", err)
	}
	for i, row := range rows {
		cells := make([]any, len(row))
		for j, c := range row {
			cells[j] = c
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return fmt.Errorf("registry xlsx: %w", err)
		}
		if err := sw.SetRow(cell, cells); err != nil {
			return fmt.Errorf("registry xlsx: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("registry xlsx: %w", err)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if _, err := x.WriteTo(w); err != nil {
		return fmt.Errorf("registry xlsx: %w", err)
	}
	return nil
}
