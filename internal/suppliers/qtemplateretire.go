package suppliers

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// An own template that the operator no longer uses is retired rather than deleted: the
// questionnaires sent with it keep their copy of its questions and stay answerable, but
// the send form no longer offers it and sending it is refused. A retirement can be undone
// (reinstated); both take a reason and are audited, so the record says why a supplier was
// or was not asked a question.

// RetireInput is the reason for retiring or reinstating a template.
type RetireInput struct {
	Reason string `json:"reason"`
}

// Retired says the template has been taken out of use.
func (t OrgTemplate) Retired() bool { return t.RetiredAt != nil }

// Retirer is who retired the template, as the pages show a person (see Importer).
func (t OrgTemplate) Retirer() string {
	s, _, _ := strings.Cut(t.RetiredBy, " (")
	return s
}

// RetireTemplate takes the context organisation's template id out of use; another
// organisation's is store.ErrNotFound, one already retired a conflict.
func (s *Service) RetireTemplate(ctx context.Context, id int64, in RetireInput) (OrgTemplate, error) {
	return s.setRetired(ctx, id, in, true)
}

// ReinstateTemplate puts a retired template back in use.
func (s *Service) ReinstateTemplate(ctx context.Context, id int64, in RetireInput) (OrgTemplate, error) {
	return s.setRetired(ctx, id, in, false)
}

func (s *Service) setRetired(ctx context.Context, id int64, in RetireInput, retire bool) (OrgTemplate, error) {
	reason := strings.TrimSpace(in.Reason)
	v := &problem.Invalid{}
	v.Text("reason", reason, true, maxText)
	var x OrgTemplate
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := templateOf(t, id)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		switch {
		case retire && before.Retired():
			return problem.Conflictf("retired_at", "is set already: %s retired this template", before.Retirer())
		case !retire && !before.Retired():
			return problem.Conflictf("retired_at", "is not set: the template is in use")
		}
		x = before
		action := "reinstate"
		if retire {
			at, by := s.now(), audit.ActorFrom(ctx).Label
			x.RetiredAt, x.RetiredBy, x.RetiredReason, action = &at, by, reason, "retire"
			_, err = t.Exec(`UPDATE supplier_q_templates SET retired_at = $2, retired_by = $3, retired_reason = $4 WHERE org_id = $1 AND id = $5`, at, by, reason, id)
		} else {
			x.RetiredAt, x.RetiredBy, x.RetiredReason = nil, "", ""
			_, err = t.Exec(`UPDATE supplier_q_templates SET retired_at = NULL, retired_by = '', retired_reason = '' WHERE org_id = $1 AND id = $2`, id)
		}
		if err != nil {
			return fmt.Errorf("%s the template: %w", action, err)
		}
		return audit.InTenant(t, "questionnaire_template", strconv.FormatInt(id, 10), action,
			map[string]any{"retired": before.Retired()}, map[string]any{"retired": x.Retired()}, reason)
	})
	return x, err
}

func (m *Module) apiRetireTemplate(w http.ResponseWriter, r *http.Request) error {
	return m.apiRetirement(w, r, m.RetireTemplate)
}

func (m *Module) apiReinstateTemplate(w http.ResponseWriter, r *http.Request) error {
	return m.apiRetirement(w, r, m.ReinstateTemplate)
}

func (m *Module) apiRetirement(w http.ResponseWriter, r *http.Request, do func(context.Context, int64, RetireInput) (OrgTemplate, error)) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in RetireInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := do(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

func (m *Module) retirePage(w http.ResponseWriter, r *http.Request) error {
	return m.retirementPage(w, r, m.RetireTemplate, "suppliers.template_retired_done")
}

func (m *Module) reinstatePage(w http.ResponseWriter, r *http.Request) error {
	return m.retirementPage(w, r, m.ReinstateTemplate, "suppliers.template_reinstated_done")
}

// retirementPage retires or reinstates the template from its page; a refusal comes back to
// the page with the reason field marked.
func (m *Module) retirementPage(w http.ResponseWriter, r *http.Request, do func(context.Context, int64, RetireInput) (OrgTemplate, error), done string) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	in := RetireInput{Reason: r.PostFormValue("reason")}
	_, err = do(r.Context(), id, in)
	if err == nil {
		return web.Redirect(w, r, fmt.Sprintf("/questionnaire-templates/%d", id), m.t(r, done))
	}
	x, rerr := m.Template(r.Context(), id)
	if rerr != nil {
		return err // not this organisation's: the refusal's own 404
	}
	v := m.d.Web.NewView(r, "suppliers.template_title", "/questionnaire-templates")
	if err := web.FieldErrorsIn("", err, v, r.PostForm); err != nil {
		return err
	}
	v.Status = http.StatusBadRequest
	v.TitleArgs, v.Data = []any{v.L(x.TitleZh, x.TitleEn), x.Version}, &templateData{T: x}
	return m.pages.Render(w, r, "page_qtemplate.html", v)
}
