package suppliers

import (
	"net/http"

	"ciiguard/internal/web"
)

// apiCredentials lists the supplier organisation's credentials.
func (m *Module) apiCredentials(w http.ResponseWriter, r *http.Request) error {
	cs, err := m.Credentials(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"credentials": cs})
}

// apiCreateCredential records a certificate or review outcome.
func (m *Module) apiCreateCredential(w http.ResponseWriter, r *http.Request) error {
	var in CredentialInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := m.CreateCredential(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}

// apiCredential is one credential with its shares and the customers it may be shared with.
func (m *Module) apiCredential(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	c, err := m.GetCredential(r.Context(), id)
	if err != nil {
		return err
	}
	shares, customers, err := m.CredentialShares(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"credential": c, "shares": shares, "customers": customers})
}

// apiShareCredential shares a credential with a customer: {"operator_id": N}. Another
// organisation's credential is 404 before the body is judged.
func (m *Module) apiShareCredential(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.GetCredential(r.Context(), id); err != nil {
		return err
	}
	var in struct {
		OperatorID int64 `json:"operator_id"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.ShareCredential(r.Context(), id, in.OperatorID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, x)
}

// apiRevokeCredential ends a share.
func (m *Module) apiRevokeCredential(w http.ResponseWriter, r *http.Request) error {
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
	x, err := m.RevokeCredentialShare(r.Context(), id, op)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

// apiSharedCredentials lists the credentials suppliers shared with the operator.
func (m *Module) apiSharedCredentials(w http.ResponseWriter, r *http.Request) error {
	cs, err := m.SharedCredentials(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"credentials": cs})
}

// apiSharedCredential is one credential a supplier shared with the operator.
func (m *Module) apiSharedCredential(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	c, err := m.SharedCredentialOne(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}
