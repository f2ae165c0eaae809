package suppliers

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

func (m *Module) apiImport(w http.ResponseWriter, r *http.Request) error {
	res, err := m.ImportCSV(r.Context(), r.Body)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, res)
}

// importError is one refusal of an import on the list page: its line (0 for the file as a
// whole), column and reason in the page's language.
type importError struct {
	Line           int
	Column, Reason string
}

var rowFieldRe = regexp.MustCompile(`^rows\[(\d+)\]\.(.+)$`)

func (m *Module) importPage(w http.ResponseWriter, r *http.Request) error {
	f, _, err := r.FormFile("file")
	if err != nil {
		err = problem.Field("file", "is required: choose a CSV file")
	} else {
		defer f.Close()
		var res ImportResult
		if res, err = m.ImportCSV(r.Context(), f); err == nil {
			return web.Redirect(w, r, "/suppliers", m.t(r, "suppliers.imported", res.SuppliersCreated, res.ProductsCreated))
		}
	}
	inv, ok := problem.As[*problem.Invalid](err)
	if !ok {
		return err
	}
	tr := m.d.Web.Messages.Reasons(web.RequestLang(r))
	var errs []importError
	for _, fe := range inv.Fields {
		e := importError{Column: fe.Field, Reason: fe.In(tr)}
		if g := rowFieldRe.FindStringSubmatch(fe.Field); g != nil {
			e.Line, _ = strconv.Atoi(g[1])
			e.Column = g[2]
		}
		errs = append(errs, e)
	}
	return m.renderList(w, r, errs)
}

// importSummary is the refusal shown on the file control: the file's own reasons when the
// file as a whole was refused, else how many of its rows' refusals the table below lists
// (the table is where each line and column is named).
func importSummary(r *http.Request, m *Module, errs []importError) string {
	var file []string
	for _, e := range errs {
		if e.Line == 0 && e.Column == "file" {
			file = append(file, e.Reason)
		}
	}
	if len(file) > 0 {
		return strings.Join(file, "; ")
	}
	return m.t(r, "suppliers.import_refused", len(errs))
}
