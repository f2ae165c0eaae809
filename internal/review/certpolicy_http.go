package review

import (
	"net/http"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// policyPage changes the certificate gate from the review page's form; a refusal comes back
// as the review page with the control marked and what was typed kept.
func (m *Module) policyPage(w http.ResponseWriter, r *http.Request) error {
	_, err := m.SetCertGate(r.Context(), PolicyInput{CertGate: r.PostFormValue("certificate_gate"), Reason: r.PostFormValue("reason")})
	if _, ok := problem.As[*problem.Invalid](err); ok {
		v := m.d.Web.NewView(r, "nav.review", "/review")
		if err := web.FieldErrorsIn("", err, v, r.PostForm); err != nil {
			return err
		}
		return m.renderList(w, r, v)
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/review#policy", m.t(r, "review.policy_saved"))
}

func (m *Module) apiPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := m.Policy(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

func (m *Module) apiSetPolicy(w http.ResponseWriter, r *http.Request) error {
	var in PolicyInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := m.SetCertGate(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}
