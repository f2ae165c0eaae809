package suppliers

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/web"
)

// withDataLinks gives the supplier page's arrangements where their access to data stands
// against the organisation's transfers abroad, and the forms their choices.
func (m *Module) withDataLinks(ctx context.Context, d *supplierData) error {
	routes, err := m.routes(ctx)
	if err != nil {
		return err
	}
	d.Routes = routes
	if m.transfers != nil {
		d.DataCategories = m.transfers.ExportCategories()
	}
	for i := range d.Maintenance {
		row := &d.Maintenance[i]
		row.Link = LinkState(row.M, routes)
		for j := range routes {
			if routes[j].ID == row.M.TransferID {
				row.Transfer = &routes[j]
			}
		}
		if row.Link == LinkPeriod {
			row.Gap = PeriodGap(row.M, *row.Transfer)
		}
	}
	return nil
}

// dataLinkForm reads a data-link form: the categories ticked and the transfer chosen (""
// for none; not a number is refused as no such transfer).
func dataLinkForm(r *http.Request) DataLinkInput {
	in := DataLinkInput{DataAccess: r.PostForm["data_access"]}
	if raw := strings.TrimSpace(r.PostFormValue("transfer_id")); raw != "" {
		var err error
		if in.TransferID, err = strconv.ParseInt(raw, 10, 64); err != nil {
			in.TransferID = -1
		}
	}
	return in
}

// dataLinkPage records, from the supplier's page, what an arrangement's access reaches and
// the transfer that carries it.
func (m *Module) dataLinkPage(w http.ResponseWriter, r *http.Request) error {
	mid, err := web.IDParam(r, "mid")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := dataLinkForm(r)
	return m.recordForm(w, r, "maintenance", func(x Supplier) error {
		mt, err := m.GetMaintenance(r.Context(), mid)
		if err != nil {
			return err
		}
		if mt.SupplierID != x.ID {
			return errNotThisSupplier
		}
		_, err = m.LinkMaintenanceData(r.Context(), mid, in)
		return err
	}, func(d *supplierData) { d.DataOf, d.DataIn = mid, in })
}

// apiDataLink is PUT /api/v1/maintenance/{id}/data: an unknown arrangement is 404 before
// its body is judged.
func (m *Module) apiDataLink(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in DataLinkInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	out, err := m.LinkMaintenanceData(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, out)
}
