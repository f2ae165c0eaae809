package oversight

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

func (m *Module) apiRecordNotice(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in NewNotice
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	n, err := m.RecordNotice(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, n)
}

func (m *Module) apiReceivedNotices(w http.ResponseWriter, r *http.Request) error {
	ns, err := m.ReceivedNotices(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"notices": ns})
}

// recordNoticePage records a notice from the entry page's form: the systems one a line.
func (m *Module) recordNoticePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	f := r.PostFormValue
	in := NewNotice{Kind: f("kind"), Ref: f("ref"), IssuedOn: f("issued_on"), Basis: f("basis"), Systems: strings.Split(strings.ReplaceAll(f("systems"), "\r", ""), "\n")}
	if _, err := m.RecordNotice(r.Context(), id, in); err != nil {
		var inv *problem.Invalid
		if errors.As(err, &inv) {
			return m.renderEntry(w, r, id, err)
		}
		return err
	}
	return web.Redirect(w, r, "/oversight/registry/"+strconv.FormatInt(id, 10), m.d.Web.Messages.T(web.RequestLang(r), "oversight.notice.sent"))
}
