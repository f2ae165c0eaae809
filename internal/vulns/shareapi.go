package vulns

import (
	"net/http"

	"ciiguard/internal/web"
)

// apiShares lists the shares of one of the supplier's vulnerabilities and the customers it
// may share with.
func (m *Module) apiShares(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	shares, customers, err := m.SharesOf(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"shares": shares, "customers": customers})
}

// apiShare shares a vulnerability with a customer: {"operator_id": N}.
func (m *Module) apiShare(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	// Another organisation's record is 404 before the body is judged.
	if _, err := m.Get(r.Context(), id); err != nil {
		return err
	}
	var in struct {
		OperatorID int64 `json:"operator_id"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.ShareWith(r.Context(), id, in.OperatorID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, x)
}

// apiRevoke ends a share.
func (m *Module) apiRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Get(r.Context(), id); err != nil {
		return err
	}
	op, err := web.IDParam(r, "operator")
	if err != nil {
		return err
	}
	x, err := m.RevokeShare(r.Context(), id, op)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

// apiReceived lists the advisories suppliers shared with the operator.
func (m *Module) apiReceived(w http.ResponseWriter, r *http.Request) error {
	rs, err := m.Received(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"advisories": rs})
}

// apiReceivedOne is one advisory a supplier shared with the operator.
func (m *Module) apiReceivedOne(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.ReceivedOne(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}
