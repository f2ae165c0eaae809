package suppliers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// credentialsData is the supplier's page of its credentials, with the form to record one.
type credentialsData struct {
	Credentials []Credential
	In          CredentialInput
	Kinds       []string
	Outcomes    []string
}

func (m *Module) credentialsPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderCredentials(w, r, CredentialInput{Kind: CredCertificate}, nil)
}

// renderCredentials shows the list and the form, with the refusal of the form's input when
// err is one (400, the fields marked).
func (m *Module) renderCredentials(w http.ResponseWriter, r *http.Request, in CredentialInput, err error) error {
	cs, lerr := m.Credentials(r.Context())
	if lerr != nil {
		return lerr
	}
	v := m.d.Web.NewView(r, "nav.credentials", "/credentials")
	if err != nil {
		v.Form = r.PostForm
		if ferr := web.FieldErrors(err, v); ferr != nil {
			return ferr
		}
		v.Status = http.StatusBadRequest
	}
	v.Data = &credentialsData{Credentials: cs, In: in, Kinds: CredentialKinds, Outcomes: ReviewOutcomes}
	return m.pages.Render(w, r, "page_credentials.html", v)
}

func (m *Module) createCredentialPage(w http.ResponseWriter, r *http.Request) error {
	in := CredentialInput{}
	for k, p := range map[string]*string{"kind": &in.Kind, "product": &in.Product, "version": &in.Version, "number": &in.Number, "body": &in.Body,
		"scope": &in.Scope, "outcome": &in.Outcome, "dated": &in.Dated, "expires": &in.Expires} {
		*p = r.PostFormValue(k)
	}
	if in.Kind == CredCertificate {
		in.Outcome = "" // the form's outcome select always sends a value; it is a review's
	}
	c, err := m.CreateCredential(r.Context(), in)
	if err != nil {
		return m.renderCredentials(w, r, in, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/credentials/%d", c.ID), m.t(r, "suppliers.cred_saved"))
}

// credentialData is a credential's page: the supplier's own, with its shares (Sharing), or
// one shared with the operator, with the operator's products and systems it names
// (Received).
type credentialData struct {
	C         Credential
	Valid     bool
	Sharing   bool
	Shares    []CredShare
	Customers []credCustomer
	// Unshared are the customers the form may still share with.
	Unshared []credCustomer
	Received *SharedCredential
	// LinkOptions are the operator's products of the supplier that shared the record, not
	// linked yet: the link form's choices.
	LinkOptions []Product
}

// credCustomer is a customer on the share form, with whether a share with it is in force.
type credCustomer struct {
	ID             int64
	NameZH, NameEN string
	Shared         bool
}

func (m *Module) credentialPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	return m.renderCredential(w, r, id, nil)
}

func (m *Module) renderCredential(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	c, gerr := m.GetCredential(r.Context(), id)
	if gerr != nil {
		return gerr
	}
	shares, customers, gerr := m.CredentialShares(r.Context(), id)
	if gerr != nil {
		return gerr
	}
	d := &credentialData{C: c, Valid: c.ValidOn(m.Now()), Sharing: true, Shares: shares}
	for _, x := range customers {
		row := credCustomer{ID: x.ID, NameZH: x.NameZH, NameEN: x.NameEN}
		for _, s := range shares {
			row.Shared = row.Shared || (s.OperatorID == x.ID && s.RevokedAt == nil)
		}
		d.Customers = append(d.Customers, row)
		if !row.Shared {
			d.Unshared = append(d.Unshared, row)
		}
	}
	v := m.d.Web.NewView(r, "nav.credentials", "/credentials")
	if err != nil {
		v.Form = r.PostForm
		if ferr := web.FieldErrors(err, v); ferr != nil {
			return ferr
		}
		v.Status = http.StatusBadRequest
		if _, ok := problem.As[*problem.Conflict](err); ok {
			v.Status = http.StatusConflict
		}
	}
	v.Data = d
	return m.pages.Render(w, r, "page_credential.html", v)
}

func (m *Module) shareCredentialPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.GetCredential(r.Context(), id); err != nil {
		return err
	}
	op, perr := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("operator_id")), 10, 64)
	if perr != nil {
		return m.renderCredential(w, r, id, problem.Field("operator_id", "is not an operator that names your organisation as its supplier"))
	}
	if _, err := m.ShareCredential(r.Context(), id, op); err != nil {
		return m.renderCredential(w, r, id, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/credentials/%d#shares", id), m.t(r, "suppliers.cred_shared"))
}

func (m *Module) revokeCredentialPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.GetCredential(r.Context(), id); err != nil {
		return err
	}
	op, err := web.IDParam(r, "operator")
	if err != nil {
		return err
	}
	if _, err := m.RevokeCredentialShare(r.Context(), id, op); err != nil {
		return m.renderCredential(w, r, id, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/credentials/%d#shares", id), m.t(r, "suppliers.cred_revoked"))
}

func (m *Module) sharedCredentialsPage(w http.ResponseWriter, r *http.Request) error {
	cs, err := m.SharedCredentials(r.Context())
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "nav.shared_credentials", "/shared-credentials")
	v.Data = cs
	return m.pages.Render(w, r, "page_shared_credentials.html", v)
}

func (m *Module) sharedCredentialPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	return m.renderSharedCredential(w, r, m.d.Web.NewView(r, "nav.shared_credentials", "/shared-credentials"), id)
}

// renderSharedCredential shows a record shared with the operator, with its products (linked or
// matched by name) and the link form, in v (which carries a refused link when there is one).
func (m *Module) renderSharedCredential(w http.ResponseWriter, r *http.Request, v *web.View, id int64) error {
	c, err := m.SharedCredentialOne(r.Context(), id)
	if err != nil {
		return err
	}
	ps, err := m.ListProducts(r.Context(), 0)
	if err != nil {
		return err
	}
	d := &credentialData{C: c.Credential, Valid: c.Valid, Received: &c}
	linked := map[int64]bool{}
	for _, p := range c.Products {
		linked[p.ID] = p.Linked
	}
	for _, p := range ps {
		if p.SupplierOrgID == c.SupplierID && !linked[p.ID] {
			d.LinkOptions = append(d.LinkOptions, p)
		}
	}
	v.Data = d
	return m.pages.Render(w, r, "page_credential.html", v)
}
