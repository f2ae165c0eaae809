package suppliers

import (
	"net/http"
	"regexp"
	"strconv"

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
