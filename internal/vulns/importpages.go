package vulns

import (
	"fmt"
	"net/http"
	"strings"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// maxImportBody bounds an import request: the file (escaped in JSON, or a multipart part)
// and the form around it.
const maxImportBody = 2*MaxImportBytes + 1<<16

func (m *Module) apiPreview(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Format  string `json:"format"`
		Name    string `json:"name"`
		Content string `json:"content"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	im, err := m.Preview(r.Context(), in.Format, in.Name, strings.NewReader(in.Content))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, im)
}

func (m *Module) apiImport(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	im, err := m.ImportOf(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, im)
}

func (m *Module) apiCommit(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	im, err := m.Commit(r.Context(), id)
	if err != nil {
		return err
	}
	im.Items = nil
	return web.JSON(w, http.StatusOK, im)
}

func (m *Module) previewPage(w http.ResponseWriter, r *http.Request) error {
	f, h, err := r.FormFile("file")
	if err != nil {
		return m.renderList(w, r, problem.Field("file", "is required: choose a CSV file or a CSAF advisory"))
	}
	defer f.Close()
	im, err := m.Preview(r.Context(), r.PostFormValue("format"), h.Filename, f)
	if err != nil {
		return m.renderList(w, r, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/vulns/imports/%d", im.ID), "")
}

// problemRow is a refusal as the preview page shows it, in the page's language.
type problemRow struct {
	Line          int
	Field, Reason string
}

func (m *Module) importPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	im, err := m.ImportOf(r.Context(), id)
	if err != nil {
		return err
	}
	tr := m.d.Web.Messages.Reasons(web.RequestLang(r))
	rows := make([]problemRow, 0, len(im.Problems))
	for _, p := range im.Problems {
		reason := p.Reason
		if t, ok := tr(p.Format); ok {
			reason = fmt.Sprintf(t, p.Args...)
		}
		rows = append(rows, problemRow{Line: p.Line, Field: p.Field, Reason: reason})
	}
	shown := im.Items
	if len(shown) > 200 {
		shown = shown[:200]
	}
	v := m.d.Web.NewView(r, "vulns.import_title", "/vulns")
	v.TitleArgs = []any{im.ID}
	v.Data = map[string]any{"I": im, "Problems": rows, "Shown": shown}
	return m.pages.Render(w, r, "page_import.html", v)
}

func (m *Module) commitPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	im, err := m.Commit(r.Context(), id)
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/vulns", m.t(r, "vulns.import_committed", im.Added))
}
