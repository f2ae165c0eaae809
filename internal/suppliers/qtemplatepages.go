package suppliers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// The pages of the operator's own questionnaire templates: the list with the import form,
// and one template's questions as the supplier will be asked them.

// templatesData is the list of templates and the import form, with an import's refusals.
type templatesData struct {
	Templates []OrgTemplate
	In        TemplateInput
	Errors    []importError
	Columns   []string
	// DefaultVersion is the version of ciiguard's template, listed first.
	DefaultVersion string
}

func (m *Module) templatesPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderTemplates(w, r, m.d.Web.NewView(r, "suppliers.templates", "/questionnaire-templates"), TemplateInput{}, nil)
}

func (m *Module) renderTemplates(w http.ResponseWriter, r *http.Request, v *web.View, in TemplateInput, errs []importError) error {
	ts, err := m.Templates(r.Context())
	if err != nil {
		return err
	}
	cols := make([]string, len(templateColumns))
	for i, c := range templateColumns {
		cols[i] = c.name
	}
	v.Data = &templatesData{Templates: ts, In: in, Errors: errs, Columns: cols, DefaultVersion: DefaultTemplate.Version}
	return m.pages.Render(w, r, "page_qtemplates.html", v)
}

func (m *Module) importTemplatePage(w http.ResponseWriter, r *http.Request) error {
	in := TemplateInput{TitleZh: r.PostFormValue("title_zh"), TitleEn: r.PostFormValue("title_en")}
	var x OrgTemplate
	f, _, err := r.FormFile("file")
	switch {
	case err == nil:
		defer f.Close()
		x, err = m.ImportTemplate(r.Context(), in, f)
	case errors.Is(err, http.ErrMissingFile):
		x, err = m.ImportTemplate(r.Context(), in, nil)
	}
	if err == nil {
		return web.Redirect(w, r, fmt.Sprintf("/questionnaire-templates/%d", x.ID), m.t(r, "suppliers.template_imported", len(x.Questions), x.Version))
	}
	inv, ok := problem.As[*problem.Invalid](err)
	if !ok {
		return err
	}
	v := m.d.Web.NewView(r, "suppliers.templates", "/questionnaire-templates")
	v.Form, v.Status = r.PostForm, http.StatusBadRequest
	tr := m.d.Web.Messages.Reasons(web.RequestLang(r))
	var errs []importError
	var rows int
	for _, fe := range inv.Fields {
		if g := rowFieldRe.FindStringSubmatch(fe.Field); g != nil {
			e := importError{Column: g[2], Reason: fe.In(tr)}
			e.Line, _ = strconv.Atoi(g[1])
			errs = append(errs, e)
			rows++
			continue
		}
		v.Errors[fe.Field] = fe.In(tr)
	}
	if rows > 0 && v.Errors["file"] == "" {
		v.Errors["file"] = m.t(r, "suppliers.import_refused", rows)
	}
	return m.renderTemplates(w, r, v, in, errs)
}

// templateData is one template's page.
type templateData struct {
	T OrgTemplate
}

func (m *Module) templatePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.Template(r.Context(), id)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "suppliers.template_title", "/questionnaire-templates")
	v.TitleArgs, v.Data = []any{v.L(x.TitleZh, x.TitleEn), x.Version}, &templateData{T: x}
	return m.pages.Render(w, r, "page_qtemplate.html", v)
}
