package suppliers

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// The operator's own questionnaire templates over the API: listed and read with
// suppliers.read, imported with suppliers.write. An import is either a form upload
// (multipart/form-data: file, title_zh, title_en) or the file itself as the body (text/csv
// or the XLSX media type, the titles in the query).

// templateTypes are the media types a template body may have.
var templateTypes = map[string]bool{"text/csv": true, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true, "application/octet-stream": true}

func (m *Module) apiTemplates(w http.ResponseWriter, r *http.Request) error {
	ts, err := m.Templates(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"templates": ts})
}

func (m *Module) apiTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.Template(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

func (m *Module) apiImportTemplate(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return problem.Field("Content-Type", "is not a media type: send multipart/form-data, text/csv or an XLSX file")
	}
	var (
		in   TemplateInput
		file io.Reader
	)
	switch {
	case mt == "multipart/form-data":
		in = TemplateInput{TitleZh: r.FormValue("title_zh"), TitleEn: r.FormValue("title_en")}
		f, _, err := r.FormFile("file")
		var mbe *http.MaxBytesError
		switch {
		case err == nil:
			defer f.Close()
			file = f
		case errors.As(err, &mbe):
			return err
		case r.MultipartForm == nil:
			return problem.Field("file", "cannot be read: %v", err)
		}
	case templateTypes[mt]:
		q := r.URL.Query()
		in, file = TemplateInput{TitleZh: q.Get("title_zh"), TitleEn: q.Get("title_en")}, r.Body
	default:
		return problem.Field("Content-Type", "is not a media type: send multipart/form-data, text/csv or an XLSX file")
	}
	x, err := m.ImportTemplate(r.Context(), in, file)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, x)
}
