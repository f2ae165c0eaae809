package vulns

import (
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// shareData is the sharing section of a supplier's vulnerability page.
type shareData struct {
	Shares    []shareRow
	Customers []customerRow
}

// shareRow is a share with its times in Beijing time.
type shareRow struct {
	S                 Share
	SharedAt, Revoked string
}

// customerRow is a customer on the share form, with whether a share with it is in force.
type customerRow struct {
	ID             int64
	NameZH, NameEN string
	Shared         bool
}

// sharing reads the sharing section of vulnerability id for a user who may share.
func (m *Module) sharing(r *http.Request, id int64) (*shareData, error) {
	if !web.Can(r, ShareAdvisories) {
		return nil, nil
	}
	shares, customers, err := m.SharesOf(r.Context(), id)
	if err != nil {
		return nil, err
	}
	d := &shareData{}
	for _, x := range shares {
		d.Shares = append(d.Shares, shareRow{S: x, SharedAt: m.bj(r, &x.SharedAt), Revoked: m.bj(r, x.RevokedAt)})
	}
	for _, c := range customers {
		row := customerRow{ID: c.ID, NameZH: c.NameZH, NameEN: c.NameEN}
		for _, s := range shares {
			if s.OperatorID == c.ID && s.RevokedAt == nil {
				row.Shared = true
			}
		}
		d.Customers = append(d.Customers, row)
	}
	return d, nil
}

func (m *Module) sharePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Get(r.Context(), id); err != nil {
		return err
	}
	raw := strings.TrimSpace(r.PostFormValue("operator_id"))
	op, perr := strconv.ParseInt(raw, 10, 64)
	if perr != nil {
		return m.renderDetail(w, r, problem.Field("operator_id", "is not an operator that names your organisation as its supplier"), 0)
	}
	if _, err := m.ShareWith(r.Context(), id, op); err != nil {
		return m.renderDetail(w, r, err, 0)
	}
	return web.Redirect(w, r, "/vulns/"+idStr(id)+"#shares", m.t(r, "vulns.shared_saved"))
}

func (m *Module) revokePage(w http.ResponseWriter, r *http.Request) error {
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
	if _, err := m.RevokeShare(r.Context(), id, op); err != nil {
		return m.renderDetail(w, r, err, 0)
	}
	return web.Redirect(w, r, "/vulns/"+idStr(id)+"#shares", m.t(r, "vulns.share_revoked"))
}

// receivedPage shows one advisory a supplier shared with the operator, read-only.
func (m *Module) receivedPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.ReceivedOne(r.Context(), id)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "vulns.detail", "/vulns")
	v.TitleArgs = []any{x.Advisory.Title}
	v.Data = map[string]any{"X": x, "Found": m.bj(r, &x.Advisory.Discovered), "Shared": m.bj(r, &x.SharedAt), "Updated": m.bj(r, &x.Advisory.UpdatedAt)}
	return m.pages.Render(w, r, "page_shared.html", v)
}
